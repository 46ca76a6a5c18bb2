// Journey conditions (`trigger.where`, a branch's `if`): the audience filter marketers know —
// tiers, lifecycle stages, segments, locales, spend, orders, attributes — plus facts about the
// customer's run through the journey. Pure: the caller gathers the facts; the verdict names why,
// so `campaigns explain` can show the reason a branch was taken or a send was skipped.
import * as z from 'zod';
import { CHURN_RISK_BANDS } from './customer-predictions.ts';
import { holdoutDraw } from './holdout.ts';
import { decimalToMilli, type Milli, milliToDecimal } from './money.ts';

/** Amounts as decimal text in the program currency ("10.00"), never floats. */
export const moneyText = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => /^\d+(\.\d{1,3})?$/.test(value), { message: 'must be an amount such as "10.00"' });

export const localeName = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, { message: 'must be a locale such as en-US or zh-CN' });

const names = z.array(z.string().min(1)).min(1);
const probability = z.number().min(0).max(1);

/** Every listed part must hold; an empty condition holds for everyone. */
export const conditionSchema = z.strictObject({
  /** Loyalty tier ids from program.yaml. */
  tiers: names.optional(),
  /** Lifecycle stages (new, active, at-risk, lapsed, churned ...). */
  lifecycleStages: names.optional(),
  /** RFM / value segments: in at least one of them. */
  segments: names.optional(),
  /** Profile locale, exact (zh-CN) or by language (zh). */
  locales: z.array(localeName).min(1).optional(),
  /** Net spend of the tier window (last 365 days). */
  minSpend: moneyText.optional(),
  maxSpend: moneyText.optional(),
  /** Orders placed (lifetime). */
  minOrders: z.number().int().min(0).optional(),
  maxOrders: z.number().int().min(0).optional(),
  /** Profile attributes that must equal these values. */
  attributes: z.record(z.string(), z.string()).optional(),
  /** true: bought after entering this journey (false: has not). */
  purchasedSinceEntry: z.boolean().optional(),
  /** true: was emailed (by any campaign) after entering this journey (false: was not). */
  emailedSinceEntry: z.boolean().optional(),
  /** Spend still needed for the next tier is at most maxSpend (fails at the top tier). */
  toNextTier: z.strictObject({ maxSpend: moneyText }).optional(),
  /** Points balance within [min, max]. */
  points: z
    .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .optional(),
  /** Predicted probability the customer is still active (BG/NBD, docs/predictions.md) within [min, max]. */
  pAlive: z.strictObject({ min: probability.optional(), max: probability.optional() }).optional(),
  /** Churn-risk band (P(alive) < 0.5 high, < 0.8 medium, else low): one of these. */
  churnRisk: z.array(z.enum(CHURN_RISK_BANDS)).min(1).optional(),
  /** Predicted value of the next 12 months within [min, max]. */
  predictedValue: z.strictObject({ min: moneyText.optional(), max: moneyText.optional() }).optional(),
  /**
   * A stable random share of customers: each customer falls in one of 100 buckets of the named
   * draw (deterministic per name and customer); holds for buckets from..to. Two journeys with
   * `{ of: x, from: 0, to: 49 }` and `{ of: x, from: 50, to: 99 }` split the base between them.
   */
  bucket: z
    .strictObject({
      of: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' }),
      from: z.number().int().min(0).max(99),
      to: z.number().int().min(0).max(99),
    })
    .refine((bucket) => bucket.from <= bucket.to, { message: 'from must not be above to', path: ['from'] })
    .optional(),
});
export type Condition = z.output<typeof conditionSchema>;

/** What a condition is evaluated against: the profile as it stands, plus the run's entry time. */
export interface ConditionFacts {
  /** Whose facts these are (the `bucket` draw). */
  customerId?: string | undefined;
  tier?: string | undefined;
  lifecycleStage?: string | undefined;
  segments?: readonly string[] | undefined;
  locale?: string | undefined;
  /** Net spend of the last 365 days (the tier window), milli-units. */
  spendMilli: Milli;
  orderCount: number;
  attributes?: Readonly<Record<string, string>> | undefined;
  pointsBalance: number;
  /** Spend still needed for the next tier; undefined at the top tier. */
  spendToNextTierMilli?: Milli | undefined;
  lastPurchaseAt?: string | undefined;
  lastEmailedAt?: string | undefined;
  /** When the customer entered the journey (absent when checking entry itself). */
  enteredAt?: string | undefined;
  /** The profile's predictions moved to now (predictionAt); absent before the first fit. */
  predictions?: { pAlive: number; churnRisk: string; predictedValue12mMilli?: Milli | undefined } | undefined;
}

export type ConditionVerdict = { holds: true; reason: string } | { holds: false; reason: string };

/** Amounts are validated decimal text, so this never falls back in practice. */
const milliOf = (amount: string): Milli => decimalToMilli(amount) ?? 0;
const formatMilli = (milli: Milli): string => milliToDecimal(milli).toFixed(2);

const after = (instant: string | undefined, since: string | undefined): boolean =>
  instant !== undefined && since !== undefined && Date.parse(instant) > Date.parse(since);

/** One check per part of the condition, in the order the file lists them conceptually. */
function checks(condition: Condition, facts: ConditionFacts): [boolean, string][] {
  const out: [boolean, string][] = [];
  if (condition.tiers)
    out.push([
      condition.tiers.includes(facts.tier ?? ''),
      `tier ${facts.tier ?? 'none'} ${condition.tiers.includes(facts.tier ?? '') ? 'in' : 'not in'} ${condition.tiers.join(', ')}`,
    ]);
  if (condition.lifecycleStages) {
    const ok = condition.lifecycleStages.includes(facts.lifecycleStage ?? '');
    out.push([
      ok,
      `lifecycle stage ${facts.lifecycleStage ?? 'unknown'} ${ok ? 'in' : 'not in'} ${condition.lifecycleStages.join(', ')}`,
    ]);
  }
  if (condition.segments) {
    const hit = condition.segments.find((segment) => facts.segments?.includes(segment));
    out.push([
      hit !== undefined,
      hit ? `in segment ${hit}` : `in none of the segments ${condition.segments.join(', ')}`,
    ]);
  }
  if (condition.locales) {
    const ok = condition.locales.some((wanted) => facts.locale !== undefined && localeMatches(facts.locale, wanted));
    out.push([
      ok,
      `locale ${facts.locale ?? 'none'} ${ok ? 'in' : 'not in'} ${condition.locales.join(', ')}`,
    ]);
  }
  const spend = formatMilli(facts.spendMilli);
  if (condition.minSpend !== undefined) {
    const ok = facts.spendMilli >= milliOf(condition.minSpend);
    out.push([ok, `spend ${spend} ${ok ? '≥' : '<'} ${condition.minSpend}`]);
  }
  if (condition.maxSpend !== undefined) {
    const ok = facts.spendMilli <= milliOf(condition.maxSpend);
    out.push([ok, `spend ${spend} ${ok ? '≤' : '>'} ${condition.maxSpend}`]);
  }
  if (condition.minOrders !== undefined) {
    const ok = facts.orderCount >= condition.minOrders;
    out.push([ok, `${facts.orderCount} orders ${ok ? '≥' : '<'} ${condition.minOrders}`]);
  }
  if (condition.maxOrders !== undefined) {
    const ok = facts.orderCount <= condition.maxOrders;
    out.push([ok, `${facts.orderCount} orders ${ok ? '≤' : '>'} ${condition.maxOrders}`]);
  }
  for (const [name, value] of Object.entries(condition.attributes ?? {})) {
    const ok = facts.attributes?.[name] === value;
    out.push([ok, `attribute ${name} ${ok ? 'is' : 'is not'} ${value}`]);
  }
  if (condition.purchasedSinceEntry !== undefined) {
    const bought = after(facts.lastPurchaseAt, facts.enteredAt);
    out.push([
      bought === condition.purchasedSinceEntry,
      bought ? `purchased since entry (${facts.lastPurchaseAt})` : 'no purchase since entry',
    ]);
  }
  if (condition.emailedSinceEntry !== undefined) {
    const emailed = after(facts.lastEmailedAt, facts.enteredAt);
    out.push([
      emailed === condition.emailedSinceEntry,
      emailed ? `emailed since entry (${facts.lastEmailedAt})` : 'not emailed since entry',
    ]);
  }
  if (condition.toNextTier) {
    const needed = facts.spendToNextTierMilli;
    const ok = needed !== undefined && needed <= milliOf(condition.toNextTier.maxSpend);
    out.push([
      ok,
      needed === undefined
        ? 'already at the top tier'
        : `${formatMilli(needed)} to the next tier ${ok ? '≤' : '>'} ${condition.toNextTier.maxSpend}`,
    ]);
  }
  if (condition.points) {
    const { min, max } = condition.points;
    const ok =
      (min === undefined || facts.pointsBalance >= min) && (max === undefined || facts.pointsBalance <= max);
    out.push([ok, `${facts.pointsBalance} points ${ok ? 'within' : 'outside'} ${min ?? 0}..${max ?? '∞'}`]);
  }
  out.push(...predictionChecks(condition, facts.predictions));
  return out;
}

/** The prediction parts: each fails, saying so, for a customer with no predictions yet. */
function predictionChecks(condition: Condition, predictions: ConditionFacts['predictions']): [boolean, string][] {
  const out: [boolean, string][] = [];
  const none = 'no predictions yet (no purchase, or no model fitted)';
  if (condition.pAlive) {
    const { min = 0, max = 1 } = condition.pAlive;
    const ok = predictions !== undefined && predictions.pAlive >= min && predictions.pAlive <= max;
    out.push([ok, predictions ? `P(alive) ${predictions.pAlive.toFixed(2)} ${ok ? 'within' : 'outside'} ${min}..${max}` : none]);
  }
  if (condition.churnRisk) {
    const ok = predictions !== undefined && condition.churnRisk.some((band) => band === predictions.churnRisk);
    out.push([ok, predictions ? `churn risk ${predictions.churnRisk} ${ok ? 'in' : 'not in'} ${condition.churnRisk.join(', ')}` : none]);
  }
  if (condition.predictedValue) {
    const value = predictions?.predictedValue12mMilli;
    const { min, max } = condition.predictedValue;
    const ok =
      value !== undefined && (min === undefined || value >= milliOf(min)) && (max === undefined || value <= milliOf(max));
    out.push([
      ok,
      value === undefined
        ? `${none}, or no spend model`
        : `predicted 12-month value ${formatMilli(value)} ${ok ? 'within' : 'outside'} ${min ?? '0'}..${max ?? '∞'}`,
    ]);
  }
  return out;
}

/** The customer's bucket (0..99) of a named draw: the `bucket` condition. */
export function bucketOf(draw: string, customerId: string): number {
  return Math.floor(holdoutDraw(`bucket#${draw}`, customerId) * 100);
}

function bucketCheck(condition: Condition, facts: ConditionFacts): [boolean, string][] {
  if (!condition.bucket) return [];
  const { of, from, to } = condition.bucket;
  if (!facts.customerId) return [[false, `bucket of ${of}: no customer id`]];
  const bucket = bucketOf(of, facts.customerId);
  const ok = bucket >= from && bucket <= to;
  return [[ok, `bucket ${bucket} of ${of} ${ok ? 'within' : 'outside'} ${from}..${to}`]];
}

/** True if any of the conditions asks whether the customer was emailed since entry (one more read). */
export function asksEmailed(conditions: readonly (Condition | undefined)[]): boolean {
  return conditions.some((condition) => condition?.emailedSinceEntry !== undefined);
}

/** The verdict of the first condition that does not hold; undefined when every one holds. */
export function firstFailing(
  conditions: readonly Condition[],
  facts: ConditionFacts,
): ConditionVerdict | undefined {
  for (const condition of conditions) {
    const verdict = evaluateCondition(condition, facts);
    if (!verdict.holds) return verdict;
  }
  return undefined;
}

/** Holds when every part holds; the reason is the first failing part, or every part that held. */
export function evaluateCondition(condition: Condition, facts: ConditionFacts): ConditionVerdict {
  const results = [...checks(condition, facts), ...bucketCheck(condition, facts)];
  const failed = results.find(([ok]) => !ok);
  if (failed) return { holds: false, reason: failed[1] };
  return { holds: true, reason: results.length ? results.map(([, why]) => why).join('; ') : 'no condition' };
}

/** A locale condition names a locale (zh-CN, exact) or a language (zh: zh-CN, zh-TW …). */
export function localeMatches(locale: string, wanted: string): boolean {
  return locale === wanted || locale.split('-')[0] === wanted;
}
