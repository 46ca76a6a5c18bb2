// The send ledger and the frequency-cap item. A ledger entry is claimed ("pending", with an
// attempt id and a lease) by a conditional write BEFORE the SES call and completed ("sent", with
// the SES message id) after it, so no (customer, campaign, period) is ever mailed twice.
// Every entry carries `expiresAt` (the email history's retention, shared/domain/email-history.ts):
// no request or SES event for a key can come after it, since each delivery of a request reads the
// entry first and the next delivery comes within a deferral's wait plus a message's lifetime.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RecentSends } from '../domain/frequency-cap.ts';
import { isConditionFailure, putOnce, versionCondition, writeIfCondition } from './dynamo.ts';
import { keys, TTL_ATTRIBUTE } from './keys.ts';

export interface LedgerRef {
  customerId: string;
  campaignId: string;
  period: string;
}

export type LedgerEntry =
  | { status: 'pending'; attemptId: string; claimedAt: string; leaseUntil: string }
  | {
      status: 'sent';
      attemptId: string;
      messageId: string;
      sentAt: string;
      /** A journey send's step and split variant (claim details). */
      step?: string | undefined;
      variant?: string | undefined;
    }
  | { status: 'skipped'; reason: string; at: string };

/** A stable text form of a ledger reference (frequency-cap slots, logs). */
export function ledgerRefText(ref: LedgerRef): string {
  return [ref.customerId, ref.campaignId, ref.period].map(encodeURIComponent).join('/');
}

export class SendLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(ref: LedgerRef) {
    return keys.sendLedger(ref.customerId, ref.campaignId, ref.period);
  }

  /** Consistent by default; an eventually consistent read costs half (for a caller that can be stale). */
  async get(ref: LedgerRef, { consistent = true } = {}): Promise<LedgerEntry | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(ref), ConsistentRead: consistent }),
    );
    if (!Item) return undefined;
    if (Item.status === 'sent') {
      return {
        status: 'sent',
        attemptId: String(Item.attemptId),
        messageId: String(Item.messageId),
        sentAt: String(Item.sentAt),
        ...(typeof Item.step === 'string' ? { step: Item.step } : {}),
        ...(typeof Item.variant === 'string' ? { variant: Item.variant } : {}),
      };
    }
    if (Item.status === 'pending') {
      return {
        status: 'pending',
        attemptId: String(Item.attemptId),
        claimedAt: String(Item.claimedAt),
        leaseUntil: String(Item.leaseUntil),
      };
    }
    return { status: 'skipped', reason: String(Item.reason), at: String(Item.at) };
  }

  /**
   * Claims the entry for `attemptId`: creates it, or takes over a pending claim whose attempt is
   * `takeOverFrom` (a lease that ran out with no sign SES accepted it). False if someone else holds it.
   */
  async claim(
    ref: LedgerRef,
    claim: {
      attemptId: string;
      now: Date;
      leaseUntil: Date;
      takeOverFrom?: string;
      details: Record<string, string>;
      /** When the entry may go (epoch seconds): the email history's retention after `now`. */
      expiresAt: number;
    },
  ): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.key(ref),
          type: 'send',
          ...claim.details,
          customerId: ref.customerId,
          campaignId: ref.campaignId,
          period: ref.period,
          status: 'pending',
          attemptId: claim.attemptId,
          claimedAt: claim.now.toISOString(),
          leaseUntil: claim.leaseUntil.toISOString(),
          [TTL_ATTRIBUTE]: claim.expiresAt,
        },
        ConditionExpression: claim.takeOverFrom
          ? '#s = :pending AND attemptId = :previous'
          : 'attribute_not_exists(PK)',
        ExpressionAttributeNames: claim.takeOverFrom ? { '#s': 'status' } : undefined,
        ExpressionAttributeValues: claim.takeOverFrom
          ? { ':pending': 'pending', ':previous': claim.takeOverFrom }
          : undefined,
      }),
    );
  }

  /**
   * Marks the attempt sent and returns the entry's details (template, step, locale); undefined if
   * the entry is no longer this attempt's pending claim (already completed, taken over).
   */
  async complete(
    ref: LedgerRef,
    attemptId: string,
    messageId: string,
    sentAt: Date,
  ): Promise<Record<string, string> | undefined> {
    try {
      const { Attributes = {} } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ref),
          UpdateExpression: 'SET #s = :sent, messageId = :m, sentAt = :at REMOVE leaseUntil',
          ConditionExpression: '#s = :pending AND attemptId = :a',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':pending': 'pending',
            ':m': messageId,
            ':at': sentAt.toISOString(),
            ':a': attemptId,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Object.fromEntries(
        Object.entries(Attributes).filter(([, value]) => typeof value === 'string'),
      ) as Record<string, string>;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Gives a claim back when SES certainly did not accept the email (throttled, rejected). */
  async release(ref: LedgerRef, attemptId: string): Promise<void> {
    await writeIfCondition(
      this.doc,
      new DeleteCommand({
        TableName: this.tableName,
        Key: this.key(ref),
        ConditionExpression: '#s = :pending AND attemptId = :a',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':a': attemptId },
      }),
    );
  }

  /** Records that this period was decided not to be sent (no consent, suppressed ...), once; kept until `expiresAt`. */
  async skip(ref: LedgerRef, reason: string, at: Date, expiresAt: number): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...this.key(ref),
      type: 'send',
      ...ref,
      status: 'skipped',
      reason,
      at: at.toISOString(),
      [TTL_ATTRIBUTE]: expiresAt,
    });
  }
}

/** The per-customer frequency-cap item: recent sends by ledger reference, with a version. */
export class SendCapStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(customerId: string): Promise<{ recent: RecentSends; version: number }> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sendCap(customerId), ConsistentRead: true }),
    );
    return { recent: (Item?.recent as RecentSends | undefined) ?? {}, version: Number(Item?.version ?? 0) };
  }

  /** Writes the new list if nobody changed it since `version`; false on a lost race. */
  async save(customerId: string, recent: RecentSends, version: number): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.sendCap(customerId), type: 'send-cap', recent, version: version + 1 },
        ...versionCondition('version', version, 'PK'),
      }),
    );
  }

  /** Frees a slot held by a send that did not happen. */
  async release(customerId: string, ref: string): Promise<void> {
    await writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.sendCap(customerId),
        UpdateExpression: 'REMOVE recent.#ref ADD version :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#ref': ref },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
}
