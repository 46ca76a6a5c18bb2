// Builders for the events the tests send: valid by default, overridable field by field.
import type { CustomerUpserted, OrderRefunded, PurchaseCompleted } from '#shared/events/contracts.ts';
import type { LocalEvent } from '#infra/local/runtime.ts';

export function customerEvent(overrides: Partial<CustomerUpserted> = {}, time?: Date): LocalEvent {
  const detail: CustomerUpserted = {
    customerId: 'c-100',
    email: 'mei.chen@example.com',
    firstName: 'Mei',
    lastName: 'Chen',
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    birthday: '1990-03-14',
    marketingConsent: true,
    ...overrides,
  };
  return { source: 'shop.customers', detailType: 'Customer Upserted', detail, ...(time ? { time } : {}) };
}

/** Sam in New York (en-US), addressed at `<id>@example.com`, with no birthday unless given. */
export function samEvent(customerId: string, birthday?: string): LocalEvent {
  return customerEvent({
    customerId,
    email: `${customerId}@example.com`,
    firstName: 'Sam',
    locale: 'en-US',
    timeZone: 'America/New_York',
    birthday,
  });
}

export function purchaseEvent(overrides: Partial<PurchaseCompleted> & Record<string, unknown> = {}): LocalEvent {
  return {
    source: 'shop.orders',
    detailType: 'Purchase Completed',
    detail: {
      orderId: 'o-1',
      customerId: 'c-100',
      amount: '120.00',
      currency: 'USD',
      purchasedAt: '2026-10-01T10:00:00Z',
      ...overrides,
    },
  };
}

export function refundEvent(overrides: Partial<OrderRefunded> = {}): LocalEvent {
  return {
    source: 'shop.orders',
    detailType: 'Order Refunded',
    detail: { orderId: 'o-1', customerId: 'c-100', amount: '20.00', refundedAt: '2026-10-05T10:00:00Z', ...overrides },
  };
}
