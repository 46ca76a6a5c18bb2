// The loyalty report: program metrics for a period (and cohort), segment distributions, cohort
// retention curves and campaign results with uplift and coupon redemptions — built from one table snapshot. Pure; the
// CLI and the local runtime's /_local/report load the snapshot and render the result.
import { DAY_MS } from '../domain/clock.ts';
import { LIFECYCLE_STAGES } from '../domain/lifecycle.ts';
import { LOYALTY_TYPES, RELATIONSHIP_LEVELS } from '../domain/loyalty-type.ts';
import {
  type CustomerFacts,
  cohortOf,
  cohortRetentionCurve,
  type ProgramMetrics,
  programMetrics,
} from '../domain/metrics.ts';
import { type BreakdownRow, campaignBreakdown, weekOf } from '../domain/campaign-breakdown.ts';
import { type ControlGroupSection, controlGroupResults } from '../domain/control-group-results.ts';
import type { ControlGroupSettings } from '../domain/global-control-group.ts';
import {
  type JourneyRedemptions,
  journeyRedemptions,
  NO_REDEMPTIONS,
  type UnattributedCodes,
  unattributedCodes,
} from '../domain/coupon-results.ts';
import type { Milli } from '../domain/money.ts';
import { RFM_SEGMENTS } from '../domain/rfm.ts';
import { splitResults, type VariantResult } from '../domain/split-results.ts';
import { journeyTotals, type StepResult, stepResults } from '../domain/step-results.ts';
import { type CampaignContact, campaignOutcome, type RevenueUplift, type UpliftEstimate } from '../domain/uplift.ts';
import type { PredictionStore, StoredPredictionModel } from '../store/predictions.ts';
import type { JourneySend, LedgerContact, SegmentStore, SegmentThresholds, TableSnapshot } from '../store/segments.ts';
import { type PredictionSection, predictionSection } from './prediction-report.ts';
import { computeSegmentThresholds, customerSegments } from './segments.ts';

export interface ReportOptions {
  from: Date;
  to: Date;
  cohort?: string;
  /** A purchase this many days after a send (or holdout) counts as a conversion. */
  attributionDays: number;
  currency: string;
  /** Tier ids in ladder order, so charts list tiers Bronze -> Platinum. */
  tierOrder?: readonly string[];
  /** Cohort retention curves drawn (most recent first-purchase months up to the period end). */
  cohortCurves?: number;
  /** program.yaml `controlGroup`: the programme is compared with it when its share is above 0. */
  controlGroup?: ControlGroupSettings;
}

/** The tier row for customers the loyalty program has not placed (no purchase recorded yet). */
export const NO_TIER = 'no tier';
export const NO_TIER_MEANS =
  'no purchase recorded by the period end, so the loyalty program has not placed them in a tier';

/** Weekly thresholds are used for a period ending within this long after their computation. */
const THRESHOLDS_FRESH_MS = 7 * DAY_MS;

/** The byLocale row of customers whose profile has no locale. */
export const UNKNOWN_LOCALE = 'unknown';

export const FUNNEL_STEPS = ['sent', 'delivered', 'opened', 'clicked', 'converted'] as const;

export interface CampaignReport {
  campaignId: string;
  /** Emails sent: its send steps' results added up (a counter, kept apart from the ledger records). */
  sent: number;
  /**
   * The group conversions are counted in: for a journey, its entries whose first email went out in
   * the period (one contact per entry, as the holdout counts entries held out); for a campaign
   * without journey records, its emails with a ledger record.
   */
  recipients: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  holdout: number;
  /** The journey's holdout share (its current version); null for a campaign that is not a journey. */
  holdoutPercent: number | null;
  converted: number;
  holdoutConverted: number;
  /** converted / recipients: numerator and denominator from the same group. */
  conversionRate: number | null;
  /** holdoutConverted / holdout. */
  holdoutConversionRate: number | null;
  revenueMilli: Milli;
  /** revenueMilli / recipients; null without recipients. */
  revenuePerRecipientMilli: Milli | null;
  /** Revenue of held-out contacts in their window, and per held-out contact: the revenue baseline. */
  holdoutRevenueMilli: Milli;
  holdoutRevenuePerContactMilli: Milli | null;
  uplift: UpliftEstimate | undefined;
  /** Revenue per recipient minus revenue per held-out contact, with its 95% interval (Welch). */
  revenueUplift: RevenueUplift | undefined;
  /** By the week (Monday, UTC) of the send or hold-out: the trend. Rows add up to the totals. */
  weekly: BreakdownRow[];
  /** By the customer's locale ("unknown" without one). Rows add up to the totals. */
  byLocale: BreakdownRow[];
  /** A/B split results per variant (journeys with a split): sent, held out, converted, uplift. */
  variants: VariantResult[];
  /**
   * Unique coupon codes issued in the period and how many of those were redeemed (rate over the
   * same codes), with the redeeming orders' revenue; by send step and variant in `steps`.
   */
  coupons: JourneyRedemptions;
  /**
   * Per send step and variant, from the step counters (emails sent in the period): sent,
   * delivered, bounced, complained, opened, clicked, converted within 7 days, revenue.
   */
  steps: StepResult[];
}

export interface LoyaltyReport {
  generatedAt: string;
  currency: string;
  attributionDays: number;
  /** Segments are as of min(period end, now). */
  segmentsAsOf: string;
  thresholds: SegmentThresholds & { source: 'weekly job' | 'computed for this report' };
  metrics: ProgramMetrics;
  segments: {
    lifecycle: Record<string, number>;
    rfm: Record<string, number>;
    valueTier: Record<string, number>;
    loyaltyType: Record<string, number>;
    relationshipLevel: Record<string, number>;
  };
  /** Customers per tier at the period end, plus NO_TIER, so the rows add up to metrics.customers. */
  tierDistribution: { tier: string; customers: number }[];
  cohortRetention: { cohort: string; customers: number; curve: { month: number; rate: number }[] }[];
  campaigns: CampaignReport[];
  /** The global control group against everyone else, per month; null when the group is off. */
  controlGroup: ControlGroupSection | null;
  /** Orders in the period whose code was not attributed: expired, not ours / another's, used twice. */
  unattributedCodes: UnattributedCodes;
  /** Predicted CLV, churn risk, calibration and the predicted 80/20 split (as of segmentsAsOf). */
  predictions: PredictionSection;
}

const zeroes = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, 0])) as Record<string, number>;

function contactOf(contact: LedgerContact): CampaignContact {
  return {
    customerId: contact.customerId,
    group: contact.status === 'sent' ? 'treatment' : 'holdout',
    at: contact.at,
  };
}

/**
 * Per journey, each entry's first email as its treatment contact. The holdout is drawn at entry, so
 * an entry is the unit both groups share: counting every email of a series as a contact would set
 * later reminders — sent only to those who had not bought yet — against entries nobody filtered.
 * An entry that began longer ago than the email history is kept (its records' expiry less their
 * instant) is left out whole: its first email's record may be gone, and a later one would date it
 * wrongly — as its holdout record, kept as long from the entry, is gone too.
 */
function firstEmailOfEachEntry(sends: readonly JourneySend[], now: Date): Map<string, CampaignContact[]> {
  const first = new Map<string, JourneySend>();
  const partial = new Set<string>();
  for (const send of sends) {
    const key = `${send.journeyId}\u0000${send.customerId}\u0000${send.entryId}`;
    if (send.enteredAt && send.expiresAt !== undefined) {
      const keptMs = send.expiresAt * 1000 - Date.parse(send.at);
      if (Date.parse(send.enteredAt) + keptMs <= now.getTime()) partial.add(key);
    }
    const seen = first.get(key);
    if (!seen || Date.parse(send.at) < Date.parse(seen.at)) first.set(key, send);
  }
  for (const key of partial) first.delete(key);
  // A journey whose entries were all left out still has journey records: no per-email fallback.
  const byJourney = new Map<string, CampaignContact[]>(sends.map((send) => [send.journeyId, []]));
  for (const send of first.values()) {
    const contacts = byJourney.get(send.journeyId) ?? [];
    contacts.push({ customerId: send.customerId, group: 'treatment', at: send.at });
    byJourney.set(send.journeyId, contacts);
  }
  return byJourney;
}

function ordersOf(customers: readonly CustomerFacts[]) {
  return customers.flatMap((customer) =>
    customer.orders.map((order) => ({
      customerId: customer.customerId,
      at: order.at,
      amountMilli: order.amountMilli,
    })),
  );
}

/** Conversions / campaign emails received, per customer, up to `asOf`. */
function responseRates(snapshot: TableSnapshot, asOf: Date, windowDays: number): Map<string, number> {
  const rates = new Map<string, number>();
  const byCustomer = new Map<string, CampaignContact[]>();
  for (const contact of snapshot.contacts) {
    if (contact.status !== 'sent' || Date.parse(contact.at) > asOf.getTime()) continue;
    const contacts = byCustomer.get(contact.customerId);
    if (contacts) contacts.push(contactOf(contact));
    else byCustomer.set(contact.customerId, [contactOf(contact)]);
  }
  const customers = new Map(snapshot.customers.map((customer) => [customer.customerId, customer]));
  for (const [customerId, contacts] of byCustomer) {
    const customer = customers.get(customerId);
    const outcome = campaignOutcome(contacts, customer ? ordersOf([customer]) : [], windowDays);
    rates.set(customerId, outcome.converted.treatment / contacts.length);
  }
  return rates;
}

/**
 * The campaign section's period, widened to whole UTC days: the day counters (sent, delivered …,
 * per step) cannot be split inside a day, so the sends, entries and coupons beside them are taken
 * by the same days — a period starting at 09:00 would otherwise count an email sent at 08:00 as an
 * emailed entry but not as sent.
 */
export function campaignPeriod(period: { from: Date; to: Date }): { from: Date; to: Date } {
  const dayStart = (instant: Date) => Math.floor(instant.getTime() / DAY_MS) * DAY_MS;
  const to = dayStart(period.to);
  return { from: new Date(dayStart(period.from)), to: new Date(to === period.to.getTime() ? to : to + DAY_MS) };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

function campaignReports(snapshot: TableSnapshot, reportOptions: ReportOptions, now: Date): CampaignReport[] {
  const options = { ...reportOptions, ...campaignPeriod(reportOptions) };
  const from = options.from.getTime();
  const to = options.to.getTime();
  const inPeriod = (iso: string) => Date.parse(iso) >= from && Date.parse(iso) < to;
  // A day's counters count when the day starts inside the period (as in stepResults).
  const dayInPeriod = (day: string) => inPeriod(`${day}T00:00:00.000Z`);
  const redemptions = journeyRedemptions(snapshot.couponsIssued, snapshot.couponUses, options);
  // Each record of the period under its campaign, once, instead of every campaign filtering all.
  const ledgerOf = groupBy(snapshot.contacts.filter((c) => inPeriod(c.at)), (c) => c.campaignId);
  const olderDaysOf = groupBy(snapshot.olderJourneyDays.filter((d) => dayInPeriod(d.day)), (d) => d.journeyId);
  const stepDaysOf = groupBy(snapshot.stepDays.filter((d) => dayInPeriod(d.day)), (d) => d.journeyId);
  const variantSendsOf = groupBy(
    snapshot.journeySends.filter((send) => send.variant && inPeriod(send.at)),
    (send) => send.journeyId,
  );
  const ids = new Set([...ledgerOf.keys(), ...olderDaysOf.keys(), ...redemptions.keys(), ...stepDaysOf.keys()]);
  const orders = ordersOf(snapshot.customers);
  const locales = new Map(
    snapshot.customers.flatMap((c) => (c.locale ? [[c.customerId, c.locale] as const] : [])),
  );
  const firstEmails = firstEmailOfEachEntry(snapshot.journeySends, now);
  return [...ids].sort().map((campaignId) => {
    const ledger = (ledgerOf.get(campaignId) ?? []).map(contactOf);
    // A journey's treatment is one contact per emailed entry, like its holdout (one per entry held
    // out); a campaign without journey records keeps one contact per email.
    const entries = firstEmails.get(campaignId);
    const contacts = entries
      ? [
          ...entries.filter((c) => inPeriod(c.at)),
          ...ledger.filter((c) => c.group === 'holdout'),
        ]
      : ledger;
    const counts = journeyTotals(stepDaysOf.get(campaignId) ?? [], olderDaysOf.get(campaignId));
    const outcome = campaignOutcome(contacts, orders, options.attributionDays);
    const breakdown = (keyOf: (contact: CampaignContact) => string) =>
      campaignBreakdown(contacts, orders, options.attributionDays, keyOf);
    const recipients = contacts.filter((c) => c.group === 'treatment').length;
    const holdout = contacts.length - recipients;
    return {
      campaignId,
      sent: counts.sent,
      recipients,
      delivered: counts.delivered,
      bounced: counts.bounced,
      complained: counts.complained,
      opened: counts.opened,
      clicked: counts.clicked,
      unsubscribed: counts.unsubscribed,
      holdout,
      converted: outcome.converted.treatment,
      holdoutConverted: outcome.converted.holdout,
      conversionRate: recipients === 0 ? null : outcome.converted.treatment / recipients,
      holdoutConversionRate: holdout === 0 ? null : outcome.converted.holdout / holdout,
      revenueMilli: outcome.revenueMilli.treatment,
      revenuePerRecipientMilli:
        recipients === 0 ? null : Math.round(outcome.revenueMilli.treatment / recipients),
      holdoutRevenueMilli: outcome.revenueMilli.holdout,
      holdoutRevenuePerContactMilli:
        holdout === 0 ? null : Math.round(outcome.revenueMilli.holdout / holdout),
      uplift: outcome.uplift,
      revenueUplift: outcome.revenueUplift,
      weekly: breakdown((contact) => weekOf(contact.at)),
      byLocale: breakdown((contact) => locales.get(contact.customerId) ?? UNKNOWN_LOCALE),
      variants: splitResults(
        [
          ...(variantSendsOf.get(campaignId) ?? []).flatMap((send) =>
            send.variant ? [{ customerId: send.customerId, group: 'treatment' as const, at: send.at, variant: send.variant }] : [],
          ),
          ...contacts.filter((contact) => contact.group === 'holdout'),
        ],
        orders,
        options.attributionDays,
      ),
      coupons: redemptions.get(campaignId) ?? NO_REDEMPTIONS,
      holdoutPercent: snapshot.journeys.get(campaignId)?.holdoutPercent ?? null,
      steps: stepResults(
        stepDaysOf.get(campaignId) ?? [],
        { journeyId: campaignId, shape: snapshot.journeys.get(campaignId), heldOut: holdout },
        options.from,
        options.to,
      ),
    };
  });
}

export function buildLoyaltyReport(
  snapshot: TableSnapshot,
  stored: SegmentThresholds | undefined,
  options: ReportOptions,
  now: Date,
  predictionModel?: StoredPredictionModel,
): LoyaltyReport {
  const asOf = new Date(Math.min(options.to.getTime() - 1, now.getTime()));
  // The weekly job's thresholds describe the shop as it was when it ran: a period that ended
  // before that run, or long after it, gets thresholds computed as of its own end.
  const thresholdsAge = stored ? asOf.getTime() + 1000 - Date.parse(stored.computedAt) : -1;
  const thresholds =
    stored && thresholdsAge >= 0 && thresholdsAge <= THRESHOLDS_FRESH_MS
      ? { ...stored, source: 'weekly job' as const }
      : {
          ...computeSegmentThresholds(snapshot.customers, asOf),
          source: 'computed for this report' as const,
        };
  const scope = snapshot.customers.filter(
    (c) =>
      Date.parse(c.signedUpAt) <= asOf.getTime() &&
      (options.cohort === undefined || cohortOf(c) === options.cohort),
  );
  const rates = responseRates(snapshot, asOf, options.attributionDays);
  const segments = {
    lifecycle: zeroes(LIFECYCLE_STAGES),
    rfm: zeroes(RFM_SEGMENTS),
    valueTier: zeroes(['high-value', 'standard']),
    loyaltyType: zeroes(LOYALTY_TYPES),
    relationshipLevel: zeroes(RELATIONSHIP_LEVELS),
  };
  const bump = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const customer of scope) {
    const rate = rates.get(customer.customerId);
    const found = customerSegments(
      customer,
      thresholds,
      asOf,
      rate === undefined ? {} : { campaignResponseRate: rate },
    );
    bump(segments.lifecycle, found.lifecycle);
    if (found.rfm) bump(segments.rfm, found.rfm.segment);
    bump(segments.valueTier, found.valueTier);
    bump(segments.loyaltyType, found.loyaltyType);
    bump(segments.relationshipLevel, found.relationshipLevel);
  }
  const metrics = programMetrics(
    snapshot.customers,
    { from: options.from, to: options.to },
    options.cohort ? { cohort: options.cohort } : {},
  );
  const order = options.tierOrder ?? [];
  const rank = (tier: string) => (order.includes(tier) ? order.indexOf(tier) : order.length);
  const tierDistribution = Object.entries(metrics.tierDistribution)
    .map(([tier, customers]) => ({ tier, customers }))
    .sort((a, b) => rank(a.tier) - rank(b.tier) || a.tier.localeCompare(b.tier));
  const untiered = metrics.customers - tierDistribution.reduce((sum, row) => sum + row.customers, 0);
  if (untiered > 0) tierDistribution.push({ tier: NO_TIER, customers: untiered });
  const cohorts = [
    ...new Set(
      snapshot.customers
        .map(cohortOf)
        .filter((c): c is string => c !== undefined && c <= asOf.toISOString().slice(0, 7)),
    ),
  ]
    .sort()
    .filter((cohort) => options.cohort === undefined || cohort === options.cohort)
    .slice(-(options.cohortCurves ?? 6));
  return {
    generatedAt: now.toISOString(),
    currency: options.currency,
    attributionDays: options.attributionDays,
    segmentsAsOf: asOf.toISOString(),
    thresholds,
    metrics,
    segments,
    tierDistribution,
    cohortRetention: cohorts.map((cohort) => ({
      cohort,
      customers: snapshot.customers.filter((c) => cohortOf(c) === cohort).length,
      curve: cohortRetentionCurve(snapshot.customers, cohort, asOf),
    })),
    campaigns: campaignReports(snapshot, options, now),
    controlGroup:
      (options.controlGroup &&
        controlGroupResults(snapshot.customers, options.controlGroup, { from: options.from, to: options.to })) ??
      null,
    unattributedCodes: unattributedCodes(snapshot.couponUses, options),
    predictions: predictionSection(predictionModel, scope, { from: options.from, to: options.to }, asOf),
  };
}

/** Default period: the 90 days up to now. */
export function defaultReportPeriod(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - 90 * DAY_MS), to: now };
}

/** Scans the table (parallel segments), reads the weekly thresholds and model, builds the report. */
export async function loadLoyaltyReport(
  store: SegmentStore,
  options: ReportOptions,
  now: Date,
  totalSegments = 4,
  predictions?: PredictionStore,
): Promise<LoyaltyReport> {
  const [snapshot, thresholds, model] = await Promise.all([
    store.scanSnapshot(totalSegments),
    store.thresholds(),
    predictions?.model(),
  ]);
  return buildLoyaltyReport(snapshot, thresholds, options, now, model);
}
