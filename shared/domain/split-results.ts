// A/B split results: per variant of a journey, who was sent, who was held out and who converted,
// with the uplift of each variant over the control group (the existing Newcombe statistics).
// Holdout contacts that carry a variant are that variant's control; those without one (held out
// at entry, before any split) are the control of every variant.
import type { Milli } from './money.ts';
import {
  type AttributedOrder,
  type CampaignContact,
  campaignOutcome,
  type RevenueUplift,
  type UpliftEstimate,
} from './uplift.ts';

export interface VariantContact extends CampaignContact {
  /** The split path taken; absent for contacts made before (or without) a split. */
  variant?: string | undefined;
}

export interface VariantResult {
  variant: string;
  sent: number;
  heldOut: number;
  converted: number;
  holdoutConverted: number;
  conversionRate: number | null;
  revenueMilli: Milli;
  uplift: UpliftEstimate | undefined;
  /** Revenue per send minus revenue per control contact, with its 95% interval. */
  revenueUplift: RevenueUplift | undefined;
}

/** One result per variant seen on a sent contact, in name order; empty when nothing was split. */
export function splitResults(
  contacts: readonly VariantContact[],
  orders: readonly AttributedOrder[],
  windowDays: number,
): VariantResult[] {
  const variants = [
    ...new Set(contacts.flatMap((c) => (c.group === 'treatment' && c.variant ? [c.variant] : []))),
  ].sort();
  const sharedControl = contacts.filter((c) => c.group === 'holdout' && !c.variant);
  return variants.map((variant) => {
    const treatment = contacts.filter((c) => c.group === 'treatment' && c.variant === variant);
    const ownControl = contacts.filter((c) => c.group === 'holdout' && c.variant === variant);
    const control = ownControl.length ? ownControl : sharedControl;
    const outcome = campaignOutcome([...treatment, ...control], orders, windowDays);
    return {
      variant,
      sent: treatment.length,
      heldOut: control.length,
      converted: outcome.converted.treatment,
      holdoutConverted: outcome.converted.holdout,
      conversionRate: treatment.length ? outcome.converted.treatment / treatment.length : null,
      revenueMilli: outcome.revenueMilli.treatment,
      uplift: outcome.uplift,
      revenueUplift: outcome.revenueUplift,
    };
  });
}
