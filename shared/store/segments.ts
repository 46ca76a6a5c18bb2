// The one place that may Scan: a parallel scan (Segment/TotalSegments) of the whole table into a
// snapshot of customers, orders, surveys, campaign contacts and counters — run by the weekly
// segment-thresholds job and by the operator's on-demand `loyalty report` — and the list of stored
// customers a newly published date-trigger journey is armed for, a page at a time (arm-existing.ts). It also
// stores and reads the weekly thresholds item (one GetItem when a profile's segments are derived).
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { StepDayCounts } from '../domain/step-results.ts';
import { COUPON_OUTCOMES } from '../domain/coupon.ts';
import type { CouponUseFact, IssuedCouponFact } from '../domain/coupon-results.ts';
import * as z from 'zod';
import type { CustomerFacts } from '../domain/metrics.ts';
import { netOrderAmounts, type OrderRecord, type RefundRecord } from '../domain/purchase-history.ts';
import { putUnlessNewer } from './dynamo.ts';
import { stepDayOf } from './journey-step-results.ts';
import { keys, TTL_ATTRIBUTE } from './keys.ts';
import { customerPredictionSchema } from './predictions.ts';

const cuts = z.tuple([z.number(), z.number(), z.number(), z.number()]).readonly();

export const segmentThresholdsItem = z.object({
  computedAt: z.string(),
  customers: z.number().int().nonnegative(),
  /** Undefined until at least one customer has bought. */
  rfm: z.object({ recencyDays: cuts, frequency: cuts, monetaryMilli: cuts }).optional(),
  valueTierThresholdMilli: z.number().int().positive().optional(),
  /** Customers per tier, lifecycle stage and segment at computedAt: `campaigns audience` estimates from it. */
  population: z
    .object({
      tiers: z.record(z.string(), z.number().int().nonnegative()),
      lifecycleStages: z.record(z.string(), z.number().int().nonnegative()),
      segments: z.record(z.string(), z.number().int().nonnegative()),
      /** Customers per profile locale (absent before runs that counted them). */
      locales: z.record(z.string(), z.number().int().nonnegative()).optional(),
    })
    .optional(),
});
export type SegmentThresholds = z.infer<typeof segmentThresholdsItem>;

const idsByName = z.record(z.string(), z.array(z.string()));

/** The weekly run's audience sample: a few customer ids per tier, stage, segment, locale and churn band. */
export const audienceSampleItem = z.object({
  computedAt: z.string(),
  /** Buyers per churn-risk band at the fit (the weekly population counts the rest). */
  churnRisk: z.record(z.string(), z.number().int().nonnegative()),
  samples: z.object({
    tiers: idsByName,
    lifecycleStages: idsByName,
    segments: idsByName,
    locales: idsByName,
    churnRisk: idsByName,
  }),
  /** The first customers of all, for a condition without a counted part. */
  everyone: z.array(z.string()),
});
export type AudienceSample = z.infer<typeof audienceSampleItem>;

/** A send-ledger entry as the analytics read it: sent (treatment) or withheld as holdout. */
export interface LedgerContact {
  customerId: string;
  campaignId: string;
  status: 'sent' | 'holdout';
  at: string;
}

/** A journey email that went out: its entry (the journey's unit of comparison) and split variant. */
export interface JourneySend {
  customerId: string;
  journeyId: string;
  entryId: string;
  /** The split path the customer took (A/B results); absent outside a split. */
  variant: string | undefined;
  at: string;
  /** When the entry began, and when this record expires (epoch seconds); absent on older records. */
  enteredAt?: string;
  expiresAt?: number;
}

/** A day of the daily counters older tables hold (STATS#<journey> / DAY#<day>, no longer written). */
export interface OlderJourneyDay {
  journeyId: string;
  day: string;
  counts: Record<string, number>;
}

export interface TableSnapshot {
  customers: CustomerFacts[];
  contacts: LedgerContact[];
  /**
   * The daily counters tables kept before step results: counted only on a day the journey has no
   * step results (domain/step-results.ts journeyDays).
   */
  olderJourneyDays: OlderJourneyDay[];
  journeySends: JourneySend[];
  /**
   * Every unique coupon a journey issued whose email went out (a code minted for a send the sender
   * then skipped — no consent, suppressed — reached nobody), and every order that carried a code
   * (with its verdict).
   */
  couponsIssued: IssuedCouponFact[];
  couponUses: CouponUseFact[];
  /** The send-step counters (STEPRESULTS#), one row per journey, day, step and variant. */
  stepDays: StepDayCounts[];
  /** Per journey, what the report needs of its current version. */
  journeys: Map<string, JourneyShape>;
}

/** The part of a journey's current version the report reads. */
export interface JourneyShape {
  /** The first step, when it is a send step: the one step the entry holdout compares with. */
  entryStep: string | undefined;
  /** Step ids in the file's order, so step rows read top to bottom like the journey. */
  steps: string[];
  holdoutPercent: number;
}

const journeyCurrentItem = z.object({
  journeyId: z.string(),
  journey: z.object({
    steps: z.array(z.looseObject({ id: z.string() })),
    holdoutPercent: z.number().default(0),
  }),
});

export class SegmentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async thresholds(): Promise<SegmentThresholds | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.segmentThresholds() }),
    );
    return Item ? segmentThresholdsItem.parse(Item) : undefined;
  }

  /** Replaces the thresholds unless a run computed for a later instant already stored its own. */
  async saveThresholds(thresholds: SegmentThresholds): Promise<void> {
    await putUnlessNewer(this.doc, this.tableName, { ...keys.segmentThresholds(), type: 'segment-thresholds', ...thresholds }, 'computedAt', thresholds.computedAt);
  }

  async audienceSample(): Promise<AudienceSample | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.audienceSample() }));
    return Item ? audienceSampleItem.parse(Item) : undefined;
  }

  /** Replaces the sample unless a run computed for a later instant already stored its own. */
  async saveAudienceSample(sample: AudienceSample): Promise<void> {
    await putUnlessNewer(this.doc, this.tableName, { ...keys.audienceSample(), type: 'audience-sample', ...sample }, 'computedAt', sample.computedAt);
  }

  /** Reads the whole table with `totalSegments` parallel scans into an analytics snapshot. */
  async scanSnapshot(totalSegments: number): Promise<TableSnapshot> {
    const items = (
      await Promise.all(
        Array.from({ length: totalSegments }, (_, segment) => this.scanSegment(segment, totalSegments)),
      )
    ).flat();
    return snapshotFromItems(items);
  }

  /**
   * One page of one scan segment's profile items (the ids only), from `cursor` (the previous page's
   * LastEvaluatedKey): `limit` items are read per page whatever the filter keeps, so a page is a
   * bounded piece of work; `next` is absent after the segment's last page.
   */
  async customerIdsPage(
    page: { segment: number; of: number; cursor?: Record<string, unknown> | undefined },
    limit: number,
  ): Promise<{ customerIds: string[]; next?: Record<string, unknown> }> {
    const result = await this.doc.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: page.segment,
        TotalSegments: page.of,
        ExclusiveStartKey: page.cursor,
        Limit: limit,
        FilterExpression: 'SK = :profile',
        ProjectionExpression: 'customerId',
        ExpressionAttributeValues: { ':profile': keys.profile('').SK },
      }),
    );
    const customerIds = (result.Items ?? []).flatMap((item) => (typeof item.customerId === 'string' ? [item.customerId] : []));
    return { customerIds, ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }

  private async scanSegment(segment: number, totalSegments: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

interface Gathered {
  profile?: Record<string, unknown>;
  orders: OrderRecord[];
  refunds: RefundRecord[];
  surveys: { at: string; score: number }[];
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Groups raw items by customer into CustomerFacts (orders net of refunds) and collects campaign data. */
export function snapshotFromItems(items: readonly Record<string, unknown>[]): TableSnapshot {
  const byCustomer = new Map<string, Gathered>();
  const contacts: LedgerContact[] = [];
  const olderJourneyDays: OlderJourneyDay[] = [];
  const journeySends: JourneySend[] = [];
  const minted: { fact: IssuedCouponFact; email: string }[] = [];
  const emailed = new Set<string>();
  const couponUses: CouponUseFact[] = [];
  const stepDays: StepDayCounts[] = [];
  const journeys = new Map<string, JourneyShape>();
  const entry = (customerId: string) => {
    const found = byCustomer.get(customerId) ?? { orders: [], refunds: [], surveys: [] };
    byCustomer.set(customerId, found);
    return found;
  };
  for (const item of items) {
    const pk = String(item.PK);
    if (pk.startsWith(keys.olderJourneyDaysPrefix)) {
      const counts = Object.fromEntries(
        Object.entries(item).filter(([, value]) => typeof value === 'number'),
      ) as Record<string, number>;
      olderJourneyDays.push({
        journeyId: pk.slice(keys.olderJourneyDaysPrefix.length),
        day: String(item.day ?? String(item.SK).slice(4)),
        counts,
      });
      continue;
    }
    if (pk.startsWith(keys.journeyStepResultsPk(''))) {
      stepDays.push(stepDayOf(item));
      continue;
    }
    if (item.type === 'journey-current') {
      const current = journeyCurrentItem.safeParse(item);
      if (current.success) {
        const { steps, holdoutPercent } = current.data.journey;
        const first = steps[0];
        journeys.set(current.data.journeyId, {
          entryStep: first && 'send' in first ? first.id : undefined,
          steps: steps.map((step) => step.id),
          holdoutPercent,
        });
      }
      continue;
    }
    if (item.type === 'coupon' && str(item.issuedAt)) {
      minted.push({
        fact: {
          journeyId: String(item.campaignId),
          stepId: str(item.stepId),
          variant: str(item.variant),
          issuedAt: String(item.issuedAt),
        },
        // The send-ledger entry of the email that carries the code.
        email: `${String(item.customerId)}\u0000${keys.sendLedger(String(item.customerId), String(item.campaignId), String(item.period)).SK}`,
      });
      continue;
    }
    if (!pk.startsWith(keys.customerPk(''))) continue;
    const customerId = keys.customerIdFromPk(pk);
    if (item.SK === 'PROFILE') entry(customerId).profile = item;
    else if (item.type === 'order') {
      entry(customerId).orders.push({
        orderId: String(item.orderId),
        amountMilli: Number(item.amountMilli),
        currency: String(item.currency),
        purchasedAt: String(item.purchasedAt),
        ...(str(item.couponCode) ? { couponCode: str(item.couponCode) } : {}),
      });
      const outcome = COUPON_OUTCOMES.find((candidate) => candidate === item.couponOutcome);
      if (outcome)
        couponUses.push({
          at: String(item.purchasedAt),
          amountMilli: Number(item.amountMilli),
          outcome,
          journeyId: str(item.couponJourney),
          stepId: str(item.couponStep),
          variant: str(item.couponVariant),
          issuedAt: str(item.couponIssuedAt),
        });
    } else if (item.type === 'refund') {
      entry(customerId).refunds.push({
        orderId: String(item.orderId),
        refundKey: String(item.refundKey),
        amountMilli: Number(item.amountMilli),
        refundedAt: String(item.refundedAt),
      });
    } else if (item.type === 'survey') {
      entry(customerId).surveys.push({ at: String(item.answeredAt), score: Number(item.score) });
    } else if (item.type === 'send' || String(item.SK).startsWith('HOLDOUT#')) {
      const contact = ledgerContact(customerId, item);
      if (contact) contacts.push(contact);
      if (contact?.status === 'sent') emailed.add(`${customerId}\u0000${String(item.SK)}`);
    } else if (item.type === 'journey-send' && item.outcome === 'sent') {
      journeySends.push({
        customerId,
        journeyId: String(item.journeyId),
        entryId: String(item.entryId),
        variant: str(item.variant),
        at: String(item.at),
        ...(typeof item.enteredAt === 'string' ? { enteredAt: item.enteredAt } : {}),
        ...(typeof item[TTL_ATTRIBUTE] === 'number' ? { expiresAt: item[TTL_ATTRIBUTE] } : {}),
      });
    }
  }
  const customers = [...byCustomer.entries()]
    .filter(([, found]) => found.profile || found.orders.length > 0)
    .map(([customerId, found]) => customerFacts(customerId, found))
    .sort((a, b) => a.customerId.localeCompare(b.customerId));
  const couponsIssued = minted.filter((coupon) => emailed.has(coupon.email)).map((coupon) => coupon.fact);
  return { customers, contacts, olderJourneyDays, journeySends, couponsIssued, couponUses, stepDays, journeys };
}

/**
 * Send-ledger entries with status "sent" are the treatment; HOLDOUT#<campaign>#<period> records
 * (status "held-out", written by the campaign gate instead of a send) are the control group.
 */
function ledgerContact(customerId: string, item: Record<string, unknown>): LedgerContact | undefined {
  const campaignId = str(item.campaignId);
  if (!campaignId) return undefined;
  if (item.status === 'sent' && str(item.sentAt))
    return { customerId, campaignId, status: 'sent', at: String(item.sentAt) };
  if (item.status === 'held-out' && str(item.at))
    return { customerId, campaignId, status: 'holdout', at: String(item.at) };
  return undefined;
}

const loyaltyShape = z.object({
  tier: z.string(),
  recentChanges: z.array(z.object({ occurredAt: z.string(), from: z.string(), to: z.string() })).default([]),
});

function customerFacts(customerId: string, found: Gathered): CustomerFacts {
  const net = netOrderAmounts(found.orders, found.refunds);
  const orders = found.orders.map((order) => ({
    at: order.purchasedAt,
    amountMilli: net.get(order.orderId) ?? 0,
    coupon: Boolean(order.couponCode),
  }));
  const loyalty = loyaltyShape.safeParse(found.profile?.loyalty);
  // An unreadable one counts as none: the weekly refit then writes it afresh.
  const predictions = customerPredictionSchema.safeParse(found.profile?.predictions);
  // The profile's createdAt is when we first heard of the customer, which an import or a late
  // event can put after their first order or answer: the earliest fact wins.
  const known = [
    str(found.profile?.createdAt),
    ...orders.map((order) => order.at),
    ...found.surveys.map((survey) => survey.at),
  ]
    .filter((at): at is string => at !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    customerId,
    signedUpAt: known[0] ?? new Date(0).toISOString(),
    locale: str(found.profile?.locale),
    orders,
    surveys: found.surveys,
    tier: loyalty.success ? loyalty.data.tier : undefined,
    tierChanges: loyalty.success
      ? loyalty.data.recentChanges.map((change) => ({
          at: change.occurredAt,
          from: change.from,
          to: change.to,
        }))
      : [],
    ...(predictions.success ? { predictions: predictions.data } : {}),
  };
}
