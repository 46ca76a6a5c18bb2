// The one coupon store: every unique code a journey issues is an item under its code (COUPON#<code>),
// carrying who it was issued to by which journey, step and split variant, when it expires, and —
// once — which order redeemed it. Issuing and redeeming are conditional writes, so a redelivered
// send or purchase changes nothing. A coupon stays findable (a late checkout is told "expired",
// not "unknown code") for the email history's retention after its own expiry, then goes with the
// table's TTL: its validity is stored as `validUntil`, since `expiresAt` is the TTL attribute
// (items written before hold their validity there as a string, which DynamoDB's TTL ignores).
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { StoredCoupon } from '../domain/coupon.ts';
import { isConditionFailure } from './dynamo.ts';
import { keys, TTL_ATTRIBUTE } from './keys.ts';

const storedCouponSchema = z.object({
  code: z.string(),
  customerId: z.string(),
  campaignId: z.string(),
  period: z.string(),
  stepId: z.string().optional(),
  variant: z.string().optional(),
  issuedAt: z.string(),
  validUntil: z.string().optional(),
  /** The validity, on coupons stored before `validUntil`; the TTL's epoch seconds since. */
  expiresAt: z.union([z.string(), z.number()]),
  redeemedBy: z.string().optional(),
});

function storedCouponOf(item: Record<string, unknown>): StoredCoupon {
  const { validUntil, expiresAt, ...coupon } = storedCouponSchema.parse(item);
  const validity = validUntil ?? (typeof expiresAt === 'string' ? expiresAt : undefined);
  if (validity === undefined) throw new Error(`coupon ${coupon.code}: validUntil is missing`);
  return { ...coupon, expiresAt: validity };
}

/** What a send issues: a stored coupon before any redemption, with its tier and value. */
export interface CouponToIssue extends Omit<StoredCoupon, 'redeemedBy'> {
  tier: string;
  valueMilli: number;
}

export class CouponStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores an issued coupon under its code unless another customer or send holds that code, kept
   * until `expiresAt` (epoch seconds: the email history's retention after the coupon's own expiry).
   * Returns 'issued' (new, or the same send's coupon again) or 'taken' (pick another code).
   */
  async issue(coupon: CouponToIssue, expiresAt: number): Promise<'issued' | 'taken'> {
    const { expiresAt: validUntil, ...rest } = coupon;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.coupon(coupon.code),
            type: 'coupon',
            ...withoutUndefined(rest),
            validUntil,
            [TTL_ATTRIBUTE]: expiresAt,
          },
          ConditionExpression:
            'attribute_not_exists(PK) OR (customerId = :c AND campaignId = :k AND period = :p AND attribute_not_exists(redeemedBy))',
          ExpressionAttributeValues: {
            ':c': coupon.customerId,
            ':k': coupon.campaignId,
            ':p': coupon.period,
          },
        }),
      );
      return 'issued';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Re-issued after it was redeemed (a late redelivery of the send): still the same coupon.
      const held = await this.get(coupon.code);
      const same =
        held?.customerId === coupon.customerId &&
        held.campaignId === coupon.campaignId &&
        held.period === coupon.period;
      return same ? 'issued' : 'taken';
    }
  }

  /** The coupon a code names, or undefined for a code we never issued. */
  async get(code: string): Promise<StoredCoupon | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.coupon(code), ConsistentRead: true }),
    );
    if (!Item || Item.type !== 'coupon') return undefined;
    return storedCouponOf(Item);
  }

  /**
   * Marks the coupon redeemed by this order unless another order did first: 'redeemed' (now, or
   * already by this same order — a redelivery) or 'used' (another order holds it).
   */
  async redeem(code: string, orderId: string, at: string): Promise<'redeemed' | 'used'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.coupon(code),
          UpdateExpression: 'SET redeemedBy = :o, redeemedAt = if_not_exists(redeemedAt, :at)',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(redeemedBy) OR redeemedBy = :o)',
          ExpressionAttributeValues: { ':o': orderId, ':at': at },
        }),
      );
      return 'redeemed';
    } catch (error) {
      if (isConditionFailure(error)) return 'used';
      throw error;
    }
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
