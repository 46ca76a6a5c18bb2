// `loyalty campaigns ...`: validate, publish, list, diff, rollback, enable, disable (the
// catalogue of journeys), plus preview, test-send, audience and explain (see campaigns-*.ts).
import type { Command } from 'commander';
import { loadProgram } from '#shared/config/program-file.ts';
import { ManualClock, systemClock } from '#shared/domain/clock.ts';
import {
  ARMING_START_DELAY_SECONDS,
  makesDateTriggerLive,
  requestArming,
  StoredCustomerArming,
} from '#shared/journeys/arm-existing.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { JOURNEY_LIST_TTL_MS } from '#shared/journeys/runtime.ts';
import { diffVersions, rollbackJourney, setJourneyEnabled } from '#shared/journeys/versions.ts';
import {
  JourneyCatalogue,
  JourneyNotFoundError,
  JourneyPublishConflictError,
  type JourneyVersion,
  type PublishOutcome,
} from '#shared/store/journeys.ts';
import type { CommandContext, CommandModule } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { operator } from '../operator.ts';
import { registerGuardrailCommands } from './campaigns-guardrails.ts';
import { registerCampaignTools } from './campaigns-tools.ts';
import { type FileOptions, relative, validateOrFail } from './journey-files.ts';

export async function catalogueOf(context: CommandContext): Promise<JourneyCatalogue> {
  const targets = await context.targets();
  return new JourneyCatalogue(targets.doc, targets.tableName, systemClock);
}

/** Maps the catalogue's errors to exit codes. */
export async function catalogueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof JourneyNotFoundError) throw new CliError(EXIT.notFound, error.message);
    if (error instanceof JourneyPublishConflictError)
      throw new CliError(EXIT.remoteFailure, `${error.message}; run the command again`);
    throw error;
  }
}

function triggerText(version: JourneyVersion): string {
  const { trigger } = version.journey;
  if (trigger.on === 'event') {
    const match = Object.entries(trigger.match ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    return `${trigger.event}${match.length ? ` (${match.join(', ')})` : ''}`;
  }
  if (trigger.on === 'inactivity') return `inactivity ${trigger.inactivity.days}d`;
  if (trigger.on === 'signup') return `signup +${trigger.signup.days}d`;
  return trigger.on;
}

function summary(version: JourneyVersion) {
  const { journey } = version;
  return {
    id: version.journeyId,
    name: journey.name,
    version: version.version,
    enabled: journey.enabled,
    trigger: triggerText(version),
    steps: journey.steps.length,
    templates: Object.keys(version.templates),
    holdoutPercent: journey.holdoutPercent,
    publishedAt: version.publishedAt,
    publishedBy: version.publishedBy,
    note: version.note,
  };
}

export function table(rows: string[][]): string {
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
    .option('--dir <folder>', 'journeys folder (used when no files are named)', 'campaigns')
    .option('--templates <folder>', 'templates folder (default: templates/ beside each file)')
    .option(
      '--program <file>',
      'loyalty program to check names against (default: program.yaml beside the files, else the shipped one)',
    );
}

function versionNumber(flag: string) {
  return (value: string) => {
    const version = Number(value);
    if (!Number.isInteger(version) || version < 1)
      throw new CliError(EXIT.usage, `${flag}: ${value} is not a version number`);
    return version;
  };
}

function outcomeText(id: string, outcome: PublishOutcome & Armed): string {
  return outcome.kind === 'published'
    ? `published ${id} v${outcome.version} (running functions use it within ${JOURNEY_LIST_TTL_MS / 1000} s)${armedText(outcome)}`
    : `unchanged ${id} (v${outcome.version})`;
}

interface Armed {
  armed?: { customers: number; secondPassAfterSeconds: number };
}

function armedText(outcome: Armed): string {
  return outcome.armed
    ? `; date trigger armed for ${outcome.armed.customers} stored customer(s), and once more from ${outcome.armed.secondPassAfterSeconds} s on by the journey-arming function`
    : '';
}

/**
 * After a version became current: when it makes a date trigger live (docs/shipped-journeys.md),
 * arm it for every customer already stored, as of the target's now (the local runtime's clock).
 * The CLI drives the same pages as the journey-arming function, but here, to the end, so it can
 * say how many customers it armed (an operator's machine has no 15-minute limit). Then it asks the
 * journey-arming function for its own pass, which starts ARMING_START_DELAY_SECONDS later: a
 * customer stored meanwhile by a function whose catalogue cache still holds the version before,
 * after this Scan passed their key, is armed by that pass (arming twice converges, never doubles).
 */
async function armIfNewlyLive(
  context: CommandContext,
  catalogue: JourneyCatalogue,
  id: string,
  outcome: PublishOutcome,
): Promise<Armed> {
  if (outcome.kind !== 'published') return {};
  // The outcome names the version it replaced (0: none), as the console reads it.
  const [previous, current] = await Promise.all([
    outcome.previous ? catalogue.version(id, outcome.previous) : undefined,
    catalogue.version(id, outcome.version),
  ]);
  if (!current || !makesDateTriggerLive(previous, current)) return {};
  const targets = await context.targets();
  const clock = new ManualClock(await context.now());
  const armed = await new StoredCustomerArming({ ...targets, clock }, loadProgram(process.env)).armAll(id);
  await requestArming(new EventBridgePublisher(targets.eventBridge, targets.busName), {
    journeyId: id,
    version: outcome.version,
    requestedAt: clock.now().toISOString(),
    requestedBy: operator(),
  });
  return { armed: { ...armed, secondPassAfterSeconds: ARMING_START_DELAY_SECONDS } };
}

export const campaignsCommands: CommandModule = {
  register(program, context) {
    const campaigns = program
      .command('campaigns')
      .description('validate, publish and inspect journeys (every campaign is a journey)');

    withFileOptions(
      campaigns
        .command('validate')
        .description('check journey files: schema, names, gotos, loops, triggers, templates in every locale')
        .argument('[files...]'),
    ).action(async (files: string[], options: FileOptions) => {
      const report = await validateOrFail(context, files, options);
      context.out().result(
        {
          valid: report.journeys.map(({ journey, file }) => ({
            id: journey.id,
            file: relative(context, file),
          })),
          problems: [],
        },
        () =>
          report.journeys
            .map(({ journey, file }) => `✓ ${journey.id}  ${relative(context, file)}`)
            .join('\n'),
      );
    });

    withFileOptions(
      campaigns
        .command('publish')
        .description('validate, then store each journey and its templates as one new immutable version')
        .argument('[files...]'),
    )
      .option('--note <text>', 'why (kept with the version)', '')
      .action(async (files: string[], options: FileOptions & { note: string }) => {
        const report = await validateOrFail(context, files, options);
        const catalogue = await catalogueOf(context);
        const results: ({ id: string } & PublishOutcome & Armed)[] = [];
        for (const { journey, templates, source } of report.journeys) {
          const outcome = await catalogueCall(() =>
            catalogue.publish({ journey, templates, source, by: operator(), note: options.note }),
          );
          const armed = await armIfNewlyLive(context, catalogue, journey.id, outcome);
          results.push({ id: journey.id, ...outcome, ...armed });
        }
        context
          .out()
          .result(results, () => results.map((result) => outcomeText(result.id, result)).join('\n'));
      });

    campaigns
      .command('list')
      .description("current version of every published journey, or one journey's versions with their notes")
      .argument('[id]', 'show the versions of this journey')
      .action(async (id: string | undefined) => {
        const catalogue = await catalogueOf(context);
        const versions = id ? await catalogue.versions(id) : await catalogue.list();
        if (id && !versions.length)
          throw new CliError(EXIT.notFound, `journey ${id} has never been published`);
        const rows = versions.map(summary);
        context
          .out()
          .result(rows, () =>
            rows.length
              ? table([
                  ['ID', 'VERSION', 'ENABLED', 'TRIGGER', 'STEPS', 'HOLDOUT', 'PUBLISHED', 'BY', 'NOTE'],
                  ...rows.map((row) => [
                    row.id,
                    `v${row.version}`,
                    row.enabled ? 'yes' : 'no',
                    row.trigger,
                    String(row.steps),
                    `${row.holdoutPercent}%`,
                    row.publishedAt,
                    row.publishedBy,
                    row.note,
                  ]),
                ])
              : 'no journeys published yet (run: npx loyalty campaigns publish)',
          );
      });

    campaigns
      .command('diff')
      .description('what changed between two versions: the journey file line by line, and the templates')
      .argument('<id>')
      .option('--from <version>', 'older version (default: the one before --to)', versionNumber('--from'))
      .option('--to <version>', 'newer version (default: current)', versionNumber('--to'))
      .action(async (id: string, options: { from?: number; to?: number }) => {
        const catalogue = await catalogueOf(context);
        const current = await catalogue.current(id);
        if (!current) throw new CliError(EXIT.notFound, `journey ${id} has never been published`);
        const toVersion = options.to ?? current.version;
        const fromVersion = options.from ?? toVersion - 1;
        const [from, to] = await Promise.all([
          catalogue.version(id, fromVersion),
          catalogue.version(id, toVersion),
        ]);
        if (!from || !to)
          throw new CliError(
            EXIT.notFound,
            `journey ${id} has no version ${!from ? fromVersion : toVersion}`,
          );
        const diff = diffVersions(from, to);
        const changed = diff.source.filter((line) => !line.startsWith('  '));
        context
          .out()
          .result(diff, () =>
            [
              `${id} v${diff.from} → v${diff.to}`,
              ...(changed.length ? diff.source : ['  (journey file unchanged)']),
              ...diff.templates.added.map((part) => `+ template ${part}`),
              ...diff.templates.removed.map((part) => `- template ${part}`),
              ...diff.templates.changed.map((part) => `~ template ${part}`),
            ].join('\n'),
          );
      });

    campaigns
      .command('rollback')
      .description(
        'make the previous (or --to) version current again — steps and template text — as a new version',
      )
      .argument('<id>')
      .option('--to <version>', 'version to restore', versionNumber('--to'))
      .action(async (id: string, options: { to?: number }) => {
        const catalogue = await catalogueOf(context);
        const outcome = await catalogueCall(() => rollbackJourney(catalogue, id, operator(), options.to));
        const armed = await armIfNewlyLive(context, catalogue, id, outcome);
        context
          .out()
          .result({ id, ...outcome, ...armed }, () =>
            outcome.kind === 'published'
              ? `rolled ${id} back to the content of v${outcome.restored}: now v${outcome.version}${armedText(armed)}`
              : `${id} already has the content of v${outcome.restored}`,
          );
      });

    for (const enabled of [true, false]) {
      campaigns
        .command(enabled ? 'enable' : 'disable')
        .description(
          enabled
            ? 'let the journey admit and send again'
            : 'stop the journey (takes effect within a minute)',
        )
        .argument('<id>')
        .action(async (id: string) => {
          const catalogue = await catalogueOf(context);
          const outcome = await catalogueCall(() => setJourneyEnabled(catalogue, id, enabled, operator()));
          const armed = await armIfNewlyLive(context, catalogue, id, outcome);
          context
            .out()
            .result({ id, enabled, ...outcome, ...armed }, () =>
              outcome.kind === 'published'
                ? `${id} ${enabled ? 'enabled' : 'disabled'} (v${outcome.version})${armedText(armed)}`
                : `${id} was already ${enabled ? 'enabled' : 'disabled'}`,
            );
        });
    }

    registerCampaignTools(campaigns, context);
    registerGuardrailCommands(campaigns, context, operator);
  },
};
