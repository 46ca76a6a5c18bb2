// The known population of the analytics tests, sent through the local runtime like a shop would,
// plus the campaign records the sender and the holdout logic leave in the table. Hand-computed
// answers for Q2 2026 (see test/unit/metrics.test.ts for the same numbers derived on paper).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalEvent, LocalRuntime } from '#infra/local/runtime.ts';
import { keys } from '#shared/store/keys.ts';

const upsert = (customerId: string): LocalEvent => ({
  source: 'shop.customers',
  detailType: 'Customer Upserted',
  detail: {
    customerId,
    email: `${customerId.toLowerCase()}@example.com`,
    firstName: customerId,
    marketingConsent: true,
  },
});
const purchase = (
  customerId: string,
  orderId: string,
  day: string,
  amount: string,
  couponCode?: string,
): LocalEvent => ({
  source: 'shop.orders',
  detailType: 'Purchase Completed',
  detail: {
    orderId,
    customerId,
    amount,
    currency: 'USD',
    purchasedAt: `${day}T12:00:00Z`,
    ...(couponCode ? { couponCode } : {}),
  },
});
const survey = (customerId: string, day: string, score: number): LocalEvent => ({
  source: 'shop.surveys',
  detailType: 'Survey Answered',
  detail: { customerId, score, answeredAt: `${day}T12:00:00Z` },
});

export const Q2 = { from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };

/** Expected Q2 metrics: retention 2/3, 4 orders for 680.00, AOV 170.00, NPS +25. */
export const EXPECTED = {
  customers: 5,
  retentionRate: 2 / 3,
  orders: 4,
  revenueMilli: 680_000,
  averageOrderValueMilli: 170_000,
  historicalClvMilli: 227_500,
  predictiveClvMilli: 680_000,
  nps: 25,
};

export async function seedPopulation(local: LocalRuntime): Promise<void> {
  local.putEvents(['A', 'B', 'C', 'D', 'E'].map(upsert));
  await local.drain();
  local.putEvents([
    purchase('A', 'a1', '2026-01-10', '100.00', 'WELCOME10'),
    purchase('A', 'a2', '2026-04-10', '200.00'),
    purchase('A', 'a3', '2026-05-10', '300.00'),
    purchase('B', 'b1', '2026-02-01', '50.00'),
    purchase('C', 'c1', '2026-02-15', '80.00'),
    purchase('C', 'c2', '2026-06-01', '120.00'),
    purchase('D', 'd1', '2026-04-20', '60.00'),
    survey('A', '2026-05-01', 10),
    survey('B', '2026-04-15', 3),
    survey('C', '2026-04-05', 2),
    survey('C', '2026-06-20', 8),
    survey('E', '2026-05-05', 9),
  ]);
  await local.drain();
  // Campaign "spring-sale" on 2026-04-05: A and C were sent the email (send ledger), B and D were
  // held out (HOLDOUT records, as the campaign gate writes them). Only A bought within 7 days (2026-04-10); D's 2026-04-20 order is outside the window.
  const put = (Item: Record<string, unknown>) =>
    local.doc.send(new PutCommand({ TableName: local.tableName, Item }));
  const at = '2026-04-05T09:00:00.000Z';
  for (const customerId of ['A', 'C']) {
    await put({
      ...keys.sendLedger(customerId, 'spring-sale', '2026-04'),
      type: 'send',
      customerId,
      campaignId: 'spring-sale',
      period: '2026-04',
      status: 'sent',
      messageId: `m-${customerId}`,
      sentAt: at,
    });
  }
  for (const customerId of ['B', 'D']) {
    await put({
      ...keys.holdout(customerId, 'spring-sale', '2026-04'),
      status: 'held-out',
      customerId,
      campaignId: 'spring-sale',
      period: '2026-04',
      at,
    });
  }
  // Its day counters as a table from before step results holds them (STATS#, no STEPRESULTS# that
  // day): the report counts such a day from them.
  await put({
    PK: `${keys.olderJourneyDaysPrefix}spring-sale`,
    SK: 'DAY#2026-04-05',
    campaignId: 'spring-sale',
    day: '2026-04-05',
    sent: 2,
    delivered: 2,
    opened: 2,
    clicked: 1,
  });
}
