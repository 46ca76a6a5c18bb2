// Who may not be mailed: a sticky opt-out on the profile (unsubscribe link), suppression on the
// profile and on the address itself (hard bounce, complaint). These live in their own profile
// attributes, which Customer Upserted never writes, so a shop re-sending marketingConsent:true
// cannot undo them; only an explicit re-opt-in (`reOptIn`) clears an opt-out.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { isConditionFailure, putOnce, queryAll, writeIfCondition } from './dynamo.ts';
import { INDEXES, keys } from './keys.ts';
import { type StoredProfile, toStoredProfile } from './customers.ts';
import { sameAddress } from '../domain/customer.ts';
import { customerPredictionSchema } from './predictions.ts';
import { LOST_RACE, retryOnRace } from './race.ts';

const mark = z.object({ at: z.string(), source: z.string() });
const suppressionMark = z.object({ at: z.string(), reason: z.string() });

/** The slice of a profile item the sender needs, validated rather than cast. */
const recipientItem = z.object({
  customerId: z.string(),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  consent: z.object({ granted: z.boolean(), at: z.string(), source: z.string() }).optional(),
  optOut: mark.optional(),
  suppressed: suppressionMark.optional(),
  tier: z.string().optional(),
  // For template variables; an unreadable one is left out rather than blocking the send.
  predictions: customerPredictionSchema.optional().catch(undefined),
});
export type RecipientProfile = z.infer<typeof recipientItem>;

export type SuppressionReason = 'hard-bounce' | 'complaint';

export class SuppressionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The profile as the sender sees it, with address-level suppression folded in. */
  async recipient(customerId: string): Promise<RecipientProfile | undefined> {
    const Item = await this.#profileItem(customerId);
    return Item && this.#recipientOf(customerId, Item);
  }

  /**
   * The profile as the sender sees it and as stored, from one GetItem: a journey send checks
   * consent and suppression and re-checks its conditions on the same read.
   */
  async recipientAndStored(
    customerId: string,
  ): Promise<{ recipient: RecipientProfile; stored: StoredProfile } | undefined> {
    const Item = await this.#profileItem(customerId);
    if (!Item) return undefined;
    return { recipient: await this.#recipientOf(customerId, Item), stored: toStoredProfile(Item) };
  }

  async #profileItem(customerId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.profile(customerId), ConsistentRead: true }),
    );
    return Item;
  }

  async #recipientOf(customerId: string, Item: Record<string, unknown>): Promise<RecipientProfile> {
    const parsed = recipientItem.safeParse(Item);
    if (!parsed.success) throw new Error(`profile of ${customerId} is not readable: ${parsed.error.message}`);
    const profile = parsed.data;
    if (profile.email && !profile.suppressed) {
      const address = await this.addressSuppression(profile.email);
      if (address) profile.suppressed = address;
    }
    return profile;
  }

  async addressSuppression(email: string): Promise<{ at: string; reason: string } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.addressSuppression(email),
        ConsistentRead: true,
      }),
    );
    return Item ? { at: String(Item.at), reason: String(Item.reason) } : undefined;
  }

  /**
   * Suppresses an address and every customer holding it (byEmail index). Returns the customers
   * newly suppressed by this call, so a redelivered bounce announces nothing twice.
   */
  async suppressAddress(email: string, reason: SuppressionReason, at: Date): Promise<string[]> {
    const stamp = { at: at.toISOString(), reason };
    await putOnce(this.doc, this.tableName, {
      ...keys.addressSuppression(email),
      type: 'suppression',
      email: email.trim().toLowerCase(),
      ...stamp,
    });
    const newly: string[] = [];
    for (const customerId of await this.indexedCustomers(email)) {
      // Only while the profile still holds the address: the write is conditional on the one read.
      const suppressed = await retryOnRace(`suppression of customer ${customerId}`, async () => {
        const held = await this.addressHeld(customerId);
        if (!held || !sameAddress(held.email, email) || held.suppressed) return false;
        const written = await writeIfCondition(
          this.doc,
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.profile(customerId),
            UpdateExpression: 'SET suppressed = :s',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(suppressed) AND email = :email',
            ExpressionAttributeValues: { ':s': stamp, ':email': held.email },
          }),
        );
        return written || LOST_RACE;
      });
      if (suppressed) newly.push(customerId);
    }
    return newly;
  }

  /** The customers whose profile holds `email` now (any case). */
  async customersWithAddress(email: string): Promise<string[]> {
    const ids = await this.indexedCustomers(email);
    const holders = await Promise.all(ids.map(async (id) => (sameAddress((await this.addressHeld(id))?.email, email) ? id : undefined)));
    return holders.filter((id): id is string => id !== undefined);
  }

  /**
   * The customers the byEmail index lists under `email`: each one's ADDRESS item (keys.ts), or the
   * profile itself in tables written before those. Candidates only: an address a customer has
   * since left may still be listed (a crash before its item was dropped), so callers check the
   * profile (addressHeld).
   */
  private async indexedCustomers(email: string): Promise<string[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: INDEXES.byEmail.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byEmail.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.emailIndex(email, '').GSI2PK },
    });
    const ids = items
      .filter((item) => item.SK === 'PROFILE' || item.type === 'address')
      .map((item) => keys.customerIdFromPk(String(item.PK)));
    return [...new Set(ids)];
  }

  /** The profile's address now, and whether it is suppressed (undefined: no profile or no address). */
  private async addressHeld(customerId: string): Promise<{ email: string; suppressed: boolean } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        ConsistentRead: true,
        ProjectionExpression: 'email, suppressed',
      }),
    );
    return typeof Item?.email === 'string' ? { email: Item.email, suppressed: Item.suppressed !== undefined } : undefined;
  }

  /**
   * Records an unsubscribe: a sticky opt-out plus consent {granted:false}. The profile version is
   * bumped so a concurrent upsert re-reads and merges instead of overwriting the consent.
   * 'already' when the customer had opted out before (a replayed link changes nothing).
   */
  async optOut(
    customerId: string,
    at: Date,
    source: string,
  ): Promise<'recorded' | 'already' | 'unknown-customer'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.profile(customerId),
          UpdateExpression: 'SET optOut = :o, consent = :c ADD profileVersion :one',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(optOut)',
          ExpressionAttributeValues: {
            ':o': { at: at.toISOString(), source },
            ':c': { granted: false, at: at.toISOString(), source },
            ':one': 1,
          },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: keys.profile(customerId), ConsistentRead: true }),
      );
      return Item ? 'already' : 'unknown-customer';
    }
  }

  /** An explicit re-opt-in (double opt-in form, support request): the only way to clear an opt-out. */
  async reOptIn(customerId: string, at: Date, source: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET consent = :c REMOVE optOut ADD profileVersion :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':c': { granted: true, at: at.toISOString(), source }, ':one': 1 },
      }),
    );
  }
}
