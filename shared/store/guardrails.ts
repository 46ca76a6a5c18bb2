// The guardrails' storage: per journey a ring of 24 hourly slots that each send, hard bounce and
// complaint adds to with one UpdateItem (O(1), whatever the volume), and the breaker state beside
// them, so one Query of the journey's partition reads both. The account keeps only its breaker
// state: every send is a journey's, so its window is the journeys' slots added up when it is read
// (after a bounce or complaint, or a resume), not a second write per email. Older tables still
// hold the account's own GUARDRAIL#ACCOUNT / HOUR# slots: nothing reads them any more.
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  ACCOUNT_SCOPE,
  accountHours,
  GUARDRAIL_HOURS,
  type GuardrailReason,
  type GuardrailScope,
  type HourCounts,
  hourOf,
  journeyScope,
  type WindowFigures,
} from '../domain/send-guardrails.ts';
import { writeIfCondition } from './dynamo.ts';
import { journeyIds } from './journeys.ts';
import { keys } from './keys.ts';
import { LOST_RACE, retryOnRace } from './race.ts';

export type GuardrailCounter = 'sends' | 'hardBounces' | 'complaints';

const slotItem = z.object({
  hour: z.number().int(),
  sends: z.number().int().default(0),
  hardBounces: z.number().int().default(0),
  complaints: z.number().int().default(0),
});

const figuresSchema = z.object({
  sends: z.number(),
  hardBounces: z.number(),
  complaints: z.number(),
  hardBounceRate: z.number(),
  complaintRate: z.number(),
  from: z.string(),
});

const stateItem = z.object({
  status: z.enum(['sending', 'paused']),
  version: z.number().int(),
  /** Counts the pauses of this scope: `<scope>#pause#<n>` identifies one pause in its events. */
  pauseSeq: z.number().int().default(0),
  pausedAt: z.string().optional(),
  reasons: z.array(z.enum(['hard-bounce-rate', 'complaint-rate'])).optional(),
  why: z.string().optional(),
  figures: figuresSchema.optional(),
  /** Account brake only: cap classes that keep sending while it is on (from the settings at pause time). */
  continueCapClasses: z.array(z.string()).optional(),
  /** False until `Journey Paused` was published for the current pause (record, then announce). */
  announced: z.boolean().optional(),
  resumedAt: z.string().optional(),
  resumedBy: z.string().optional(),
  note: z.string().optional(),
  /** The resume hour's counts at resume time: what the operator already saw does not count again. */
  baseline: slotItem.optional(),
});
export type GuardrailState = z.infer<typeof stateItem>;

export const SENDING: GuardrailState = { status: 'sending', version: 0, pauseSeq: 0 };

/** A scope's hourly counts (newest 24 hours at most) and its breaker state. */
export interface GuardrailReading {
  slots: HourCounts[];
  state: GuardrailState;
}

export class GuardrailStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds one to the journey's slot for the hour of `at`. The slot still holding an hour 24 hours
   * older is reset first (its counts left the window); an event older than the slot's hour is out
   * of every window and is not counted.
   */
  async count(journeyId: string, counter: GuardrailCounter, at: Date): Promise<void> {
    const hour = hourOf(at);
    const Key = { PK: keys.guardrailPk(journeyScope(journeyId)), SK: keys.guardrailSlotSk(hour, GUARDRAIL_HOURS) };
    return retryOnRace(`guardrail slot ${Key.PK} ${Key.SK} (${counter})`, async () => {
      const added = await writeIfCondition(
        this.doc,
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'ADD #c :one',
          ConditionExpression: '#h = :hour',
          ExpressionAttributeNames: { '#c': counter, '#h': 'hour' },
          ExpressionAttributeValues: { ':one': 1, ':hour': hour },
        }),
      );
      if (added) return;
      const fresh = { sends: 0, hardBounces: 0, complaints: 0, [counter]: 1 };
      const reset = await writeIfCondition(
        this.doc,
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #h = :hour, sends = :s, hardBounces = :b, complaints = :c',
          ConditionExpression: 'attribute_not_exists(#h) OR #h < :hour',
          ExpressionAttributeNames: { '#h': 'hour' },
          ExpressionAttributeValues: {
            ':hour': hour,
            ':s': fresh.sends,
            ':b': fresh.hardBounces,
            ':c': fresh.complaints,
          },
        }),
      );
      if (reset) return;
      // Neither: another writer reset the slot for this hour meanwhile (add again), or the slot
      // holds a newer hour and this event is outside every window.
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
      if (Item && Number(Item.hour) > hour) return;
      return LOST_RACE;
    }, 3);
  }

  /** The scope's slots and breaker state (for the account: see `readWithAccount`). */
  async read(scope: GuardrailScope): Promise<GuardrailReading> {
    return scope.kind === 'journey' ? this.#readJourney(scope.journeyId) : (await this.#readAccount()).account;
  }

  /**
   * A journey's reading and the account's, whose slots are every journey's added up: the
   * catalogue's keys list the journeys (and `journeyId` is counted even if it is not listed),
   * then one Query per journey partition, and a GetItem of the account's state.
   */
  async readWithAccount(journeyId: string): Promise<{ journey: GuardrailReading; account: GuardrailReading }> {
    const { journeys, account } = await this.#readAccount(journeyId);
    return { journey: journeys.get(journeyId) ?? { slots: [], state: SENDING }, account };
  }

  async #readAccount(
    alsoJourney?: string,
  ): Promise<{ journeys: Map<string, GuardrailReading>; account: GuardrailReading }> {
    const ids = new Set(await journeyIds(this.doc, this.tableName));
    if (alsoJourney) ids.add(alsoJourney);
    const [state, readings] = await Promise.all([
      this.state(ACCOUNT_SCOPE),
      Promise.all([...ids].map(async (id) => [id, await this.#readJourney(id)] as const)),
    ]);
    return {
      journeys: new Map(readings),
      account: { slots: accountHours(readings.map(([, reading]) => reading.slots)), state },
    };
  }

  /** A journey's slots and breaker state: one Query of its partition (at most 25 small items). */
  async #readJourney(journeyId: string): Promise<GuardrailReading> {
    const scope = journeyScope(journeyId);
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.guardrailPk(scope) },
        ConsistentRead: true,
      }),
    );
    let state = SENDING;
    const slots: HourCounts[] = [];
    for (const item of Items) {
      if (item.SK === keys.guardrailStateSk) state = parseState(scope, item);
      else slots.push(slotItem.parse(item));
    }
    return { slots, state };
  }

  /** The breaker state alone: what the sender checks. */
  async state(scope: GuardrailScope): Promise<GuardrailState> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.guardrailPk(scope), SK: keys.guardrailStateSk },
        ConsistentRead: true,
      }),
    );
    return Item ? parseState(scope, Item) : SENDING;
  }

  /** Pauses the scope if its state is still `from` (its version); undefined if someone else moved it. */
  async pause(
    scope: GuardrailScope,
    from: GuardrailState,
    pause: {
      at: Date;
      reasons: GuardrailReason[];
      why: string;
      figures: WindowFigures;
      continueCapClasses?: string[];
    },
  ): Promise<GuardrailState | undefined> {
    const next: GuardrailState = {
      status: 'paused',
      version: from.version + 1,
      pauseSeq: from.pauseSeq + 1,
      pausedAt: pause.at.toISOString(),
      reasons: pause.reasons,
      why: pause.why,
      figures: pause.figures,
      announced: false,
      ...(pause.continueCapClasses ? { continueCapClasses: pause.continueCapClasses } : {}),
      ...(from.baseline ? { baseline: from.baseline } : {}),
    };
    return (await this.replace(scope, from, next)) ? next : undefined;
  }

  /** Records that the current pause was announced (a later event then announces nothing). */
  async markAnnounced(scope: GuardrailScope, state: GuardrailState): Promise<boolean> {
    return this.replace(scope, state, { ...state, version: state.version + 1, announced: true });
  }

  /**
   * Resumes a paused scope; 'not-paused' if it was not (a repeated resume changes nothing). The
   * current hour's counts become the baseline, so the spike that tripped it does not trip it again.
   */
  async resume(
    scope: GuardrailScope,
    input: { at: Date; note: string; by: string },
  ): Promise<{ resumed: true; state: GuardrailState; paused: GuardrailState } | { resumed: false; state: GuardrailState }> {
    return retryOnRace(`guardrail ${keys.guardrailPk(scope)}`, async () => {
      const { slots, state } = await this.read(scope);
      if (state.status !== 'paused') return { resumed: false, state };
      const hour = hourOf(input.at);
      const slot = slots.find((s) => s.hour === hour) ?? { hour, sends: 0, hardBounces: 0, complaints: 0 };
      const next: GuardrailState = {
        status: 'sending',
        version: state.version + 1,
        pauseSeq: state.pauseSeq,
        resumedAt: input.at.toISOString(),
        resumedBy: input.by,
        note: input.note,
        baseline: slot,
      };
      if (await this.replace(scope, state, next)) return { resumed: true, state: next, paused: state };
      return LOST_RACE;
    }, 3);
  }

  /** Writes `next` as the whole state item if the stored one is still `from` (its version). */
  private replace(scope: GuardrailScope, from: GuardrailState, next: GuardrailState): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: keys.guardrailPk(scope), SK: keys.guardrailStateSk, ...next },
        ...(from.version === 0
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#v = :from',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':from': from.version },
            }),
      }),
    );
  }
}

function parseState(scope: GuardrailScope, item: Record<string, unknown>): GuardrailState {
  const parsed = stateItem.safeParse(item);
  if (!parsed.success) {
    throw new Error(`guardrail state of ${keys.guardrailPk(scope)} is not readable: ${parsed.error.message}`);
  }
  return parsed.data;
}
