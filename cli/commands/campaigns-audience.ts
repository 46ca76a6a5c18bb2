// `loyalty campaigns audience <id>`: who would enter, without a Scan. Date triggers (birthday,
// anniversary, signup, inactivity): the customers whose occasion of the journey falls on the day,
// read from the due index (only the hour buckets the due directory marks, from today to the day:
// a customer's triggers share one timer at the earliest), each checked as the engine enters:
// the global control group, `where`, then the holdout draw. Event triggers: an estimate from the weekly population counts.
import type { Command } from 'commander';
import { type AudienceEstimate, estimateAudience } from '#shared/domain/audience-estimate.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import {
  type ControlGroupSettings,
  heldOutOfJourney,
  keepsGroupOut,
} from '#shared/domain/global-control-group.ts';
import { isEntryHeldOut } from '#shared/domain/holdout.ts';
import { type Journey, journeyCapClasses } from '#shared/domain/journey.ts';
import { evaluateCondition } from '#shared/domain/journey-conditions.ts';
import { journeysOf } from '#shared/domain/timers.ts';
import { customerFactsReader } from '#shared/journeys/customer-facts.ts';
import { keys } from '#shared/store/keys.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { TimerStore } from '#shared/store/timers.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { journeyFrom, type SourceOptions, sourceOptions } from './journey-source.ts';

interface DayAudience {
  journey: string;
  from: string;
  trigger: string;
  day: string;
  /** Exact for the timers armed now; a later purchase or profile change can still move them. */
  estimate: boolean;
  due: number;
  /** Members of the global control group (program.yaml controlGroup): they never enter. */
  controlGroup: number;
  inAudience: number;
  heldOut: number;
  toSend: number;
  notInAudience: Record<string, number>;
  queries: number;
  sample: { customerId: string; dueAt: string; status: string }[];
}

interface EventAudience extends AudienceEstimate {
  journey: string;
  from: string;
  trigger: string;
  estimate: true;
  asOf: string | null;
  /** Of `count`, about how many the global control group keeps out. */
  controlGroup: number;
  heldOut: number;
  toSend: number;
}

/** Due-index reads in flight at once. */
const READS_AT_ONCE = 25;

async function inChunks<T>(items: readonly T[], read: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += READS_AT_ONCE)
    await Promise.all(items.slice(i, i + READS_AT_ONCE).map(read));
}

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
function daysFrom(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS)
    days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

async function dayAudience(
  context: CommandContext,
  journey: Journey,
  from: string,
  options: { on: string; sample: number; now: Date; controlGroup: ControlGroupSettings },
): Promise<DayAudience> {
  const targets = await context.targets();
  const timers = new TimerStore(targets.doc, targets.tableName);
  const factsOf = customerFactsReader({
    doc: targets.doc,
    tableName: targets.tableName,
    clock: { now: () => options.now },
  });
  // A customer's date triggers share one timer, on the due index at their EARLIEST occasion: the
  // day's occasions of this journey sit in that day's buckets or in any day's before it, back to
  // today (an occasion fired re-arms the timer at the next one).
  const today = options.now.toISOString().slice(0, 10);
  let queries = 0;
  const due: { customerId: string; dueAt: string; entryId: string }[] = [];
  const onTheDay = (at: string | null) => at !== null && at.slice(0, 10) === options.on;
  // A date months ahead spans hundreds of days' directories and buckets: READS_AT_ONCE at a time.
  const buckets: { hour: Date; shard: number }[] = [];
  await inChunks(daysFrom(options.on < today ? options.on : today, options.on), async (day) => {
    buckets.push(...(await timers.markedBuckets(day, '00', '23')));
    queries++;
  });
  await inChunks(buckets, async ({ hour, shard }) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await timers.dueBucketPage(keys.dueBucket(hour, shard), startKey, 500);
      queries++;
      for (const timer of page.timers) {
        const occasion = journeysOf(timer)[journey.id];
        if (occasion?.entryId && occasion.dueAt && onTheDay(occasion.dueAt))
          due.push({ customerId: timer.customerId, dueAt: occasion.dueAt, entryId: occasion.entryId });
      }
      for (const legacy of page.legacyTriggers) {
        const { entryId, dueAt } = legacy.occasion;
        if (legacy.journeyId === journey.id && entryId && dueAt && onTheDay(dueAt))
          due.push({ customerId: legacy.customerId, dueAt, entryId });
      }
      startKey = page.nextKey;
    } while (startKey);
  });
  due.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.customerId.localeCompare(b.customerId));
  const result: DayAudience = {
    journey: journey.id,
    from,
    trigger: journey.trigger.on,
    day: options.on,
    estimate: options.on > options.now.toISOString().slice(0, 10),
    due: due.length,
    controlGroup: 0,
    inAudience: 0,
    heldOut: 0,
    toSend: 0,
    notInAudience: {},
    queries,
    sample: [],
  };
  const { where } = journey.trigger;
  const capClasses = journeyCapClasses(journey);
  for (const entry of due) {
    // As the engine decides: the global control group first, then `where`, then the holdout.
    if (heldOutOfJourney(entry.customerId, capClasses, options.controlGroup)) {
      result.controlGroup++;
      if (result.sample.length < options.sample)
        result.sample.push({
          customerId: entry.customerId,
          dueAt: entry.dueAt,
          status: 'global control group',
        });
      continue;
    }
    const facts = where ? await factsOf(entry.customerId) : undefined;
    const verdict = !where
      ? { holds: true, reason: '' }
      : facts
        ? evaluateCondition(where, facts.condition)
        : { holds: false, reason: 'unknown customer' };
    let status = 'enters';
    if (!verdict.holds) {
      result.notInAudience[verdict.reason] = (result.notInAudience[verdict.reason] ?? 0) + 1;
      status = `not in audience: ${verdict.reason}`;
    } else {
      result.inAudience++;
      if (isEntryHeldOut(journey.id, entry.entryId, entry.customerId, journey.holdoutPercent)) {
        result.heldOut++;
        status = 'held out';
      } else result.toSend++;
    }
    if (result.sample.length < options.sample)
      result.sample.push({ customerId: entry.customerId, dueAt: entry.dueAt, status });
  }
  return result;
}

async function eventAudience(
  context: CommandContext,
  journey: Journey,
  from: string,
  controlGroupSettings: ControlGroupSettings,
): Promise<EventAudience> {
  if (journey.trigger.on !== 'event') throw new Error('event audience of a date trigger');
  const targets = await context.targets();
  const thresholds = await new SegmentStore(targets.doc, targets.tableName).thresholds();
  if (!thresholds?.population)
    throw new CliError(
      EXIT.notFound,
      `no weekly population counts yet: the segment-thresholds job computes them (its first run is within a week of deploy)`,
    );
  const estimate = estimateAudience(journey.trigger.where, {
    customers: thresholds.customers,
    ...thresholds.population,
  });
  const keptOut = keepsGroupOut(journeyCapClasses(journey), controlGroupSettings)
    ? controlGroupSettings.percent
    : 0;
  const controlGroup = Math.round((estimate.count * keptOut) / 100);
  const heldOut = Math.round(((estimate.count - controlGroup) * journey.holdoutPercent) / 100);
  return {
    journey: journey.id,
    from,
    trigger: `event ${journey.trigger.event}`,
    estimate: true,
    asOf: thresholds.computedAt,
    ...estimate,
    controlGroup,
    heldOut,
    toSend: estimate.count - controlGroup - heldOut,
  };
}

function dayText(a: DayAudience): string {
  return [
    `${a.journey} on ${a.day} (${a.trigger}, ${a.from}): ${a.due} due, ${a.controlGroup} in the global control group, ${a.inAudience} in audience, ${a.heldOut} held out, ${a.toSend} to enter and be sent`,
    ...Object.entries(a.notInAudience).map(([because, count]) => `  ${count} not in audience: ${because}`),
    `  (${a.queries} due-index queries, no scan${a.estimate ? '; an estimate: purchases and profile changes before then can still move these timers' : ''})`,
    ...a.sample.map((entry) => `  ${entry.dueAt}  ${entry.customerId}  ${entry.status}`),
  ].join('\n');
}

function eventText(a: EventAudience): string {
  return [
    `${a.journey} (${a.trigger}, ${a.from}): about ${a.count} customer(s) match the entry condition now; of them about ${a.controlGroup} are in the global control group and ${a.heldOut} would be held out, ${a.toSend} sent`,
    `  an estimate from the weekly population counts of ${a.asOf ?? '?'} (no profile read)`,
    ...a.counted.map((part) => `  ${part.part}: ${(part.share * 100).toFixed(1)}% of customers`),
    ...(a.notCounted.length
      ? [`  not counted (the estimate is an upper bound for them): ${a.notCounted.join(', ')}`]
      : []),
    `  each enters only when the event happens to them`,
  ].join('\n');
}

export function registerAudience(campaigns: Command, context: CommandContext): void {
  sourceOptions(
    campaigns
      .command('audience')
      .description(
        'who would enter: on a day for date triggers (due index, no scan); now for event triggers (estimate)',
      )
      .argument('<journey>'),
  )
    .option(
      '--on <date>',
      'day for date triggers (YYYY-MM-DD, UTC; default: today on the local runtime’s clock)',
    )
    .option('--sample <n>', 'how many customer ids to show', (value) => Number(value), 10)
    .action(async (id: string, options: SourceOptions & { on?: string; sample: number }) => {
      const now = await context.now();
      const on = options.on ?? now.toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(on) || Number.isNaN(Date.parse(`${on}T00:00:00Z`)))
        throw new CliError(EXIT.usage, `--on: ${on} is not a date (YYYY-MM-DD)`);
      const { journey, from } = await journeyFrom(context, id, options);
      const { controlGroup } = loadProgram(process.env);
      if (journey.trigger.on === 'event') {
        const audience = await eventAudience(context, journey, from, controlGroup);
        context.out().result(audience, eventText);
      } else {
        const audience = await dayAudience(context, journey, from, {
          on,
          sample: options.sample,
          now,
          controlGroup,
        });
        context.out().result(audience, dayText);
      }
    });
}
