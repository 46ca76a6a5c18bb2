// Coupon results for the report: per journey, and per step and split variant, how many unique
// codes were issued in the period and how many of THOSE codes were redeemed (numerator and
// denominator from the same group: codes issued in the period), with the revenue of the orders
// that redeemed them. Codes that were not attributed — expired, foreign, already used — are
// counted by the day of the order that carried them, never attributed to a journey.
import type { CouponOutcome } from './coupon.ts';
import type { Milli } from './money.ts';

/** A coupon as issued by a journey send step. */
export interface IssuedCouponFact {
  journeyId: string;
  stepId: string | undefined;
  variant: string | undefined;
  issuedAt: string;
}

/** An order that carried a code, with the verdict recorded on it. */
export interface CouponUseFact {
  at: string;
  amountMilli: Milli;
  outcome: CouponOutcome;
  /** Redeemed: the send that issued the code. */
  journeyId?: string | undefined;
  stepId?: string | undefined;
  variant?: string | undefined;
  issuedAt?: string | undefined;
}

export interface RedemptionRow {
  /** The send step (undefined for codes issued before steps were recorded). */
  step: string | undefined;
  variant: string | undefined;
  issued: number;
  redeemed: number;
  /** redeemed / issued; null without codes issued. */
  redemptionRate: number | null;
  revenueMilli: Milli;
}

export interface JourneyRedemptions extends RedemptionRow {
  /** By send step and variant; rows add up to the journey's figures. */
  steps: RedemptionRow[];
}

/** A journey that issued no coupon (or a stored report from before coupons were counted). */
export const NO_REDEMPTIONS: JourneyRedemptions = {
  step: undefined,
  variant: undefined,
  issued: 0,
  redeemed: 0,
  redemptionRate: null,
  revenueMilli: 0,
  steps: [],
};

export interface UnattributedCodes {
  expired: number;
  foreign: number;
  alreadyUsed: number;
}

export interface Period {
  from: Date;
  to: Date;
}

const within = (iso: string, period: Period) =>
  Date.parse(iso) >= period.from.getTime() && Date.parse(iso) < period.to.getTime();

function row(step: string | undefined, variant: string | undefined): RedemptionRow {
  return { step, variant, issued: 0, redeemed: 0, redemptionRate: null, revenueMilli: 0 };
}

/** Redemptions per journey (codes issued in the period), keyed by journey id. */
export function journeyRedemptions(
  issued: readonly IssuedCouponFact[],
  uses: readonly CouponUseFact[],
  period: Period,
): Map<string, JourneyRedemptions> {
  const journeys = new Map<string, { total: RedemptionRow; steps: Map<string, RedemptionRow> }>();
  const cell = (journeyId: string, step: string | undefined, variant: string | undefined) => {
    let journey = journeys.get(journeyId);
    if (!journey) {
      journey = { total: row(undefined, undefined), steps: new Map() };
      journeys.set(journeyId, journey);
    }
    const key = `${step ?? ''}#${variant ?? ''}`;
    let stepRow = journey.steps.get(key);
    if (!stepRow) {
      stepRow = row(step, variant);
      journey.steps.set(key, stepRow);
    }
    return [journey.total, stepRow] as const;
  };
  for (const coupon of issued) {
    if (!within(coupon.issuedAt, period)) continue;
    for (const target of cell(coupon.journeyId, coupon.stepId, coupon.variant)) target.issued += 1;
  }
  for (const use of uses) {
    if (use.outcome !== 'redeemed' || !use.journeyId || !use.issuedAt || !within(use.issuedAt, period)) continue;
    for (const target of cell(use.journeyId, use.stepId, use.variant)) {
      target.redeemed += 1;
      target.revenueMilli += use.amountMilli;
    }
  }
  const rate = (r: RedemptionRow): RedemptionRow => ({
    ...r,
    redemptionRate: r.issued === 0 ? null : r.redeemed / r.issued,
  });
  return new Map(
    [...journeys].map(([journeyId, { total, steps }]) => [
      journeyId,
      {
        ...rate(total),
        steps: [...steps.values()]
          .map(rate)
          .sort((a, b) => (a.step ?? '').localeCompare(b.step ?? '') || (a.variant ?? '').localeCompare(b.variant ?? '')),
      },
    ]),
  );
}

/** Orders in the period whose code was not attributed, by why. */
export function unattributedCodes(uses: readonly CouponUseFact[], period: Period): UnattributedCodes {
  const counts: UnattributedCodes = { expired: 0, foreign: 0, alreadyUsed: 0 };
  for (const use of uses) {
    if (!within(use.at, period)) continue;
    if (use.outcome === 'expired') counts.expired += 1;
    else if (use.outcome === 'foreign') counts.foreign += 1;
    else if (use.outcome === 'already-used') counts.alreadyUsed += 1;
  }
  return counts;
}
