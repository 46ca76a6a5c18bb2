// DynamoDB adapter for customer profiles and purchase records. Every write is conditional:
// purchase records are written once per orderId; profile fields and aggregates each carry their
// own version number so concurrent handlers never overwrite each other's work.
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CouponOutcome } from '../domain/coupon.ts';
import type { CustomerProfile } from '../domain/customer.ts';
import type { CustomerPrediction } from '../domain/customer-predictions.ts';
import type { StoredLifecycle } from '../domain/lifecycle.ts';
import type { StoredLoyalty } from '../domain/loyalty-changes.ts';
import type { OrderRecord, PurchaseAggregates, RefundRecord } from '../domain/purchase-history.ts';
import { putOnce, queryAll, versionCondition, writeIfCondition } from './dynamo.ts';
import { INDEXES, keys } from './keys.ts';

export interface StoredProfile {
  profile: CustomerProfile;
  profileVersion: number;
  aggVersion: number;
  /** Tier and points, written with the aggregates (same version). */
  loyalty: StoredLoyalty | undefined;
  /** Highest tier-change number confirmed as published on the bus. */
  tierAnnouncedSeq: number;
  /** Lifecycle stage kept by shared/flows/lifecycle.ts (its own conditional writes). */
  lifecycle?: StoredLifecycle | undefined;
  /** Highest lifecycle transition confirmed as published on the bus (0: none). */
  lifecycleAnnouncedSeq?: number;
  /**
   * The profile item itself is on the byEmail index (written before ADDRESS items existed): the
   * next write moves it to an ADDRESS item (saveAddress, then the write removes the keys).
   */
  addressOnProfile?: boolean;
}

/** What a purchase moves besides its aggregates, stored in the same write. */
export interface FoldedStanding {
  /** The new stage and the stored stage's seq it was decided from (undefined: none stored yet). */
  lifecycle?: { record: StoredLifecycle; expectedSeq: number | undefined };
  predictions?: CustomerPrediction;
  /** Take the profile off the byEmail index (its ADDRESS item was written first): see addressOnProfile. */
  addressOffProfile?: boolean;
}

export interface PurchaseHistory {
  stored: StoredProfile | undefined;
  orders: OrderRecord[];
  refunds: RefundRecord[];
}

const PROFILE_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'locale',
  'timeZone',
  'birthday',
  'birthdayChangedAt',
  'attributes',
  'consent',
  'profileUpdatedAt',
  'profileEventAt',
  'profileEventId',
] as const satisfies readonly (keyof CustomerProfile)[];

export class CustomerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async getProfile(customerId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.profile(customerId), ConsistentRead: true }),
    );
    return Item ? toStoredProfile(Item) : undefined;
  }

  /**
   * Writes the profile fields if nobody changed them since `expectedVersion` was read;
   * returns false on a lost race so the caller can re-read and re-merge.
   */
  async saveProfileFields(profile: CustomerProfile, expectedVersion: number): Promise<boolean> {
    const names: Record<string, string> = { '#v': 'profileVersion', '#c': 'createdAt', '#id': 'customerId' };
    const values: Record<string, unknown> = {
      ...versionValues(expectedVersion),
      ':c': profile.createdAt,
      ':id': profile.customerId,
    };
    const sets = ['#v = :next', '#c = if_not_exists(#c, :c)', '#id = :id'];
    const removes: string[] = [];
    for (const field of PROFILE_FIELDS) {
      names[`#${field}`] = field;
      const value = profile[field];
      if (value === undefined) removes.push(`#${field}`);
      else {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    // The address is indexed by its ADDRESS item (saveAddress, written first), never by the profile.
    removes.push(...removeEmailIndexKeys(names));
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(profile.customerId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: versionCondition('#v', expectedVersion).ConditionExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Puts the byEmail index's item for `email` before the profile write that gives it (version
   * `forVersion`), so the profile never holds an address the index cannot find. Never lowers the
   * version an item already has: an upsert in flight for the same address keeps its claim.
   */
  async saveAddress(customerId: string, email: string, forVersion: number): Promise<void> {
    await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.customerAddress(customerId, email),
          ...keys.emailIndex(email, customerId),
          type: 'address',
          customerId,
          forVersion,
        },
        ConditionExpression: 'attribute_not_exists(PK) OR forVersion < :v',
        ExpressionAttributeValues: { ':v': forVersion },
      }),
    );
  }

  /**
   * Deletes the item of an address the profile left at version `profileVersion`, unless an upsert
   * giving it back has claimed it since (a higher forVersion). A crash before this leaves a stale
   * item: readers check the profile, so it finds no one.
   */
  async dropAddress(customerId: string, email: string, profileVersion: number): Promise<void> {
    await writeIfCondition(
      this.doc,
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.customerAddress(customerId, email),
        ConditionExpression: 'forVersion <= :v',
        ExpressionAttributeValues: { ':v': profileVersion },
      }),
    );
  }

  /** Records an order once; returns false if this orderId was already recorded (a redelivery). */
  async recordOrderOnce(customerId: string, order: OrderRecord, recordedAt: Date): Promise<boolean> {
    return putOnce(this.doc, this.tableName, { ...keys.purchase(customerId, order.orderId), type: 'order', ...order, recordedAt: recordedAt.toISOString() });
  }

  /**
   * Writes the verdict on an order's coupon code (shared/journeys/coupon-redemptions.ts) once:
   * the first verdict stands, a redelivery changes nothing.
   */
  async recordCouponOutcome(
    customerId: string,
    orderId: string,
    outcome: { couponOutcome: CouponOutcome } & Record<string, string>,
  ): Promise<boolean> {
    const names = Object.keys(outcome);
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.purchase(customerId, orderId),
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(couponOutcome)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, outcome[name]])),
      }),
    );
  }

  /** Records a refund once (keyed by a hash of its content); false on redelivery. */
  async recordRefundOnce(customerId: string, refund: RefundRecord, recordedAt: Date): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.refund(customerId, refund.orderId, refund.refundKey),
      type: 'refund',
      ...refund,
      recordedAt: recordedAt.toISOString(),
    });
  }

  /** The profile and all purchase records of one customer, in one (paginated) Query. */
  async loadPurchaseHistory(customerId: string): Promise<PurchaseHistory> {
    const history: PurchaseHistory = { stored: undefined, orders: [], refunds: [] };
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.customerPk(customerId),
        ':from': keys.purchaseHistoryRange.from,
        ':to': keys.purchaseHistoryRange.to,
      },
      ConsistentRead: true,
    });
    for (const item of items) {
      if (item.SK === 'PROFILE') history.stored = toStoredProfile(item);
      else if (item.type === 'order') history.orders.push(toOrder(item));
      else if (item.type === 'refund') history.refunds.push(toRefund(item));
    }
    return history;
  }

  /**
   * Stores recomputed aggregates and loyalty standing in one write, if they were computed from the
   * latest version; creates a minimal profile when the customer is unknown. A purchase folds in
   * what else it moves: the lifecycle stage (conditional on the stage it was decided from, as in
   * saveLifecycle, so a transition the timer stored meanwhile is never overwritten) and the
   * predictions. False on a lost race.
   */
  async saveAggregates(
    customerId: string,
    purchases: PurchaseAggregates,
    expectedVersion: number,
    createdAt: Date,
    loyalty?: StoredLoyalty,
    moved: FoldedStanding = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#p': 'purchases', '#v': 'aggVersion', '#id': 'customerId', '#c': 'createdAt', '#consent': 'consent' };
    const values: Record<string, unknown> = {
      ':p': purchases,
      ...versionValues(expectedVersion),
      ':id': customerId,
      ':c': createdAt.toISOString(),
      ':consent': { granted: false, at: new Date(0).toISOString(), source: 'unknown' },
    };
    const sets = ['#p = :p', '#v = :next', '#id = :id', '#c = if_not_exists(#c, :c)', '#consent = if_not_exists(#consent, :consent)'];
    const conditions = [versionCondition('#v', expectedVersion).ConditionExpression];
    const set = (name: string, attribute: string, value: unknown) => {
      names[`#${name}`] = attribute;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    };
    if (loyalty) set('l', 'loyalty', loyalty);
    if (moved.lifecycle) {
      set('lc', 'lifecycle', moved.lifecycle.record);
      if (moved.lifecycle.expectedSeq === undefined) conditions.push('attribute_not_exists(#lc)');
      else {
        names['#seq'] = 'seq';
        values[':lcseq'] = moved.lifecycle.expectedSeq;
        conditions.push('#lc.#seq = :lcseq');
      }
    }
    if (moved.predictions) set('pr', 'predictions', moved.predictions);
    const removes = moved.addressOffProfile ? removeEmailIndexKeys(names) : [];
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Claims the right to publish tier changes up to `seq`, so concurrent handlers of the same
   * customer do not all announce the same change. The claim is granted again to the same claimant
   * (the redelivered event after a crash), to a newer change, or once its lease has run out.
   */
  async claimTierAnnouncement(customerId: string, seq: number, claimant: string, now: Date, leaseMs: number): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET #claim = :claim',
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(#done) OR #done < :seq) AND ' +
          '(attribute_not_exists(#claim) OR #claim.#by = :by OR #claim.#seq < :seq OR #claim.#until < :now)',
        ExpressionAttributeNames: { '#claim': 'tierAnnouncement', '#done': 'tierAnnouncedSeq', '#by': 'claimant', '#seq': 'seq', '#until': 'leaseUntil' },
        ExpressionAttributeValues: {
          ':claim': { seq, claimant, leaseUntil: new Date(now.getTime() + leaseMs).toISOString() },
          ':seq': seq,
          ':by': claimant,
          ':now': now.toISOString(),
        },
      }),
    );
  }

  /**
   * Stores a new lifecycle stage if the stored one is still the one it was decided from (its seq,
   * or none yet) and the customer exists; false when another firing or purchase got there first.
   */
  async saveLifecycle(customerId: string, lifecycle: StoredLifecycle, expectedSeq: number | undefined): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET #l = :l',
        ConditionExpression:
          expectedSeq === undefined ? 'attribute_exists(PK) AND attribute_not_exists(#l)' : 'attribute_exists(PK) AND #l.#seq = :seq',
        ExpressionAttributeNames: { '#l': 'lifecycle', ...(expectedSeq === undefined ? {} : { '#seq': 'seq' }) },
        ExpressionAttributeValues: { ':l': lifecycle, ...(expectedSeq === undefined ? {} : { ':seq': expectedSeq }) },
      }),
    );
  }

  /** Confirms lifecycle transitions up to `seq` as published; only moves forward. */
  async markLifecycleAnnounced(customerId: string, seq: number): Promise<void> {
    await this.markAnnounced(customerId, 'lifecycleAnnouncedSeq', seq);
  }

  /**
   * Confirms tier changes up to `seq` as published. Kept outside the versioned loyalty map so it
   * never races the aggregates write; it only moves forward.
   */
  async markTierChangesAnnounced(customerId: string, seq: number): Promise<void> {
    await this.markAnnounced(customerId, 'tierAnnouncedSeq', seq);
  }

  /**
   * Moves a profile's "announced up to" counter forward to `seq`; a lost condition means someone
   * confirmed as far or further (or the profile is gone): nothing to do.
   */
  private async markAnnounced(customerId: string, attribute: 'lifecycleAnnouncedSeq' | 'tierAnnouncedSeq', seq: number): Promise<void> {
    await writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET #a = :seq',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#a) OR #a < :seq)',
        ExpressionAttributeNames: { '#a': attribute },
        ExpressionAttributeValues: { ':seq': seq },
      }),
    );
  }
}

/** The values of the `#v` version condition (`:v` only when referenced) and of `#v = :next`. */
function versionValues(expectedVersion: number): Record<string, number> {
  return { ...versionCondition('#v', expectedVersion).ExpressionAttributeValues, ':next': expectedVersion + 1 };
}

/** REMOVE clauses taking a profile off the byEmail index (nothing when it is not on it). */
function removeEmailIndexKeys(names: Record<string, string>): string[] {
  Object.assign(names, { '#g2pk': INDEXES.byEmail.partitionKey, '#g2sk': INDEXES.byEmail.sortKey });
  return ['#g2pk', '#g2sk'];
}

export function toStoredProfile(item: Record<string, unknown>): StoredProfile {
  const { PK, SK, GSI2PK, GSI2SK, profileVersion, aggVersion, tierAnnouncedSeq, tierAnnouncement, lifecycle, lifecycleAnnouncedSeq, ...profile } = item;
  const { loyalty } = profile;
  return {
    profile: profile as unknown as CustomerProfile,
    profileVersion: Number(profileVersion ?? 0),
    aggVersion: Number(aggVersion ?? 0),
    // Written only by saveAggregates from a StoredLoyalty (also left on the profile for readers of `loyalty.tier`).
    loyalty: loyalty as StoredLoyalty | undefined,
    tierAnnouncedSeq: Number(tierAnnouncedSeq ?? 0),
    // Written only by saveLifecycle from a StoredLifecycle.
    lifecycle: lifecycle as StoredLifecycle | undefined,
    lifecycleAnnouncedSeq: Number(lifecycleAnnouncedSeq ?? 0),
    ...(GSI2PK === undefined ? {} : { addressOnProfile: true }),
  };
}

function toOrder(item: Record<string, unknown>): OrderRecord {
  const order: OrderRecord = {
    orderId: String(item.orderId),
    amountMilli: Number(item.amountMilli),
    currency: String(item.currency),
    purchasedAt: String(item.purchasedAt),
  };
  if (typeof item.couponCode === 'string') order.couponCode = item.couponCode;
  return order;
}

function toRefund(item: Record<string, unknown>): RefundRecord {
  return {
    orderId: String(item.orderId),
    refundKey: String(item.refundKey),
    amountMilli: Number(item.amountMilli),
    refundedAt: String(item.refundedAt),
  };
}
