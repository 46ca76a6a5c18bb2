// `loyalty report [--from --to --cohort] [--json] [--html out.html]`: program metrics, segments,
// cohort retention and campaign results from the table the CLI targets (local or --stack).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { defaultReportPeriod, type LoyaltyReport, loadLoyaltyReport } from '#shared/flows/analytics.ts';
import { renderReportHtml } from '#shared/flows/analytics-html.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { programDefaults } from '#shared/flows/analytics-page.ts';
import { PredictionStore } from '#shared/store/predictions.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import type { CommandContext, CommandModule } from './command-module.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { renderReportText } from './report-text.ts';

interface ReportFlags {
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

async function runReport(context: CommandContext, flags: ReportFlags): Promise<void> {
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
      .option('--attribution-days <n>', 'a purchase this many days after a send counts as a conversion', '7')
      .option('--html <file>', 'also write a self-contained HTML report with charts')
      .option('--segments <n>', 'parallel scan segments', '4')
      .action((flags: ReportFlags) => runReport(context, flags));
  },
};
