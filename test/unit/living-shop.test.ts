import { describe, expect, it } from 'vitest';
import { LivingShop, unitDraw } from '#infra/local/living-shop.ts';
import type { SesLocalEmail } from '#infra/local/runtime.ts';
import { DAY_MS } from '#shared/domain/clock.ts';

const START = Math.floor(Date.parse('2027-01-01T00:00:00Z') / DAY_MS);
const year = (shop: LivingShop) => Array.from({ length: 365 }, (_, i) => shop.ordersOn(START + i)).flat();
const AT = new Date((START + 1) * DAY_MS);
const email = (to: string, code: string): SesLocalEmail => ({
  messageId: `${to}-${code}`,
  from: 'rewards@example.com',
  destination: { to: [to], cc: [], bcc: [] },
  subject: 'Happy birthday',
  body: { text: code ? `Coupon code: ${code}\nCoupon code again: ${code}` : 'Thank you for being with us' },
  at: 0,
});
const mailOf = (event: { detail: unknown }) => (event.detail as { mail: { messageId: string } }).mail;
const detail = (event: { detail: unknown }) =>
  event.detail as { orderId: string; customerId: string; purchasedAt: string; couponCode?: string };

describe('the living sample shop', () => {
  it('is seeded: the same seed gives the same orders, another seed other orders', () => {
    const a = year(new LivingShop({ customers: 100 }));
    expect(year(new LivingShop({ customers: 100 }))).toEqual(a);
    expect(year(new LivingShop({ customers: 100, seed: 7 })).map((e) => detail(e).orderId)).not.toEqual(
      a.map((e) => detail(e).orderId),
    );
  });

  it('keeps customers buying all year, each order inside its day', () => {
    const orders = year(new LivingShop({ customers: 300 }));
    // 25% buy every ~21 days, 35% every ~75, 40% every ~200, minus time away: ~5 orders a day.
    expect(orders.length).toBeGreaterThan(1200);
    expect(orders.length).toBeLessThan(2400);
    for (const event of orders) {
      const { orderId, purchasedAt } = detail(event);
      expect(orderId.slice(-10)).toBe(purchasedAt.slice(0, 10));
    }
    const buyers = new Set(orders.map((e) => detail(e).customerId));
    expect(buyers.size).toBeGreaterThan(200);
  });

  it('sends some customers away for months (lapse, some to churn) and brings them back', () => {
    const shop = new LivingShop({ customers: 300 });
    const customers = Array.from({ length: 300 }, (_, i) => `sample-${String(i + 1).padStart(4, '0')}`);
    const days = Array.from({ length: 730 }, (_, i) => START + i);
    const awayStretches = customers.map((id) => days.filter((day) => shop.away(id, day)).length);
    const everAway = awayStretches.filter((n) => n > 0).length;
    expect(everAway).toBeGreaterThan(30);
    expect(everAway).toBeLessThan(300);
    // Away at some point, then buying again later: they come back.
    const returned = customers.filter((id) => {
      const lastAway = days.filter((day) => shop.away(id, day)).at(-1);
      return lastAway !== undefined && lastAway < days.at(-1)! && !shop.away(id, lastAway + 1);
    });
    expect(returned.length).toBeGreaterThan(10);
    // Nobody buys while away, unless a coupon brings them back.
    for (const event of year(shop)) {
      const { customerId, purchasedAt } = detail(event);
      expect(shop.away(customerId, Math.floor(Date.parse(purchasedAt) / DAY_MS))).toBe(false);
    }
  });

  it('redeems some emailed coupons within ten days, each once, and ignores emails to others', () => {
    const shop = new LivingShop({ customers: 300 });
    const emails = Array.from({ length: 300 }, (_, i) =>
      email(`sample-${String(i + 1).padStart(4, '0')}@example.com`, `BDAY27-${String(i).padStart(8, 'X')}`),
    );
    shop.readEmails([...emails, email('someone@else.example', 'BDAY27-ABCDEFGH')], START, AT);
    expect(shop.readEmails(emails, START, AT)).toEqual({ engagement: [], unsubscribes: [] }); // read again: nothing new
    const orders = Array.from({ length: 12 }, (_, i) => shop.ordersOn(START + i)).flat();
    const redeemed = orders.flatMap((e) => (detail(e).couponCode ? [detail(e).couponCode] : []));
    expect(new Set(redeemed).size).toBe(redeemed.length);
    expect(redeemed.length).toBeGreaterThan(90); // 40% of 300, give or take
    expect(redeemed.length).toBeLessThan(150);
    expect(redeemed).not.toContain('BDAY27-ABCDEFGH');
    const firstDay = Math.min(
      ...orders.filter((e) => detail(e).couponCode).map((e) => Date.parse(detail(e).purchasedAt)),
    );
    expect(firstDay).toBeGreaterThanOrEqual((START + 1) * DAY_MS);
  });

  it('opens about 40% of our emails and clicks about 15% of those opened, as SES events of those emails', () => {
    const shop = new LivingShop({ customers: 300 });
    const sent = Array.from({ length: 300 }, (_, i) =>
      email(
        `sample-${String(i + 1).padStart(4, '0')}@example.com`,
        i % 3 === 0 ? `BDAY27-${String(i).padStart(8, 'X')}` : '',
      ),
    );
    const { engagement: events } = shop.readEmails([...sent, email('someone@else.example', '')], START, AT);
    const of = (type: string) => events.filter((event) => event.detailType === type);
    const opened = new Set(of('Email Opened').map((event) => mailOf(event).messageId));
    const clicked = new Set(of('Email Clicked').map((event) => mailOf(event).messageId));
    expect(opened.size).toBe(of('Email Opened').length);
    expect(opened.size).toBeGreaterThan(110); // 40% of 300 plus the coupon redeemers, give or take
    expect(opened.size).toBeLessThan(170);
    expect(clicked.size).toBeGreaterThan(30); // the ~40 redeemers, and 15% of the other openers
    expect(clicked.size).toBeLessThan(75);
    // Nobody clicks an email unopened; others' emails are not the shop's to read.
    for (const id of clicked) expect(opened.has(id)).toBe(true);
    expect(opened.has('someone@else.example-')).toBe(false);
    // Whoever comes back with the coupon opened and clicked its email.
    const orders = Array.from({ length: 12 }, (_, i) => shop.ordersOn(START + i)).flat();
    for (const order of orders.filter((e) => detail(e).couponCode)) {
      const code = detail(order).couponCode ?? '';
      expect(clicked.has(`${detail(order).customerId}@example.com-${code}`)).toBe(true);
    }
    // As SES would publish them on the default bus, dated when they were read.
    expect(events.every((event) => event.busName === 'default' && event.time === AT)).toBe(true);
    // Seeded by the email, not by SES local's message id (random on every run): the same emails, the same opens.
    const { engagement: again } = new LivingShop({ customers: 300 }).readEmails(
      sent.map((e) => ({ ...e, messageId: `another-run-${e.messageId}` })),
      START,
      AT,
    );
    const read = (list: typeof events) =>
      list.map((e) => `${e.detailType} ${mailOf(e).messageId.replace('another-run-', '')}`);
    expect(read(again)).toEqual(read(events));
  });

  it('unsubscribes from about 2% of the emails opened, with the one-click link of their List-Unsubscribe header', () => {
    const shop = new LivingShop({ customers: 300 });
    const link = (i: number) => `http://127.0.0.1:4010/unsubscribe?c=sample-${i}&t=token-${i}`;
    const sent = Array.from({ length: 300 }, (_, round) => round).flatMap((round) =>
      Array.from({ length: 10 }, (_, i) => ({
        ...email(`sample-${String(round + 1).padStart(4, '0')}@example.com`, ''),
        messageId: `m-${round}-${i}`,
        subject: `News ${i}`,
        headers: [{ name: 'List-Unsubscribe', value: `<${link(round)}>, <mailto:unsubscribe@example.com>` }],
      })),
    );
    const { engagement, unsubscribes } = shop.readEmails(sent, START, AT);
    const opened = engagement.filter((event) => event.detailType === 'Email Opened').length;
    // ~2% of the ~1,200 opened: each link is the email's https one, never the mailto.
    expect(unsubscribes.length).toBeGreaterThan(10);
    expect(unsubscribes.length).toBeLessThan(45);
    expect(unsubscribes.length).toBeLessThan(opened);
    for (const url of unsubscribes) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4010\/unsubscribe\?c=sample-\d+&t=token-\d+$/);
    // An email without the header gives nobody a link to leave by.
    expect(new LivingShop({ customers: 300 }).readEmails(sent.map(({ headers: _, ...e }) => e), START, AT).unsubscribes).toEqual([]);
  });

  it('draws uniformly from (seed, parts)', () => {
    const draws = Array.from({ length: 10_000 }, (_, i) => unitDraw(1, 'x', i));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});
