// The sample shop keeps living after it is loaded: as the local clock advances, each simulated
// customer goes on buying at their own pace, some lapse for months (a few long enough to churn)
// and come back, opens and clicks some of our emails (the SES open and click events, which SES
// local never publishes), unsubscribes from a few with their one-click link, and redeems some of
// the coupons they carried. It runs once a simulated day,
// seeded and stateless per day (a day's orders depend only on the seed, the customer and the
// day), so a replayed day sends the same order ids and ingestion ignores them.
import { DAY_MS } from '#shared/domain/clock.ts';
import type { PurchaseCompleted } from '#shared/events/contracts.ts';
import { sendReferenceOf, sentMailFromSesLocal, sesEvent } from '#shared/mail/ses-events.ts';
import type { LocalEvent, SesLocalEmail } from './runtime.ts';
import { SAMPLE_CATEGORIES, SAMPLE_SEED, sampleCustomerId } from './sample-data.ts';
import { LOCAL_CONFIGURATION_SET, SES_EVENTS_BUS } from './ses-simulator.ts';

/** How often a customer buys when not away, by persona (mean days between orders). */
const PERSONAS = [
  { share: 0.25, meanGapDays: 21 },
  { share: 0.35, meanGapDays: 75 },
  { share: 0.4, meanGapDays: 200 },
] as const;
/** Chance per 30-day block that a customer goes away, and how long they stay away. */
const AWAY_CHANCE = 0.06;
const AWAY_DAYS = { min: 60, max: 240 };
const BLOCK_DAYS = 30;
/** Share of emailed coupons a customer comes back to use, within this many days. */
const REDEEM_SHARE = 0.4;
const REDEEM_WITHIN_DAYS = 10;
/**
 * Share of our emails a customer opens, and of those opened, the share whose button they click
 * (about 40% and 6% of recipients, near what retail lifecycle email sees). Whoever comes back with
 * the email's coupon opened and clicked it.
 */
const OPEN_SHARE = 0.4;
const CLICK_SHARE = 0.15;
/**
 * Share of opened emails whose reader unsubscribes with its one-click link (RFC 8058, the
 * List-Unsubscribe header): about 0.8% of recipients, the high end of what lifecycle email sees
 * (win-back series run high), so a year of the sample shop shows some. Coupon redeemers stay.
 */
const UNSUBSCRIBE_SHARE = 0.02;
/** An issued code as our emails print it (BDAY27-7QK2M9XD): a prefix, a dash, a random part. */
const COUPON_IN_EMAIL = /\b[A-Z][A-Z0-9]{1,15}-[0-9A-Z]{4,16}\b/g;

/** FNV-1a of the parts, then mulberry32: a uniform number in [0, 1) per (seed, parts). */
export function unitDraw(seed: number, ...parts: (string | number)[]): number {
  let hash = 0x811c9dc5 ^ seed;
  for (const char of parts.join('|')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  let t = (hash + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export interface LivingShopOptions {
  customers: number;
  seed?: number;
}

interface PendingRedemption {
  code: string;
  day: number;
}

export class LivingShop {
  readonly #customers: string[];
  readonly #seed: number;
  /** Coupons a customer will come back with, by the day they will; lost on restart (a sample). */
  readonly #redemptions = new Map<string, PendingRedemption[]>();
  #emailsRead = 0;

  constructor(options: LivingShopOptions) {
    this.#seed = options.seed ?? SAMPLE_SEED;
    this.#customers = Array.from({ length: options.customers }, (_, i) => sampleCustomerId(i + 1));
  }

  /** True while the customer is away (lapsed or churned) on `day` (days since the epoch). */
  away(customerId: string, day: number): boolean {
    const block = Math.floor(day / BLOCK_DAYS);
    const longest = Math.ceil(AWAY_DAYS.max / BLOCK_DAYS);
    for (let start = block - longest; start <= block; start++) {
      if (unitDraw(this.#seed, customerId, 'away', start) >= AWAY_CHANCE) continue;
      const length =
        AWAY_DAYS.min +
        Math.floor(unitDraw(this.#seed, customerId, 'away-for', start) * (AWAY_DAYS.max - AWAY_DAYS.min));
      const from = start * BLOCK_DAYS;
      if (day >= from && day < from + length) return true;
    }
    return false;
  }

  meanGapDays(customerId: string): number {
    let draw = unitDraw(this.#seed, customerId, 'persona');
    for (const persona of PERSONAS) {
      if (draw < persona.share) return persona.meanGapDays;
      draw -= persona.share;
    }
    return PERSONAS[2].meanGapDays;
  }

  /**
   * Reads the emails sent since the last call: decides who will come back with a coupon, and
   * returns the SES open and click events of the emails the shop's customers read, dated `at`, and
   * the one-click unsubscribe links of those they leave by.
   */
  readEmails(emails: readonly SesLocalEmail[], today: number, at: Date): { engagement: LocalEvent[]; unsubscribes: string[] } {
    const engagement: LocalEvent[] = [];
    const unsubscribes: string[] = [];
    for (const email of emails.slice(this.#emailsRead)) {
      const customerId = email.destination.to[0]?.split('@')[0];
      if (!customerId || !this.#customers.includes(customerId)) continue;
      let redeems = false;
      for (const code of new Set(`${email.body.text ?? ''}`.match(COUPON_IN_EMAIL) ?? [])) {
        if (unitDraw(this.#seed, customerId, 'redeem', code) >= REDEEM_SHARE) continue;
        redeems = true;
        const day =
          today + 1 + Math.floor(unitDraw(this.#seed, customerId, 'redeem-day', code) * REDEEM_WITHIN_DAYS);
        this.#redemptions.set(customerId, [...(this.#redemptions.get(customerId) ?? []), { code, day }]);
      }
      const mail = sentMailFromSesLocal(email, LOCAL_CONFIGURATION_SET);
      const which = emailIdentity(mail, email);
      const opens = redeems || unitDraw(this.#seed, customerId, 'open', which) < OPEN_SHARE;
      const clicks = redeems || (opens && unitDraw(this.#seed, customerId, 'click', which) < CLICK_SHARE);
      for (const kind of [...(opens ? (['open'] as const) : []), ...(clicks ? (['click'] as const) : [])])
        engagement.push({ ...sesEvent(kind, mail, at), time: at, busName: SES_EVENTS_BUS });
      const link = oneClickLink(email);
      if (opens && !redeems && link && unitDraw(this.#seed, customerId, 'unsubscribe', which) < UNSUBSCRIBE_SHARE)
        unsubscribes.push(link);
    }
    this.#emailsRead = Math.max(this.#emailsRead, emails.length);
    return { engagement, unsubscribes };
  }

  /** The orders of one simulated day [day, day + 1) (days since the epoch, UTC). */
  ordersOn(day: number): LocalEvent[] {
    const events: LocalEvent[] = [];
    for (const customerId of this.#customers) {
      const redemptions = this.#redemptions.get(customerId) ?? [];
      const coupon = redemptions.find((redemption) => redemption.day === day);
      if (coupon)
        this.#redemptions.set(
          customerId,
          redemptions.filter((redemption) => redemption !== coupon),
        );
      const buys =
        coupon !== undefined ||
        (!this.away(customerId, day) &&
          unitDraw(this.#seed, customerId, 'buys', day) < 1 / this.meanGapDays(customerId));
      if (buys) events.push(this.#order(customerId, day, coupon?.code));
    }
    return events;
  }

  #order(customerId: string, day: number, couponCode: string | undefined): LocalEvent {
    const draw = (what: string) => unitDraw(this.#seed, customerId, what, day);
    const purchasedAt = new Date(day * DAY_MS + Math.floor(draw('at') * DAY_MS));
    const quantity = 1 + Math.floor(draw('quantity') * 3);
    const unitPrice = Math.round((5 + draw('price') * (draw('big') < 0.05 ? 400 : 60)) * 100) / 100;
    const purchase: PurchaseCompleted = {
      orderId: `${customerId}-live-${new Date(day * DAY_MS).toISOString().slice(0, 10)}`,
      customerId,
      amount: (Math.round(unitPrice * quantity * 100) / 100).toFixed(2),
      currency: 'USD',
      purchasedAt: purchasedAt.toISOString(),
      items: [
        {
          sku: `sku-${Math.floor(draw('sku') * 50)}`,
          category: SAMPLE_CATEGORIES[Math.floor(draw('category') * SAMPLE_CATEGORIES.length)],
          quantity,
          unitPrice: unitPrice.toFixed(2),
        },
      ],
      ...(couponCode ? { couponCode } : {}),
    };
    return { source: 'shop.orders', detailType: 'Purchase Completed', detail: purchase, time: purchasedAt };
  }
}

/**
 * What an email is, the same on every run (SES local's message ids are random): the send it
 * belongs to (customer, journey, entry, step) from its send reference, else its recipient and text.
 */
function emailIdentity(mail: ReturnType<typeof sentMailFromSesLocal>, email: SesLocalEmail): string {
  const reference = sendReferenceOf(mail);
  if (!reference) return [mail.to, email.subject, email.body.text ?? email.body.html ?? ''].join('\n');
  const { ref, sentStep } = reference;
  return [ref.customerId, ref.campaignId, ref.period, sentStep?.step ?? '', sentStep?.variant ?? ''].join(
    '\n',
  );
}

/** The https link of an email's List-Unsubscribe header (its one-click unsubscribe), if it has one. */
function oneClickLink(email: SesLocalEmail): string | undefined {
  const headers = Array.isArray(email.headers) ? (email.headers as { name?: unknown; value?: unknown }[]) : [];
  const value = headers.find((header) => String(header.name).toLowerCase() === 'list-unsubscribe')?.value;
  return typeof value === 'string' ? /<(https?:[^>]+)>/.exec(value)?.[1] : undefined;
}

/** The slice of the local runtime the shop drives. */
export interface LivingShopHost {
  emails(): Promise<SesLocalEmail[]>;
  putEvents(entries: LocalEvent[]): unknown;
  everyDay(name: string, invoke: (at: Date) => Promise<unknown>): void;
}

/**
 * Keeps the sample shop alive on the runtime's clock: at each UTC midnight the day just ended
 * gets its orders (a day late at most: purchases from the future are refused by ingestion), the
 * emails sent since are opened and clicked, and a few readers unsubscribe: a one-click POST to the
 * email's link, served by the unsubscribe function as a mail client's would be.
 */
export function startLivingShop(host: LivingShopHost, options: LivingShopOptions): LivingShop {
  const shop = new LivingShop(options);
  host.everyDay('sample-shop', async (at) => {
    const yesterday = Math.floor(at.getTime() / DAY_MS) - 1;
    const { engagement, unsubscribes } = shop.readEmails(await host.emails(), yesterday, at);
    const orders = shop.ordersOn(yesterday);
    const events = [...engagement, ...orders];
    for (let i = 0; i < events.length; i += 10) host.putEvents(events.slice(i, i + 10));
    for (const link of unsubscribes) {
      const response = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      if (!response.ok) throw new Error(`the sample shop's unsubscribe was refused: HTTP ${response.status}`);
    }
    return { orders: orders.length, opensAndClicks: engagement.length, unsubscribes: unsubscribes.length };
  });
  return shop;
}
