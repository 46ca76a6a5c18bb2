import { describe, expect, it } from 'vitest';
import { mergeCustomerUpsert, minimalProfile } from '#shared/domain/customer.ts';
import type { CustomerUpserted } from '#shared/events/contracts.ts';

const upsert = (overrides: Partial<CustomerUpserted> = {}): CustomerUpserted => ({
  customerId: 'c-1',
  email: 'ana@example.com',
  firstName: 'Ana',
  marketingConsent: true,
  ...overrides,
});
const start = minimalProfile('c-1', new Date('2026-01-01T00:00:00Z'));

describe('customer upsert merge', () => {
  it('fills a minimal profile created by an earlier purchase', () => {
    const merged = mergeCustomerUpsert(start, upsert(), { eventId: 'e1', eventAt: '2026-02-01T00:00:00Z' });
    expect(merged).toMatchObject({ email: 'ana@example.com', consent: { granted: true, source: 'Customer Upserted' } });
  });

  it('ignores an event older than the one that set the profile, and a redelivery of the same event', () => {
    const current = mergeCustomerUpsert(start, upsert(), { eventId: 'e2', eventAt: '2026-02-02T00:00:00Z' });
    if (!current) throw new Error('expected a merge');
    expect(mergeCustomerUpsert(current, upsert({ firstName: 'Old' }), { eventId: 'e1', eventAt: '2026-02-01T00:00:00Z' })).toBeUndefined();
    expect(mergeCustomerUpsert(current, upsert(), { eventId: 'e2', eventAt: '2026-02-02T00:00:00Z' })).toBeUndefined();
  });

  it('breaks a tie in event time by event id, so both orders of delivery agree', () => {
    const meta = (eventId: string) => ({ eventId, eventAt: '2026-02-02T00:00:00Z' });
    const ab = mergeCustomerUpsert(mergeCustomerUpsert(start, upsert({ firstName: 'A' }), meta('a')) ?? start, upsert({ firstName: 'B' }), meta('b'));
    const ba = mergeCustomerUpsert(start, upsert({ firstName: 'B' }), meta('b'));
    expect(ab?.firstName).toBe('B');
    expect(ba?.firstName).toBe('B');
    expect(mergeCustomerUpsert(ba ?? start, upsert({ firstName: 'A' }), meta('a'))).toBeUndefined();
  });

  it('keeps a consent decision that is newer than the event', () => {
    const unsubscribed = { ...start, consent: { granted: false, at: '2026-03-01T00:00:00Z', source: 'unsubscribe-link' } };
    const merged = mergeCustomerUpsert(unsubscribed, upsert({ marketingConsent: true }), { eventId: 'e', eventAt: '2026-02-15T00:00:00Z' });
    expect(merged?.consent).toEqual(unsubscribed.consent);
    expect(merged?.email).toBe('ana@example.com');
  });
});
