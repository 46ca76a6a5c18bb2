// A small, realistic sample for a first local start: a few hundred customers in en-US and zh-CN,
// with time zones, birthdays and up to two years of purchases, loaded through the real bus and
// ingestion handlers. Seeded, so every fresh start sees the same shop; living-shop.ts keeps these
// customers buying as the clock moves on.
import type { CustomerUpserted, PurchaseCompleted } from '#shared/events/contracts.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import type { LocalEvent } from './runtime.ts';

const EN_FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Mia', 'Lucas', 'Sophia', 'Ethan', 'Chloe', 'Mason', 'Zoe'];
const EN_LAST = ['Smith', 'Johnson', 'Brown', 'Garcia', 'Miller', 'Davis', 'Wilson', "O'Neil", 'Clark', 'Lewis'];
const ZH_FIRST = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '杰', '婷', '强', '丽'];
const ZH_LAST = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const EN_ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London'];
const ZH_ZONES = ['Asia/Shanghai', 'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei'];
export const SAMPLE_CATEGORIES = ['coffee', 'tea', 'bakery', 'gifts', 'merch'];
export const SAMPLE_SEED = 20261123;
export const SAMPLE_CUSTOMERS = 300;

export const sampleCustomerId = (n: number) => `sample-${String(n).padStart(4, '0')}`;

/** mulberry32: a tiny seeded PRNG, good enough for sample data. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  customers?: number;
  now: Date;
  seed?: number;
}

export function sampleEvents({ customers = SAMPLE_CUSTOMERS, now, seed = SAMPLE_SEED }: SampleOptions): LocalEvent[] {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const events: LocalEvent[] = [];
  for (let n = 1; n <= customers; n++) {
    const customerId = sampleCustomerId(n);
    const chinese = random() < 0.45;
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const customer: CustomerUpserted = {
      customerId,
      email: `${customerId}@example.com`,
      firstName: chinese ? pick(ZH_FIRST) : pick(EN_FIRST),
      lastName: chinese ? pick(ZH_LAST) : pick(EN_LAST),
      locale: chinese ? 'zh-CN' : 'en-US',
      timeZone: chinese ? pick(ZH_ZONES) : pick(EN_ZONES),
      birthday: random() < 0.8 ? `${1960 + Math.floor(random() * 45)}-${pad(month)}-${pad(day)}` : `${pad(month)}-${pad(day)}`,
      marketingConsent: random() < 0.85,
      attributes: { signupChannel: pick(['web', 'app', 'store']) },
    };
    events.push({ source: 'shop.customers', detailType: 'Customer Upserted', detail: customer, time: new Date(now.getTime() - 730 * DAY_MS) });
    // Heavy-tailed order counts: many one-timers, a few regulars.
    const orders = Math.floor(random() ** 2 * 12);
    for (let o = 1; o <= orders; o++) {
      const purchasedAt = new Date(now.getTime() - Math.floor(random() * 720) * DAY_MS - Math.floor(random() * DAY_MS));
      const quantity = 1 + Math.floor(random() * 3);
      const unitPrice = Math.round((5 + random() * (random() < 0.1 ? 900 : 80)) * 100) / 100;
      const purchase: PurchaseCompleted = {
        orderId: `${customerId}-order-${o}`,
        customerId,
        amount: (Math.round(unitPrice * quantity * 100) / 100).toFixed(2),
        currency: 'USD',
        purchasedAt: purchasedAt.toISOString(),
        items: [{ sku: `sku-${Math.floor(random() * 50)}`, category: pick(SAMPLE_CATEGORIES), quantity, unitPrice: unitPrice.toFixed(2) }],
        ...(random() < 0.2 ? { couponCode: 'WELCOME10' } : {}),
      };
      events.push({ source: 'shop.orders', detailType: 'Purchase Completed', detail: purchase, time: purchasedAt });
    }
  }
  return events;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
