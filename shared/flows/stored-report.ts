// A loyalty report the weekly analytics run stored, read back for the console's results page and
// `loyalty report --stored`. A report stored by an earlier version lacks the parts added since:
// they are filled with empty values and named in a note, so an old report shows what it has
// instead of breaking, until the next weekly run stores a complete one.
import * as z from 'zod';
import { NO_REDEMPTIONS, type UnattributedCodes } from '../domain/coupon-results.ts';
import { STEP_HOLDOUTS, type StepHoldout } from '../domain/step-results.ts';
import type { LoyaltyReport } from './analytics.ts';

/**
 * Every part added to the report since reports were first stored, as a marketer would name it
 * (revenue uplift came too, but JSON drops an undefined one, so its absence says nothing).
 */
const ADDED_SINCE_FIRST_STORED = {
  coupons: 'coupon redemptions',
  steps: 'results per send step',
  stepUnsubscribed: 'unsubscribes per step',
  stepHoldout: 'what each step is compared with',
  controlGroup: 'the global control group',
  unattributedCodes: 'coupon codes not attributed',
} as const;
type AddedPart = keyof typeof ADDED_SINCE_FIRST_STORED;

// Only what the upgrade reads or fills is checked; the rest passes through as the run wrote it.
const storedStep = z.looseObject({
  step: z.string(),
  unsubscribed: z.number().optional(),
  holdout: z.enum(STEP_HOLDOUTS).optional(),
});
const storedCampaign = z.looseObject({
  campaignId: z.string(),
  holdout: z.number(),
  holdoutPercent: z.number().nullable().optional(),
  coupons: z.looseObject({ steps: z.array(z.unknown()) }).optional(),
  steps: z.array(storedStep).optional(),
});
const storedReport = z.looseObject({
  campaigns: z.array(storedCampaign),
  controlGroup: z.unknown().optional(),
  unattributedCodes: z.looseObject({ expired: z.number() }).optional(),
});

const NO_UNATTRIBUTED: UnattributedCodes = { expired: 0, foreign: 0, alreadyUsed: 0 };

export interface ReadStoredReport {
  report: LoyaltyReport;
  /** The parts this stored report predates (filled empty), by name; empty for a current report. */
  missing: string[];
  /** A sentence for the reader when something is missing. */
  note: string | undefined;
}

/** Reads a stored report's JSON, filling and naming the parts an earlier version did not store. */
export function readStoredReport(json: unknown): ReadStoredReport {
  const parsed = storedReport.parse(json);
  const missing = new Set<AddedPart>();
  const note = (part: AddedPart) => missing.add(part);
  const campaigns = parsed.campaigns.map((campaign) => {
    if (!campaign.coupons) note('coupons');
    if (!campaign.steps) note('steps');
    const steps = (campaign.steps ?? []).map((step) => {
      if (step.unsubscribed === undefined) note('stepUnsubscribed');
      if (step.holdout === undefined) note('stepHoldout');
      // Without the stored comparison, the statement that holds for every step: the journey's uplift.
      const holdout: StepHoldout = step.holdout ?? (campaign.holdout === 0 ? 'no-holdout' : 'later-step');
      return { ...step, unsubscribed: step.unsubscribed ?? 0, holdout };
    });
    // The holdout share joined too; unknown (null) in an older report, which the text says plainly.
    return { ...campaign, holdoutPercent: campaign.holdoutPercent ?? null, coupons: campaign.coupons ?? NO_REDEMPTIONS, steps };
  });
  if (!('controlGroup' in parsed)) note('controlGroup');
  if (!parsed.unattributedCodes) note('unattributedCodes');
  const upgraded = {
    ...parsed,
    campaigns,
    controlGroup: parsed.controlGroup ?? null,
    unattributedCodes: parsed.unattributedCodes ?? NO_UNATTRIBUTED,
  };
  const names = [...missing].map((part) => ADDED_SINCE_FIRST_STORED[part]);
  return {
    // The only writer is the weekly run's JSON of a LoyaltyReport (storeWeeklyReports); every part
    // added to LoyaltyReport since the first stored report is filled above.
    report: upgraded as unknown as LoyaltyReport,
    missing: names,
    note: names.length
      ? `Stored by an earlier version, before ${names.join(', ')}: those show as empty until the next weekly run stores a complete report.`
      : undefined,
  };
}
