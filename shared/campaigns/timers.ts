// File-defined timer campaigns (trigger `first-purchase-anniversary`): armed when a purchase
// arrives, fired by a scheduled runner from the CDUE# hour buckets, sent through the campaign
// gate (enabled, audience, holdout) like every campaign. A campaign defined by a YAML file and
// templates alone runs here — no TypeScript per campaign.
import { createHash } from 'node:crypto';
import type { Campaign } from '../domain/campaign.ts';
import { nextAnniversaryDue, signupDue } from '../domain/campaign-timers.ts';
import { DAY_MS } from '../domain/clock.ts';
import { decimalToMilli } from '../domain/money.ts';
import type { SendQueue, SendRequest } from '../mail/send-request.ts';
import type { CampaignTimer, CampaignTimerStore } from '../store/campaign-timers.ts';
import type { StoredProfile } from '../store/customers.ts';
import { keys } from '../store/keys.ts';

const HOUR_MS = 3_600_000;

export interface CampaignTimerDeps {
  /** Published, enabled campaigns (cached by the caller). */
  campaigns(): Promise<Campaign[]>;
  timers: CampaignTimerStore;
  profileOf(customerId: string): Promise<StoredProfile | undefined>;
  /** The campaign gate around the send-requests queue. */
  queue: SendQueue;
}

const anniversaryCampaigns = (campaigns: Campaign[]) =>
  campaigns.filter((c) => c.enabled && c.trigger.on === 'first-purchase-anniversary');

/** A purchase arms every anniversary campaign from it (an earlier first purchase keeps its timer). */
export async function armOnPurchase(
  deps: CampaignTimerDeps,
  purchase: { customerId: string; purchasedAt: string },
  now: Date,
): Promise<number> {
  const campaigns = anniversaryCampaigns(await deps.campaigns());
  if (!campaigns.length) return 0;
  const profile = (await deps.profileOf(purchase.customerId))?.profile;
  let armed = 0;
  for (const campaign of campaigns) {
    const zone = profile?.timeZone ?? campaign.send.defaultTimeZone;
    // A back-dated purchase (an import of history) arms the next anniversary, not a past one.
    const after = new Date(Math.max(Date.parse(purchase.purchasedAt), now.getTime()));
    const due = nextAnniversaryDue(new Date(purchase.purchasedAt), after, zone, campaign.send.hour);
    if (await deps.timers.arm(purchase.customerId, campaign.id, purchase.purchasedAt, due)) armed++;
  }
  return armed;
}

/** A new customer arms every days-since-signup campaign once, counting from the signup event. */
export async function armOnSignup(
  deps: CampaignTimerDeps,
  signup: { customerId: string; signedUpAt: string; timeZone?: string | undefined },
  now: Date,
): Promise<number> {
  const campaigns = (await deps.campaigns()).filter(
    (campaign) => campaign.enabled && campaign.trigger.on === 'days-since-signup',
  );
  if (!campaigns.length) return 0;
  // An existing customer's profile knows when they were first seen; the event time stands in for
  // a brand-new customer whose profile is not written yet.
  const signedUpAt = (await deps.profileOf(signup.customerId))?.profile.createdAt ?? signup.signedUpAt;
  let armed = 0;
  for (const campaign of campaigns) {
    if (campaign.trigger.on !== 'days-since-signup') continue;
    const due = signupDue(
      new Date(signedUpAt),
      campaign.trigger.days,
      signup.timeZone ?? campaign.send.defaultTimeZone,
      campaign.send.hour,
    );
    // Signed up long before the campaign existed: not a new customer any more.
    if (due.dueAt.getTime() < now.getTime()) continue;
    if (await deps.timers.armOnce(signup.customerId, campaign.id, signedUpAt, due)) armed++;
  }
  return armed;
}

/** The offer as templates see it: value for the customer's tier, a code and an expiry. */
export function offerVariables(
  campaign: Campaign,
  customerId: string,
  tier: string | undefined,
  period: string,
  dueAt: Date,
) {
  const offer = campaign.offer;
  if (!offer || offer.kind === 'none') return null;
  const tierKey = tier && offer.valueByTier && tier in offer.valueByTier ? tier : offer.defaultTier;
  const valueText = offer.valueByTier?.[tierKey];
  const suffix = createHash('sha256')
    .update(`${campaign.id}/${customerId}/${period}`)
    .digest('hex')
    .slice(0, 8)
    .toUpperCase();
  return {
    kind: offer.kind,
    code: offer.code ?? `${offer.codePrefix ?? 'GIFT'}-${suffix}`,
    value: valueText === undefined ? null : (decimalToMilli(valueText) ?? null),
    percentOff: offer.percentOff ?? null,
    freeShipping: offer.freeShipping,
    tier: tierKey,
    expiresAt: new Date(dueAt.getTime() + offer.expiresAfterDays * DAY_MS).toISOString(),
  };
}

function timerRequest(
  campaign: Campaign,
  timer: CampaignTimer,
  stored: StoredProfile | undefined,
  now: Date,
): SendRequest {
  const tier = stored?.loyalty?.tier;
  const dueAt = new Date(timer.dueAt);
  return {
    customerId: timer.customerId,
    campaignId: campaign.id,
    period: timer.period,
    template: campaign.templates.name ?? campaign.id,
    capClass: campaign.send.capClass,
    variables: {
      ...(campaign.trigger.on === 'days-since-signup'
        ? { signedUpAt: timer.anchor, daysSinceSignup: campaign.trigger.days }
        : { years: timer.years, firstPurchaseAt: timer.anchor }),
      tier: tier ?? null,
      offer: offerVariables(campaign, timer.customerId, tier, timer.period, dueAt),
    },
    requestedAt: now.toISOString(),
    ...(tier ? { tier } : {}),
  };
}

export interface CampaignTimersRun {
  ran: boolean;
  bucketsQueried: number;
  fired: number;
  nextCheckAt: string | undefined;
}

const hourKey = (at: number) => new Date(at).toISOString().slice(0, 13);

/**
 * Fires every campaign timer due by `now`. Only buckets marked as holding timers are queried
 * (older marks too: a run that was missed is caught up), and a run before the next known due
 * time costs one read.
 */
export async function runCampaignTimers(deps: CampaignTimerDeps, now: Date): Promise<CampaignTimersRun> {
  const state = await deps.timers.state();
  if (state.nextCheckAt && Date.parse(state.nextCheckAt) > now.getTime()) {
    return { ran: false, bucketsQueried: 0, fired: 0, nextCheckAt: state.nextCheckAt };
  }
  const nowHour = hourKey(now.getTime());
  const campaigns = new Map((await deps.campaigns()).map((campaign) => [campaign.id, campaign]));
  let bucketsQueried = 0;
  let fired = 0;
  let laterThisHour: number | undefined;
  for (const mark of await deps.timers.markedBuckets(nowHour)) {
    const timers = await deps.timers.bucket(
      keys.campaignDueBucket(new Date(`${mark.hour}:00:00.000Z`), mark.shard),
    );
    bucketsQueried++;
    for (const timer of timers) {
      const dueAt = Date.parse(timer.dueAt);
      if (dueAt > now.getTime()) {
        laterThisHour = Math.min(laterThisHour ?? dueAt, dueAt);
        continue;
      }
      const campaign = campaigns.get(timer.campaignId);
      const profile = await deps.profileOf(timer.customerId);
      const zone = profile?.profile.timeZone ?? campaign?.send.defaultTimeZone ?? 'UTC';
      const kind = campaign?.trigger.on;
      if (campaign?.enabled && (kind === 'first-purchase-anniversary' || kind === 'days-since-signup')) {
        // At least once; the sender's ledger makes (customer, campaign, period) exactly once.
        await deps.queue.enqueue([timerRequest(campaign, timer, profile, now)]);
        fired++;
      }
      if (timer.period === 'signup') await deps.timers.disarm(timer);
      else {
        await deps.timers.rearm(
          timer,
          nextAnniversaryDue(new Date(timer.anchor), new Date(timer.dueAt), zone, campaign?.send.hour ?? 9),
        );
      }
    }
    if (mark.hour < nowHour) await deps.timers.unmark(mark.key);
  }
  // Next check: a timer later in this hour, else the first marked bucket after it.
  const [next] = await deps.timers.markedBuckets('9999-12-31T23', 1, nowHour);
  const candidates = [laterThisHour, next ? Date.parse(`${next.hour}:00:00.000Z`) : undefined].filter(
    (at): at is number => at !== undefined,
  );
  const nextCheckAt = new Date(
    candidates.length ? Math.min(...candidates) : now.getTime() + 366 * 24 * HOUR_MS,
  ).toISOString();
  if (!(await deps.timers.setNextCheck(nextCheckAt, state.version)))
    await deps.timers.lowerNextCheck(nextCheckAt);
  return { ran: true, bucketsQueried, fired, nextCheckAt };
}
