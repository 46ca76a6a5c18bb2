// DynamoDB adapter for journey runs: one state item per (customer, journey) on the customer's
// partition, written only from the version it was read at, and on the due index while a wait is
// pending (so the ONE scheduler wakes it); plus one outcome item per send step of an entry.
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { END } from '../domain/journey.ts';
import {
  type JourneySendOutcome,
  type JourneyState,
  journeySendOutcomeSchema,
  journeyStateSchema,
} from '../domain/journey-state.ts';
import { ARMING_LEAD_MS, needsNudge } from '../domain/timers.ts';
import { isConditionFailure, queryAll, versionCondition, writeIfCondition } from './dynamo.ts';
import { JourneyStepCounts } from './journey-step-counts.ts';
import { dueShard, INDEXES, keys, TTL_ATTRIBUTE } from './keys.ts';
import { JOURNEY_STEP_KIND, type TimerStore } from './timers.ts';

/** The step a stored run stands at, for the step counters (none once it left). */
const standingAt = (item: Record<string, unknown> | undefined): string | undefined =>
  item?.status === 'active' && typeof item.currentStep === 'string' && item.currentStep !== END ? item.currentStep : undefined;

export class JourneyStateStore {
  readonly #counts: JourneyStepCounts;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** For the due directory and the scheduler nudge (the one timer mechanism). */
    private readonly timers: Pick<TimerStore, 'markBucket' | 'nudge'>,
  ) {
    this.#counts = new JourneyStepCounts(doc, tableName);
  }

  async get(customerId: string, journeyId: string): Promise<JourneyState | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.journeyState(customerId, journeyId),
        ConsistentRead: true,
      }),
    );
    return Item ? journeyStateSchema.parse(Item) : undefined;
  }

  /**
   * Writes `next` (its stateVersion is set to expectedVersion + 1) if the stored item is still at
   * `expectedVersion` (0 = must not exist). A pending wait puts the item on the due index.
   * Returns the written state, or undefined on a lost race.
   */
  async save(next: JourneyState, expectedVersion: number, now: Date): Promise<JourneyState | undefined> {
    const state: JourneyState = { ...next, stateVersion: expectedVersion + 1 };
    const item: Record<string, unknown> = {
      ...keys.journeyState(state.customerId, state.journeyId),
      type: 'journey-state',
      kind: JOURNEY_STEP_KIND,
      ...state,
    };
    const dueAt = state.status === 'active' && state.nextDueAt ? new Date(state.nextDueAt) : undefined;
    if (dueAt) {
      // Directory first: an item is never in a bucket the directory does not list.
      await this.timers.markBucket(dueAt, dueShard(state.customerId));
      item[INDEXES.due.partitionKey] = keys.dueBucket(dueAt, dueShard(state.customerId));
      item[INDEXES.due.sortKey] = keys.dueSort(
        dueAt,
        state.customerId,
        `${JOURNEY_STEP_KIND}#${state.journeyId}`,
      );
    }
    let previous: Record<string, unknown> | undefined;
    try {
      // The replaced item tells which step the customer left, for the step counters.
      const written = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...versionCondition('stateVersion', expectedVersion, 'PK'),
          ReturnValues: 'ALL_OLD',
        }),
      );
      previous = written.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    // Only the writer of a transition counts it, so a redelivery counts nothing; a crash right
    // here leaves the counters one move short (they are a dashboard, the state item is the truth).
    await this.#counts.move(state.journeyId, standingAt(previous), standingAt(item), now);
    // A wait (or a retry) asks the scheduler to look in time; a step in progress is finished by its
    // own function, and its due-now marker only catches a run that died (seen at the next check).
    const marker = dueAt !== undefined && dueAt.getTime() <= now.getTime() + ARMING_LEAD_MS;
    if (dueAt && !marker && needsNudge(dueAt, now)) await this.timers.nudge(dueAt);
    return state;
  }

  /**
   * Records what became of a send step; an outcome already `sent` is never overwritten. Each write
   * sets `expiresAt` (epoch seconds, the email history's retention after the write) anew.
   */
  async recordSendOutcome(outcome: JourneySendOutcome, expiresAt: number): Promise<boolean> {
    const parsed = journeySendOutcomeSchema.parse(outcome);
    return writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.journeySendOutcome(parsed.customerId, parsed.journeyId, parsed.entryId, parsed.stepId),
          type: 'journey-send',
          ...parsed,
          [TTL_ATTRIBUTE]: expiresAt,
        },
        // "enqueued" is only the first word; the sender's later outcomes replace it, "sent" is final.
        ConditionExpression:
          parsed.outcome === 'enqueued'
            ? 'attribute_not_exists(PK)'
            : 'attribute_not_exists(PK) OR outcome <> :sent',
        ...(parsed.outcome === 'enqueued' ? {} : { ExpressionAttributeValues: { ':sent': 'sent' } }),
      }),
    );
  }

  /**
   * Notes that `orderId` is attributed to this sent email: 'first' (the send's first purchase),
   * 'more' (another purchase) or 'seen' (this order was attributed already: a redelivery).
   */
  async attributeOrder(send: JourneySendOutcome, orderId: string): Promise<'first' | 'more' | 'seen'> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.journeySendOutcome(send.customerId, send.journeyId, send.entryId, send.stepId),
          UpdateExpression: 'ADD attributedOrders :order',
          ConditionExpression: 'outcome = :sent AND NOT contains(attributedOrders, :id)',
          ExpressionAttributeValues: { ':order': new Set([orderId]), ':sent': 'sent', ':id': orderId },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Attributes?.attributedOrders ? 'more' : 'first';
    } catch (error) {
      if (isConditionFailure(error)) return 'seen';
      throw error;
    }
  }

  /** A customer's state and send outcomes in one journey (or all journeys): one Query. */
  async story(
    customerId: string,
    journeyId?: string,
  ): Promise<{ states: JourneyState[]; sends: JourneySendOutcome[] }> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': keys.customerPk(customerId),
        ':prefix': keys.journeyItemsPrefix(journeyId),
      },
      ConsistentRead: true,
    });
    return {
      states: items
        .filter((item) => item.type === 'journey-state')
        .map((item) => journeyStateSchema.parse(item)),
      sends: items
        .filter((item) => item.type === 'journey-send')
        .map((item) => journeySendOutcomeSchema.parse(item)),
    };
  }
}
