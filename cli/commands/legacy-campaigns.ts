// `loyalty legacy-campaigns ...`: the pre-journey campaign files, for as long as the shipped
// campaigns still run on the campaign engine (until they ship as journey files): validate, list,
// publish, rollback, enable, disable, plus preview, audience and test-send (legacy-campaigns-tools.ts).
// Journeys are `loyalty campaigns ...`.
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { type CampaignProblem, campaignFiles, describeProblem } from '#shared/campaigns/load.ts';
import { type ValidationReport, validateCampaignFiles } from '#shared/campaigns/validate.ts';
import { systemClock } from '#shared/domain/clock.ts';
import {
  CampaignCatalogue,
  CampaignNotFoundError,
  type CampaignVersion,
  PublishConflictError,
  type PublishOutcome,
} from '#shared/store/campaigns.ts';
import type { CommandContext, CommandModule } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { registerCampaignTools } from './legacy-campaigns-tools.ts';

export interface FileOptions {
  dir: string;
  templates?: string;
}

/** The files named on the command line, or every campaign file in --dir. */
export async function resolveCampaignFiles(
  context: CommandContext,
  files: string[],
  options: FileOptions,
): Promise<string[]> {
  if (files.length) return files.map((file) => path.resolve(context.io.cwd, file));
  const dir = path.resolve(context.io.cwd, options.dir);
  try {
    return await campaignFiles(dir);
  } catch {
    throw new CliError(EXIT.notFound, `no campaigns folder at ${dir} (use --dir)`);
  }
}

function relative(context: CommandContext, file: string): string {
  return path.relative(context.io.cwd, file) || file;
}

function problemsForHumans(context: CommandContext, problems: CampaignProblem[]): string {
  return problems
    .map((problem) => `  ✗ ${describeProblem({ ...problem, file: relative(context, problem.file) })}`)
    .join('\n');
}

export async function validateOrFail(
  context: CommandContext,
  files: string[],
  options: FileOptions,
): Promise<ValidationReport> {
  const resolved = await resolveCampaignFiles(context, files, options);
  if (!resolved.length) throw new CliError(EXIT.notFound, 'no campaign files found');
  const report = await validateCampaignFiles(
    resolved,
    options.templates ? path.resolve(context.io.cwd, options.templates) : undefined,
  );
  if (report.problems.length) {
    const problems = report.problems.map((problem) => ({
      ...problem,
      file: relative(context, problem.file),
    }));
    throw new CliError(
      EXIT.validationFailed,
      `${problems.length} problem(s) in campaign files:\n${problemsForHumans(context, report.problems)}`,
      { problems },
    );
  }
  return report;
}

export async function catalogueOf(context: CommandContext): Promise<CampaignCatalogue> {
  const targets = await context.targets();
  return new CampaignCatalogue(targets.doc, targets.tableName, systemClock);
}

/** Maps the catalogue's errors to exit codes. */
export async function catalogueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CampaignNotFoundError) throw new CliError(EXIT.notFound, error.message);
    if (error instanceof PublishConflictError)
      throw new CliError(EXIT.remoteFailure, `${error.message}; run the command again`);
    throw error;
  }
}

function publisher(): string {
  try {
    return process.env.LOYALTY_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

function summary(version: CampaignVersion) {
  const { definition } = version;
  return {
    id: version.campaignId,
    name: definition.name,
    version: version.version,
    enabled: definition.enabled,
    trigger:
      definition.trigger.on === 'event'
        ? `${definition.trigger.event}${definition.trigger.direction ? ` (${definition.trigger.direction})` : ''}`
        : definition.trigger.on,
    holdoutPercent: definition.holdoutPercent,
    publishedAt: version.publishedAt,
    publishedBy: version.publishedBy,
    note: version.note,
  };
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function withFileOptions(command: Command): Command {
  return command
    .option('--dir <folder>', 'campaigns folder (used when no files are named)', 'campaigns')
    .option('--templates <folder>', 'templates folder (default: <folder of each file>/templates)');
}

export const legacyCampaignsCommands: CommandModule = {
  register(program, context) {
    const campaigns = program
      .command('legacy-campaigns')
      .description('pre-journey campaign files (the shipped campaigns, until they ship as journeys)');

    withFileOptions(
      campaigns
        .command('validate')
        .description('check campaign files and render their templates in every locale')
        .argument('[files...]'),
    ).action(async (files: string[], options: FileOptions) => {
      const report = await validateOrFail(context, files, options);
      context.out().result(
        {
          valid: report.campaigns.map(({ campaign, file }) => ({
            id: campaign.id,
            file: relative(context, file),
          })),
          problems: [],
        },
        () =>
          report.campaigns
            .map(({ campaign, file }) => `✓ ${campaign.id}  ${relative(context, file)}`)
            .join('\n'),
      );
    });

    withFileOptions(
      campaigns
        .command('publish')
        .description('validate, then store each campaign as its new current version')
        .argument('[files...]'),
    )
      .option('--note <text>', 'why (kept with the version)', '')
      .action(async (files: string[], options: FileOptions & { note: string }) => {
        const report = await validateOrFail(context, files, options);
        const catalogue = await catalogueOf(context);
        const results: ({ id: string } & PublishOutcome)[] = [];
        for (const { campaign, source } of report.campaigns) {
          const outcome = await catalogueCall(() =>
            catalogue.publish({ definition: campaign, source, by: publisher(), note: options.note }),
          );
          results.push({ id: campaign.id, ...outcome });
        }
        context
          .out()
          .result(results, () =>
            results
              .map((result) =>
                result.kind === 'published'
                  ? `published ${result.id} v${result.version}`
                  : `unchanged ${result.id} (v${result.version})`,
              )
              .join('\n'),
          );
      });

    campaigns
      .command('list')
      .description("current version of every published campaign, or one campaign's versions")
      .argument('[id]', 'show the versions of this campaign')
      .action(async (id: string | undefined) => {
        const catalogue = await catalogueOf(context);
        const versions = id ? await catalogue.versions(id) : await catalogue.list();
        if (id && !versions.length)
          throw new CliError(EXIT.notFound, `campaign ${id} has never been published`);
        const rows = versions.map(summary);
        context
          .out()
          .result(rows, () =>
            rows.length
              ? table([
                  ['ID', 'VERSION', 'ENABLED', 'TRIGGER', 'HOLDOUT', 'PUBLISHED', 'BY', 'NOTE'],
                  ...rows.map((row) => [
                    row.id,
                    `v${row.version}`,
                    row.enabled ? 'yes' : 'no',
                    row.trigger,
                    `${row.holdoutPercent}%`,
                    row.publishedAt,
                    row.publishedBy,
                    row.note,
                  ]),
                ])
              : 'no campaigns published yet (run: npx loyalty campaigns publish)',
          );
      });

    campaigns
      .command('rollback')
      .description('make the previous (or --to) version current again, as a new version')
      .argument('<id>')
      .option('--to <version>', 'version to restore', (value) => {
        const version = Number(value);
        if (!Number.isInteger(version) || version < 1)
          throw new CliError(EXIT.usage, `--to: ${value} is not a version number`);
        return version;
      })
      .action(async (id: string, options: { to?: number }) => {
        const catalogue = await catalogueOf(context);
        const outcome = await catalogueCall(() => catalogue.rollback(id, publisher(), options.to));
        context
          .out()
          .result({ id, ...outcome }, () =>
            outcome.kind === 'published'
              ? `rolled ${id} back to the content of v${outcome.restored}: now v${outcome.version}`
              : `${id} already has the content of v${outcome.restored}`,
          );
      });

    for (const enabled of [true, false]) {
      campaigns
        .command(enabled ? 'enable' : 'disable')
        .description(
          enabled
            ? 'let the campaign send again'
            : 'stop the campaign from sending (takes effect within a minute)',
        )
        .argument('<id>')
        .action(async (id: string) => {
          const catalogue = await catalogueOf(context);
          const outcome = await catalogueCall(() => catalogue.setEnabled(id, enabled, publisher()));
          context
            .out()
            .result({ id, enabled, ...outcome }, () =>
              outcome.kind === 'published'
                ? `${id} ${enabled ? 'enabled' : 'disabled'} (v${outcome.version})`
                : `${id} was already ${enabled ? 'enabled' : 'disabled'}`,
            );
        });
    }

    registerCampaignTools(campaigns, context);
  },
};
