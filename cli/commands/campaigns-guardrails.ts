// `loyalty campaigns resume <id> --note "…"` (and `--account` for the account brake): lifts a pause
// a guardrail set, with the operator's note, and announces Journey Resumed. `loyalty campaigns
// guardrail <id>` shows a journey's (or the account's) state, the figures that paused it, and the
// window as the next bounce or complaint would judge it (the account's: every journey's added up).
import type { Command } from 'commander';
import { loadProgram } from '#shared/config/program-file.ts';
import {
  ACCOUNT_SCOPE,
  type GuardrailLimits,
  type GuardrailScope,
  journeyScope,
  ratePercent,
  type WindowFigures,
  windowFigures,
} from '#shared/domain/send-guardrails.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { describeScope, resumeSending } from '#shared/flows/send-guardrails.ts';
import { type GuardrailState, GuardrailStore } from '#shared/store/guardrails.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';

interface ScopeOptions {
  account?: boolean;
}

function scopeOf(id: string | undefined, options: ScopeOptions): GuardrailScope {
  if (options.account && id) throw new CliError(EXIT.usage, `name a journey id or --account, not both (got ${id})`);
  if (options.account) return ACCOUNT_SCOPE;
  if (!id) throw new CliError(EXIT.usage, 'name the journey id to resume, or --account for the account brake');
  return journeyScope(id);
}

function describeState(scope: GuardrailScope, state: GuardrailState): string {
  const what = describeScope(scope);
  if (state.status === 'paused') return `${what}: paused since ${state.pausedAt} — ${state.why ?? 'no figures'}`;
  return state.resumedAt
    ? `${what}: sending (resumed ${state.resumedAt} by ${state.resumedBy}: ${state.note})`
    : `${what}: sending`;
}

function describeWindow(window: WindowFigures, limits: GuardrailLimits): string {
  const judged =
    window.sends < limits.minSends
      ? `not judged below ${limits.minSends} sends`
      : `pauses above ${limits.hardBouncePercent}% hard bounces or ${limits.complaintPercent}% complaints`;
  return (
    `window since ${window.from.slice(0, 13).replace('T', ' ')}:00 UTC: ${window.sends} sent, ` +
    `${window.hardBounces} hard bounces (${ratePercent(window.hardBounceRate)}), ` +
    `${window.complaints} complaints (${ratePercent(window.complaintRate)}); ${judged}`
  );
}

export function registerGuardrailCommands(
  campaigns: Command,
  context: CommandContext,
  operator: () => string,
): void {
  const storeOf = async () => {
    const targets = await context.targets();
    return {
      store: new GuardrailStore(targets.doc, targets.tableName),
      publisher: new EventBridgePublisher(targets.eventBridge, targets.busName),
    };
  };

  campaigns
    .command('resume')
    .description('resume a journey a guardrail paused (or, with --account, all marketing), with a note')
    .argument('[id]', 'the paused journey')
    .option('--account', 'lift the account brake instead of one journey')
    .requiredOption('--note <text>', 'why it is safe to send again (kept with the state and in Journey Resumed)')
    .action(async (id: string | undefined, options: ScopeOptions & { note: string }) => {
      const scope = scopeOf(id, options);
      if (!options.note.trim()) throw new CliError(EXIT.usage, '--note must say why it is safe to send again');
      const { store, publisher } = await storeOf();
      const result = await resumeSending(store, publisher, scope, {
        note: options.note.trim(),
        by: operator(),
        at: await context.now(),
      });
      if (!result.resumed) {
        throw new CliError(EXIT.notFound, `${describeState(scope, result.state)}; nothing to resume`, {
          resumed: false,
          state: result.state,
        });
      }
      context.out().result(
        { resumed: true, pauseId: result.pauseId, pausedAt: result.paused.pausedAt, why: result.paused.why },
        () => `resumed ${describeScope(scope)} (${result.pauseId}, paused at ${result.paused.pausedAt}: ${result.paused.why})`,
      );
    });

  campaigns
    .command('guardrail')
    .description("a journey's (or, with --account, the account's) guardrail state, what paused it, and its window now")
    .argument('[id]', 'the journey')
    .option('--account', 'the account brake')
    .action(async (id: string | undefined, options: ScopeOptions) => {
      const scope = scopeOf(id, options);
      const { store } = await storeOf();
      const { slots, state } = await store.read(scope);
      // The limits of this checkout's program, as `loyalty report` reads it (PROGRAM_FILE).
      const limits = loadProgram(process.env).guardrails[scope.kind];
      const window = windowFigures(slots, await context.now(), limits, state.baseline);
      context
        .out()
        .result({ ...state, window }, () => `${describeState(scope, state)}\n  ${describeWindow(window, limits)}`);
    });
}
