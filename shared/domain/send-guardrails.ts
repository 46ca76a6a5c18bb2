// Reputation guardrails: a journey whose own hard bounces or complaints spike is paused before it
// drags the whole account's sending reputation down, and all marketing pauses when the account
// as a whole approaches the lines where AWS puts SES sending under review. Pure: the counts come
// from the journeys' hourly slots (the account's are their sum), the clock and the limits are arguments.
import * as z from 'zod';

/**
 * The published lines the defaults are set against (docs/guardrails.md explains each):
 * - SES: an account is put under review at a 5% bounce rate or 0.1% complaint rate, and sending
 *   may be paused at 10% / 0.5% (SES Developer Guide, "Sending review process FAQs").
 * - Gmail and Yahoo bulk-sender rules (February 2024): keep the spam-complaint rate below 0.3%,
 *   aim below 0.1% (Gmail Email sender guidelines; Yahoo Sender Hub best practices).
 */
export const REPUTATION_LINES = {
  sesReview: { hardBounceRate: 0.05, complaintRate: 0.001 },
  sesPause: { hardBounceRate: 0.1, complaintRate: 0.005 },
  mailboxProviders: { complaintRate: 0.003, complaintRateAim: 0.001 },
} as const;

/** Slots kept per journey: one per hour of the longest window (24 hours). */
export const GUARDRAIL_HOURS = 24;

const percent = z.number().min(0).max(100);

const limitsSchema = (defaults: {
  hardBouncePercent: number;
  complaintPercent: number;
  windowSends: number;
  minSends: number;
}) =>
  z.strictObject({
    /** Pause above this share of hard bounces in the window, in percent. */
    hardBouncePercent: percent.default(defaults.hardBouncePercent),
    /** Pause above this share of complaints in the window, in percent. */
    complaintPercent: percent.default(defaults.complaintPercent),
    /** The window is the last `windowSends` sends or `windowHours` hours, whichever is smaller. */
    windowSends: z.number().int().min(1).default(defaults.windowSends),
    windowHours: z.number().int().min(1).max(GUARDRAIL_HOURS).default(24),
    /** Below this many sends in the window the rates are noise: never pause on them. */
    minSends: z.number().int().min(1).default(defaults.minSends),
  });

export const capClassSchema = z.enum(['marketing', 'tier-upgrade']);

/** Per journey: below the SES review lines with room to spare, so one journey trips first. */
const journeyLimits = limitsSchema({ hardBouncePercent: 4, complaintPercent: 0.08, windowSends: 500, minSends: 100 });
/** The whole account: just under the SES review lines (5% / 0.1%), over a larger sample. */
const accountLimits = limitsSchema({
  hardBouncePercent: 4.5,
  complaintPercent: 0.09,
  windowSends: 10_000,
  minSends: 1000,
}).extend({
  /** Cap classes that keep sending while the account brake is on (e.g. tier-upgrade). */
  continueCapClasses: z.array(capClassSchema).default([]),
});

const guardrailFields = z.strictObject({
  journey: journeyLimits.default(() => journeyLimits.parse({})),
  account: accountLimits.default(() => accountLimits.parse({})),
});

/** program.yaml `guardrails:` — every field optional, defaults as documented. */
export const guardrailSettingsSchema = guardrailFields.default(() => guardrailFields.parse({}));
export type GuardrailSettings = z.output<typeof guardrailSettingsSchema>;
export type GuardrailLimits = GuardrailSettings['journey'];

/** Who a guardrail watches: one journey, or the whole account. */
export type GuardrailScope = { kind: 'journey'; journeyId: string } | { kind: 'account' };
export const ACCOUNT_SCOPE: GuardrailScope = { kind: 'account' };
export const journeyScope = (journeyId: string): GuardrailScope => ({ kind: 'journey', journeyId });

/** Counts of one hour: `hour` is whole hours since the epoch. */
export interface HourCounts {
  hour: number;
  sends: number;
  hardBounces: number;
  complaints: number;
}

export const hourOf = (at: Date): number => Math.floor(at.getTime() / 3_600_000);

/**
 * The account's hours: every journey's counts of the same hour added up. Every send is a
 * journey's, so this is exactly what the account would have counted itself, without a second
 * write per email; judged rarely (after a bounce or complaint), read rarely.
 */
export function accountHours(journeys: HourCounts[][]): HourCounts[] {
  const byHour = new Map<number, HourCounts>();
  for (const slot of journeys.flat()) {
    const sum = byHour.get(slot.hour) ?? { hour: slot.hour, sends: 0, hardBounces: 0, complaints: 0 };
    byHour.set(slot.hour, {
      hour: slot.hour,
      sends: sum.sends + slot.sends,
      hardBounces: sum.hardBounces + slot.hardBounces,
      complaints: sum.complaints + slot.complaints,
    });
  }
  return [...byHour.values()];
}

/** The resume hour's counts when an operator resumed: they no longer count against the scope. */
export type ResumeBaseline = HourCounts;

export interface WindowFigures {
  sends: number;
  hardBounces: number;
  complaints: number;
  hardBounceRate: number;
  complaintRate: number;
  /** First hour (ISO) the window covers. */
  from: string;
}

/**
 * The rolling window at `now`: newest hour first, hours are added until `windowSends` sends are
 * covered or `windowHours` have passed, whichever comes first (so a big journey is judged on its
 * last 500 sends, a small one on its last day). Hours before a resume do not count, and the
 * resume hour counts only what arrived after the resume.
 */
export function windowFigures(
  slots: HourCounts[],
  now: Date,
  limits: Pick<GuardrailLimits, 'windowSends' | 'windowHours'>,
  baseline?: ResumeBaseline,
): WindowFigures {
  const current = hourOf(now);
  const byHour = new Map(slots.map((slot) => [slot.hour, slot]));
  const total = { sends: 0, hardBounces: 0, complaints: 0 };
  let from = current;
  for (let hour = current; hour > current - limits.windowHours; hour--) {
    if (baseline && hour < baseline.hour) break;
    const slot = byHour.get(hour);
    from = hour;
    if (!slot) continue;
    const before = baseline?.hour === hour ? baseline : undefined;
    total.sends += Math.max(0, slot.sends - (before?.sends ?? 0));
    total.hardBounces += Math.max(0, slot.hardBounces - (before?.hardBounces ?? 0));
    total.complaints += Math.max(0, slot.complaints - (before?.complaints ?? 0));
    if (total.sends >= limits.windowSends) break;
  }
  return {
    ...total,
    hardBounceRate: total.sends ? total.hardBounces / total.sends : 0,
    complaintRate: total.sends ? total.complaints / total.sends : 0,
    from: new Date(from * 3_600_000).toISOString(),
  };
}

export type GuardrailReason = 'hard-bounce-rate' | 'complaint-rate';

export type GuardrailVerdict =
  | { pause: false; why: string }
  | { pause: true; reasons: GuardrailReason[]; why: string };

/** A rate as the guardrails show it: a percentage to three decimals at most (0.083%, 5%). */
export const ratePercent = (rate: number) => `${(rate * 100).toFixed(3).replace(/\.?0+$/, '')}%`;

/** Pause when either rate is strictly above its limit over at least `minSends` sends. */
export function guardrailVerdict(figures: WindowFigures, limits: GuardrailLimits): GuardrailVerdict {
  if (figures.sends < limits.minSends) {
    return { pause: false, why: `${figures.sends} sends in the window, below the minimum sample of ${limits.minSends}` };
  }
  const reasons: GuardrailReason[] = [];
  const parts: string[] = [];
  if (figures.hardBounceRate > limits.hardBouncePercent / 100) {
    reasons.push('hard-bounce-rate');
    parts.push(`hard bounces ${ratePercent(figures.hardBounceRate)} > ${limits.hardBouncePercent}%`);
  }
  if (figures.complaintRate > limits.complaintPercent / 100) {
    reasons.push('complaint-rate');
    parts.push(`complaints ${ratePercent(figures.complaintRate)} > ${limits.complaintPercent}%`);
  }
  const over = `${figures.sends} sends since ${figures.from}`;
  return reasons.length
    ? { pause: true, reasons, why: `${parts.join(', ')} over ${over}` }
    : {
        pause: false,
        why: `hard bounces ${ratePercent(figures.hardBounceRate)}, complaints ${ratePercent(figures.complaintRate)} over ${over}: within limits`,
      };
}
