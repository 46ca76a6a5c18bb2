// Holdout (control) groups: a deterministic, per-campaign share of customers who are recorded as
// "held out" instead of being sent the campaign, so its uplift can be measured against them.
// Deterministic: the same customer is always in or out of the same campaign's holdout; per
// campaign: being held out of one campaign says nothing about another.
import { createHash } from 'node:crypto';

/** A uniform draw in [0, 1) from the campaign and customer ids (48 bits of SHA-256). */
export function holdoutDraw(campaignId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${campaignId}\u0000${customerId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** True if the customer belongs to the campaign's holdout group of `percent` percent. */
export function isHeldOut(campaignId: string, customerId: string, percent: number): boolean {
  return percent > 0 && holdoutDraw(campaignId, customerId) < percent / 100;
}

/** True if this entry of the journey is held out: drawn per entry, so each occasion is a fresh draw. */
export function isEntryHeldOut(journeyId: string, entryId: string, customerId: string, percent: number): boolean {
  return isHeldOut(`${journeyId}#${entryId}`, customerId, percent);
}
