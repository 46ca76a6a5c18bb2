// The report as an HTTP page (the local runtime's GET /_local/report): query parameters from,
// to, cohort, attributionDays and format=json|html, answered from the table and the clock given.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ControlGroupSettings } from '../domain/global-control-group.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { ATTRIBUTION_DAYS } from '../domain/step-results.ts';
import { PredictionStore } from '../store/predictions.ts';
import { SegmentStore } from '../store/segments.ts';
import { defaultReportPeriod, loadLoyaltyReport } from './analytics.ts';
import { renderReportHtml } from './analytics-html.ts';

export interface ReportPage {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Currency, tier ladder and global control group from the program `readProgram` returns (a
 * function's deployed JSON, or the CLI's program.yaml); USD, no order and no control group if it fails.
 */
export function programDefaults(readProgram: () => LoyaltyProgram): {
  currency: string;
  tierOrder: string[];
  controlGroup?: ControlGroupSettings;
} {
  try {
    const program = readProgram();
    return {
      currency: program.currency,
      tierOrder: program.tiers.map((tier) => tier.id),
      controlGroup: program.controlGroup,
    };
  } catch {
    return { currency: 'USD', tierOrder: [] };
  }
}

export async function reportPage(
  doc: DynamoDBDocumentClient,
  tableName: string,
  now: Date,
  params: URLSearchParams,
  readProgram: () => LoyaltyProgram,
): Promise<ReportPage> {
  const period = defaultReportPeriod(now);
  const from = params.get('from') ? new Date(String(params.get('from'))) : period.from;
  const to = params.get('to') ? new Date(String(params.get('to'))) : period.to;
  const attributionDays = Number(params.get('attributionDays') ?? ATTRIBUTION_DAYS);
  const cohort = params.get('cohort') ?? undefined;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to || !(attributionDays >= 1)) {
    return {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'from/to must be dates with from < to; attributionDays >= 1' }),
    };
  }
  const report = await loadLoyaltyReport(
    new SegmentStore(doc, tableName),
    { from, to, attributionDays, ...(cohort ? { cohort } : {}), ...programDefaults(readProgram) },
    now,
    4,
    new PredictionStore(doc, tableName),
  );
  return params.get('format') === 'json'
    ? { status: 200, contentType: 'application/json', body: JSON.stringify(report) }
    : { status: 200, contentType: 'text/html; charset=utf-8', body: renderReportHtml(report) };
}
