// A campaign's results cut by a key (week of the send, customer locale): per group, the
// recipients and held-out contacts, who converted within the attribution window and the revenue
// — the same attribution as the campaign's totals, so the groups add up to them.
import { DAY_MS } from './clock.ts';
import type { Milli } from './money.ts';
import { type AttributedOrder, type CampaignContact, campaignOutcome } from './uplift.ts';

export interface BreakdownRow {
  key: string;
  recipients: number;
  converted: number;
  revenueMilli: Milli;
  /** revenue / recipients, rounded to the milli-unit; null without recipients. */
  revenuePerRecipientMilli: Milli | null;
  holdout: number;
  holdoutConverted: number;
  holdoutRevenueMilli: Milli;
}

/** Rows in key order, one per key seen on a contact. */
export function campaignBreakdown(
  contacts: readonly CampaignContact[],
  orders: readonly AttributedOrder[],
  windowDays: number,
  keyOf: (contact: CampaignContact) => string,
): BreakdownRow[] {
  const groups = new Map<string, CampaignContact[]>();
  for (const contact of contacts) {
    const key = keyOf(contact);
    const group = groups.get(key);
    if (group) group.push(contact);
    else groups.set(key, [contact]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => {
      const outcome = campaignOutcome(group, orders, windowDays);
      const recipients = group.filter((contact) => contact.group === 'treatment').length;
      return {
        key,
        recipients,
        converted: outcome.converted.treatment,
        revenueMilli: outcome.revenueMilli.treatment,
        revenuePerRecipientMilli:
          recipients === 0 ? null : Math.round(outcome.revenueMilli.treatment / recipients),
        holdout: group.length - recipients,
        holdoutConverted: outcome.converted.holdout,
        holdoutRevenueMilli: outcome.revenueMilli.holdout,
      };
    });
}

/** The Monday (UTC) of the ISO week an instant falls in, as YYYY-MM-DD: the weekly trend's key. */
export function weekOf(iso: string): string {
  const day = Math.floor(Date.parse(iso) / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  const monday = day - ((day + 3) % 7);
  return new Date(monday * DAY_MS).toISOString().slice(0, 10);
}
