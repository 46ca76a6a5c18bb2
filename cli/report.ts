// `loyalty report [--from --to --cohort] [--json] [--html out.html]`: program metrics, segments,
// cohort retention and campaign results from the table the CLI targets (local or --stack), by one
// Scan; `--stored [period]` shows a report the weekly analytics run stored instead (one GetItem).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { defaultReportPeriod, type LoyaltyReport, loadLoyaltyReport } from '#shared/flows/analytics.ts';
import { renderReportHtml } from '#shared/flows/analytics-html.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { ATTRIBUTION_DAYS } from '#shared/domain/step-results.ts';
import { programDefaults } from '#shared/flows/analytics-page.ts';
import { readStoredReport } from '#shared/flows/stored-report.ts';
import { PredictionStore } from '#shared/store/predictions.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { type StoredReport, StoredReports } from '#shared/store/stored-reports.ts';
import type { CommandContext, CommandModule } from './command-module.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { renderReportText } from './report-text.ts';

interface ReportFlags {
  /** A stored period's name, or true for the default one. */
  stored?: string | true;
  from?: string;
  to?: string;
  cohort?: string;
  attributionDays: string;
  html?: string;
  segments: string;
}

function instant(flag: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime()))
    throw new CliError(
      EXIT.usage,
      `--${flag}: ${JSON.stringify(value)} is not a date (YYYY-MM-DD or ISO 8601)`,
    );
  return parsed;
}

const DEFAULT_STORED_PERIOD = 'last-30-days';

/** The report the weekly analytics run stored for a period: one GetItem, no Scan. */
async function storedReport(context: CommandContext, period: string): Promise<LoyaltyReport> {
  const targets = await context.targets();
  const store = new StoredReports(targets.doc, targets.tableName);
  let stored: StoredReport | undefined;
  let periods: string[];
  try {
    stored = await store.report(period);
    periods = stored ? [] : (await store.periods()).map((p) => p.period);
  } catch (error) {
    throw new CliError(EXIT.remoteFailure, `could not read table ${targets.tableName}: ${(error as Error).message}`);
  }
  if (!stored)
    throw new CliError(
      EXIT.notFound,
      `--stored: no stored report for ${period}; stored: ${periods.join(', ') || 'none yet (the weekly analytics run stores them)'}`,
    );
  const { report, note } = readStoredReport(stored.report);
  const out = context.out();
  out.note(`Stored by the weekly analytics run of ${stored.computedAt} for ${stored.from} → ${stored.to}.`);
  if (note) out.note(note);
  return report;
}

async function runReport(context: CommandContext, flags: ReportFlags): Promise<void> {
  if (flags.stored !== undefined) {
    if (flags.from || flags.to || flags.cohort)
      throw new CliError(EXIT.usage, '--stored shows a stored period as it was built: drop --from, --to and --cohort');
    await show(context, flags, await storedReport(context, flags.stored === true ? DEFAULT_STORED_PERIOD : flags.stored));
    return;
  }
  const now = await context.now();
  const period = defaultReportPeriod(now);
  const from = instant('from', flags.from, period.from);
  const to = instant('to', flags.to, period.to);
  const targets = await context.targets();
  if (from >= to) throw new CliError(EXIT.usage, '--from must be before --to');
  if (flags.cohort !== undefined && !/^\d{4}-\d{2}$/.test(flags.cohort))
    throw new CliError(EXIT.usage, '--cohort must be a first-purchase month YYYY-MM');
  const attributionDays = Number(flags.attributionDays);
  if (!Number.isInteger(attributionDays) || attributionDays < 1)
    throw new CliError(EXIT.usage, '--attribution-days must be a positive whole number');
  let report: LoyaltyReport;
  try {
    report = await loadLoyaltyReport(
      new SegmentStore(targets.doc, targets.tableName),
      {
        from,
        to,
        attributionDays,
        ...(flags.cohort ? { cohort: flags.cohort } : {}),
        ...programDefaults(() => loadProgram(process.env)),
      },
      now,
      Number(flags.segments),
      new PredictionStore(targets.doc, targets.tableName),
    );
  } catch (error) {
    throw new CliError(
      EXIT.remoteFailure,
      `could not read table ${targets.tableName}: ${(error as Error).message}`,
    );
  }
  await show(context, flags, report);
}

async function show(context: CommandContext, flags: ReportFlags, report: LoyaltyReport): Promise<void> {
  const out = context.out();
  if (flags.html) {
    const file = path.resolve(context.io.cwd, flags.html);
    await writeFile(file, renderReportHtml(report));
    out.note(`HTML report written to ${file}`);
  }
  out.result(report, renderReportText);
}

export const reportCommands: CommandModule = {
  register(program: Command, context: CommandContext) {
    program
      .command('report')
      .description('Program metrics, segments, cohort retention and campaign results (uplift vs holdout)')
      .option(
        '--from <date>',
        'period start, inclusive (default: 90 days before now — the local runtime’s simulated now)',
      )
      .option('--to <date>', 'period end, exclusive (default: now — the local runtime’s simulated now)')
      .option('--cohort <YYYY-MM>', 'only customers whose first purchase was in this month')
      .option('--attribution-days <n>', 'a purchase this many days after a send counts as a conversion', String(ATTRIBUTION_DAYS))
      .option('--html <file>', 'also write a self-contained HTML report with charts')
      .option('--segments <n>', 'parallel scan segments', '4')
      .option(
        '--stored [period]',
        `show the report the weekly analytics run stored, without a Scan: last-7-days, last-30-days, last-90-days or month-YYYY-MM (default ${DEFAULT_STORED_PERIOD})`,
      )
      .action((flags: ReportFlags) => runReport(context, flags));
  },
};
