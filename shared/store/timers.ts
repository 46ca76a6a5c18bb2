// DynamoDB adapter for due-timers and the scheduler's state item. A timer is one
// item per (customer, kind); while armed it carries the sparse "due" index keys (hour bucket,
// sharded by customer), and every change is conditional on its version.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  hourLabel,
  hourStart,
  journeysOf,
  type JourneyOccasionTimer,
  type Timer,
  type TimerData,
  type TimerRef,
} from '../domain/timers.ts';
import { isConditionFailure, queryAll, versionCondition, writeIfCondition } from './dynamo.ts';
import { dueShard, INDEXES, keys } from './keys.ts';

/** The due-index kind of a waiting journey run (the state item carries it). */
export const JOURNEY_STEP_KIND = 'journey-step';

const occasionTimer = z.object({ entryId: z.string().nullable(), dueAt: z.string().nullable(), entered: z.array(z.string()) });

const storedTimer = z.object({
  customerId: z.string(),
  version: z.number(),
  dueAt: z.string().optional(),
  data: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('tier-review'), heldUntil: z.string().nullable() }),
    z.object({ kind: z.literal('lifecycle'), at: z.string().nullable() }),
    z.object({
      kind: z.literal('journey-triggers'),
      journeys: z.record(z.string(), occasionTimer),
      lifecycle: z.string().nullable().optional(),
    }),
  ]),
});

/** The kind of a date trigger stored one item per journey (keys.legacyJourneyTrigger), before JOURNEY#TRIGGERS. */
const LEGACY_TRIGGER_KIND = 'journey-trigger';

const storedLegacyTrigger = z.object({
  customerId: z.string(),
  version: z.number(),
  dueAt: z.string().optional(),
  data: z.object({
    kind: z.literal(LEGACY_TRIGGER_KIND),
    journeyId: z.string(),
    entryId: z.string().nullable(),
    entered: z.array(z.string()),
  }),
});

/** One journey's date trigger in its own item (a table written before JOURNEY#TRIGGERS), to fold in. */
export interface LegacyJourneyTrigger {
  customerId: string;
  journeyId: string;
  version: number;
  occasion: JourneyOccasionTimer;
}

export function isLegacyTrigger(item: Record<string, unknown>): boolean {
  return item.kind === LEGACY_TRIGGER_KIND;
}

export function toLegacyTrigger(item: Record<string, unknown>): LegacyJourneyTrigger {
  const { customerId, version, dueAt, data } = storedLegacyTrigger.parse(item);
  return {
    customerId,
    journeyId: data.journeyId,
    version,
    occasion: { entryId: data.entryId, dueAt: dueAt ?? null, entered: data.entered },
  };
}

/**
 * Timer kinds of the pre-journey campaign engine (birthday, win-back), now journey date triggers.
 * A table deployed before the upgrade may still hold them armed: the scheduler takes them off the
 * due index instead of failing on them.
 */
const RETIRED_TIMER_KINDS: readonly string[] = ['birthday', 'win-back'];

/** An armed timer of a retired kind, to be deleted. */
export interface RetiredTimer {
  customerId: string;
  kind: string;
}

export function toTimer(item: Record<string, unknown>): Timer {
  const parsed = storedTimer.parse(item);
  return { customerId: parsed.customerId, version: parsed.version, dueAt: parsed.dueAt, data: parsed.data };
}

const schedulerItem = z.object({
  watermark: z.string().optional(),
  nextCheckAt: z.string().optional(),
  nudgeAt: z.string().optional(),
  leaseUntil: z.string().optional(),
  runId: z.string().optional(),
});
export type StoredSchedulerState = z.infer<typeof schedulerItem>;

/** A waiting journey run on the due index (its state item; see store/journey-states.ts). */
export interface DueJourneyRun {
  customerId: string;
  journeyId: string;
  dueAt: string;
}

export interface DuePage {
  timers: Timer[];
  journeyRuns: DueJourneyRun[];
  retired: RetiredTimer[];
  legacyTriggers: LegacyJourneyTrigger[];
  nextKey: Record<string, unknown> | undefined;
}

const dueJourneyRun = z.object({ customerId: z.string(), journeyId: z.string(), nextDueAt: z.string() });

/** A timer's item key: TIMER#<kind>, or the customer's JOURNEY#TRIGGERS (date triggers, lifecycle change). */
export function timerKey(customerId: string, ref: TimerRef) {
  return ref.kind === 'journey-triggers' ? keys.journeyTriggers(customerId) : keys.timer(customerId, ref.kind);
}

/** The stored shape of a timer; armed timers carry the due-index keys, disarmed ones do not. */
export function timerItem(
  customerId: string,
  data: TimerData,
  dueAt: Date | undefined,
  version: number,
): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...timerKey(customerId, data),
    type: 'timer',
    customerId,
    kind: data.kind,
    version,
    data,
  };
  if (dueAt) {
    item.dueAt = dueAt.toISOString();
    item[INDEXES.due.partitionKey] = keys.dueBucket(dueAt, dueShard(customerId));
    item[INDEXES.due.sortKey] = keys.dueSort(dueAt, customerId, data.kind);
  }
  return item;
}

export class TimerStore {
  #schedulerStartMarked = false;
  #schedulerStateWrites = 0;

  /**
   * Write requests this store has made to the scheduler state item (successful or not): a run's
   * own writes, told apart from anyone else's by the local runtime that watches the item.
   */
  get schedulerStateWrites(): number {
    return this.#schedulerStateWrites;
  }

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(customerId: string, ref: TimerRef): Promise<Timer | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: timerKey(customerId, ref), ConsistentRead: true }),
    );
    return Item ? toTimer(Item) : undefined;
  }

  /**
   * One journey's next date-trigger occasion for a customer (explain): from their JOURNEY#TRIGGERS,
   * else from the journey's own item in a table written before it.
   */
  async journeyOccasion(customerId: string, journeyId: string): Promise<JourneyOccasionTimer | undefined> {
    const occasion = journeysOf(await this.get(customerId, { kind: 'journey-triggers' }))[journeyId];
    if (occasion) return occasion;
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.legacyJourneyTrigger(customerId, journeyId), ConsistentRead: true }),
    );
    return Item ? toLegacyTrigger(Item).occasion : undefined;
  }

  /**
   * Writes the timer's next state if it is still at `expectedVersion` (0 = must not exist);
   * armed timers carry the due-index keys, disarmed ones drop them. False on a lost race.
   */
  async save(
    customerId: string,
    data: TimerData,
    dueAt: Date | undefined,
    expectedVersion: number,
  ): Promise<boolean> {
    // Directory first: a timer is never in a bucket the directory does not list.
    if (dueAt) await this.markBucket(dueAt, dueShard(customerId));
    const item = timerItem(customerId, data, dueAt, expectedVersion + 1);
    return writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ...versionCondition('version', expectedVersion, 'PK'),
      }),
    );
  }

  /** Buckets this instance has listed: directory entries are never removed, so once is enough. */
  readonly #marked = new Set<string>();

  /** Lists a due bucket in the directory (idempotent; entries may outlive their timers). */
  async markBucket(dueAt: Date, shard: number): Promise<void> {
    const key = keys.dueBucket(dueAt, shard);
    if (this.#marked.has(key)) return;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.dueDirectory(dueAt, shard), type: 'due-directory' },
      }),
    );
    this.#marked.add(key);
  }

  /** The (hour, shard) buckets listed for one day between two hours (inclusive, "00".."23"). */
  async markedBuckets(
    day: string,
    fromHour: string,
    toHour: string,
  ): Promise<{ hour: Date; shard: number }[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.dueDirectoryDay(day),
        ':from': `${fromHour}#`,
        ':to': `${toHour}#~`,
      },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const [hour, shard] = String(item.SK).split('#');
      return { hour: new Date(`${day}T${hour}:00:00.000Z`), shard: Number(shard) };
    });
  }

  /** Claims a due timer for firing: moves its version on, so a concurrent arm or run loses. */
  async claim(timer: Timer, now: Date): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: timerKey(timer.customerId, timer.data),
        UpdateExpression: 'SET version = :next, firedAt = :now',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: {
          ':v': timer.version,
          ':next': timer.version + 1,
          ':now': now.toISOString(),
        },
      }),
    );
  }

  /** One page of an hour bucket of the due index, earliest first. */
  async dueBucketPage(
    bucket: string,
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ): Promise<DuePage> {
    const page: QueryCommandOutput = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEXES.due.name,
        KeyConditionExpression: '#pk = :bucket',
        ExpressionAttributeNames: { '#pk': INDEXES.due.partitionKey },
        ExpressionAttributeValues: { ':bucket': bucket },
        ExclusiveStartKey: startKey,
        Limit: limit,
      }),
    );
    const items = page.Items ?? [];
    // The one due index holds timers and waiting journey runs; each goes to its own runner.
    const retired = (item: Record<string, unknown>) => RETIRED_TIMER_KINDS.includes(String(item.kind));
    const otherKind = (item: Record<string, unknown>) =>
      item.kind === JOURNEY_STEP_KIND || retired(item) || isLegacyTrigger(item);
    return {
      timers: items.filter((item) => !otherKind(item)).map(toTimer),
      legacyTriggers: items.filter(isLegacyTrigger).map(toLegacyTrigger),
      retired: items
        .filter(retired)
        .map((item) => ({ customerId: String(item.customerId), kind: String(item.kind) })),
      journeyRuns: items
        .filter((item) => item.kind === JOURNEY_STEP_KIND)
        .map((item) => dueJourneyRun.parse(item))
        .map((run) => ({ customerId: run.customerId, journeyId: run.journeyId, dueAt: run.nextDueAt })),
      nextKey: page.LastEvaluatedKey,
    };
  }

  /** Deletes a journey's own trigger item once folded into JOURNEY#TRIGGERS (unless it moved meanwhile). */
  async deleteLegacyTrigger(legacy: LegacyJourneyTrigger): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.legacyJourneyTrigger(legacy.customerId, legacy.journeyId),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': legacy.version },
      }),
    );
  }

  /** Moves a journey's own trigger item whose fold failed to a later bucket (retried then). */
  async postponeLegacyTrigger(legacy: LegacyJourneyTrigger, until: Date): Promise<boolean> {
    await this.markBucket(until, dueShard(legacy.customerId));
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.legacyJourneyTrigger(legacy.customerId, legacy.journeyId),
        UpdateExpression: 'SET dueAt = :at, #pk = :pk, #sk = :sk, version = :next',
        ConditionExpression: 'version = :v',
        ExpressionAttributeNames: { '#pk': INDEXES.due.partitionKey, '#sk': INDEXES.due.sortKey },
        ExpressionAttributeValues: {
          ':at': until.toISOString(),
          ':pk': keys.dueBucket(until, dueShard(legacy.customerId)),
          ':sk': keys.dueSort(until, legacy.customerId, `${LEGACY_TRIGGER_KIND}#${legacy.journeyId}`),
          ':v': legacy.version,
          ':next': legacy.version + 1,
        },
      }),
    );
  }

  /** Deletes a timer of a retired kind (its item key is TIMER#<kind>). */
  async retire(timer: RetiredTimer): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.timer(timer.customerId, timer.kind) }),
    );
  }

  async schedulerState(): Promise<StoredSchedulerState> {
    // Eventually consistent: a stale read only delays a run by one tick; the lease is the guard.
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.schedulerState() }),
    );
    return Item ? schedulerItem.parse(Item) : {};
  }

  /** Takes the run lease so overlapping scheduler invocations do not both work. */
  async acquireRun(runId: string, now: Date, leaseMs: number): Promise<boolean> {
    this.#schedulerStateWrites++;
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.schedulerState(),
        UpdateExpression: 'SET leaseUntil = :until, runId = :run',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil <= :now',
        ExpressionAttributeValues: {
          ':until': new Date(now.getTime() + leaseMs).toISOString(),
          ':run': runId,
          ':now': now.toISOString(),
        },
      }),
    );
  }

  /**
   * Records the run's progress and frees the lease. The nudge is cleared only if no arm nudged
   * for a time after this run started (that timer may not have been visible to it).
   */
  async releaseRun(
    runId: string,
    progress: { watermark: string; nextCheckAt: string },
    runStartedAt: Date,
  ): Promise<StoredSchedulerState | undefined> {
    const base = {
      TableName: this.tableName,
      Key: keys.schedulerState(),
      ExpressionAttributeValues: {
        ':run': runId,
        ':w': progress.watermark,
        ':next': progress.nextCheckAt,
      } as Record<string, unknown>,
    };
    // The state as this run leaves it (with any nudge that arrived meanwhile): what it plans next.
    const left = (attributes: Record<string, unknown> | undefined) =>
      attributes ? schedulerItem.parse(attributes) : undefined;
    try {
      this.#schedulerStateWrites++;
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          ...base,
          UpdateExpression: 'SET watermark = :w, nextCheckAt = :next REMOVE leaseUntil, runId, nudgeAt',
          ConditionExpression: 'runId = :run AND (attribute_not_exists(nudgeAt) OR nudgeAt <= :started)',
          ExpressionAttributeValues: {
            ...base.ExpressionAttributeValues,
            ':started': runStartedAt.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return left(Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      try {
        this.#schedulerStateWrites++;
        const { Attributes } = await this.doc.send(
          new UpdateCommand({
            ...base,
            UpdateExpression: 'SET watermark = :w, nextCheckAt = :next REMOVE leaseUntil, runId',
            ConditionExpression: 'runId = :run',
            ReturnValues: 'ALL_NEW',
          }),
        );
        return left(Attributes);
      } catch (lost) {
        // Our lease expired and another run took over: its progress stands.
        if (!isConditionFailure(lost)) throw lost;
        return undefined;
      }
    }
  }

  /**
   * Tells a scheduler that has never run where its first run starts: just before the first arm
   * (nothing can be due earlier: armed due times are never in the past). Without it a first
   * run long after the arms — a scheduler deployed or repaired late — would look back only
   * `initialLookbackHours` and leave older buckets unfired and unre-armed forever. One write per
   * store instance (a cold start); a set watermark is never moved by it.
   */
  async markSchedulerStart(now: Date): Promise<void> {
    if (this.#schedulerStartMarked) return;
    this.#schedulerStateWrites++;
    await writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.schedulerState(),
        UpdateExpression: 'SET watermark = :w',
        ConditionExpression: 'attribute_not_exists(watermark)',
        // Two hours back: another arming process's clock may run a little behind ours.
        ExpressionAttributeValues: { ':w': hourLabel(new Date(hourStart(now).getTime() - 2 * 3_600_000)) },
      }),
    );
    this.#schedulerStartMarked = true;
  }

  /** Asks the scheduler to look again by `dueAt` (a timer armed close to now). */
  async nudge(dueAt: Date): Promise<void> {
    this.#schedulerStateWrites++;
    // An earlier nudge is already waiting: it covers this one.
    await writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.schedulerState(),
        UpdateExpression: 'SET nudgeAt = :at',
        ConditionExpression: 'attribute_not_exists(nudgeAt) OR nudgeAt > :at',
        ExpressionAttributeValues: { ':at': dueAt.toISOString() },
      }),
    );
  }
}
