import { describe, expect, it } from 'vitest';
import { uniqueCoupon } from '#shared/domain/coupon.ts';
import { offerSchema } from '#shared/domain/journey.ts';
import { type BirthdayRules, birthdayInYear, nextBirthdayDue } from '#shared/domain/occasions.ts';

const config: BirthdayRules = { sendHour: 9, leapDayIn: 'feb-28' };

const due = (
  birthday: string,
  timeZone: string,
  now: string,
  greetedYear?: number,
  overrides: Partial<BirthdayRules> = {},
) => {
  const result = nextBirthdayDue({
    birthday,
    timeZone,
    now: new Date(now),
    config: { ...config, ...overrides },
    greetedYear,
  });
  return result && { year: result.year, dueAt: result.dueAt.toISOString() };
};

describe('birthday due time', () => {
  it('is 09:00 on the birthday in the customer time zone', () => {
    expect(due('1990-03-14', 'Asia/Shanghai', '2027-01-01T00:00:00Z')).toEqual({
      year: 2027,
      dueAt: '2027-03-14T01:00:00.000Z',
    });
  });

  it('uses the configured hour', () => {
    expect(due('03-14', 'Asia/Shanghai', '2027-01-01T00:00:00Z', undefined, { sendHour: 10 })?.dueAt).toBe(
      '2027-03-14T02:00:00.000Z',
    );
  });

  it('is DST-correct in New York on the day clocks go forward', () => {
    expect(due('03-14', 'America/New_York', '2027-01-01T00:00:00Z')?.dueAt).toBe('2027-03-14T13:00:00.000Z');
  });

  it('is in the previous UTC day for Kiritimati', () => {
    expect(due('01-01', 'Pacific/Kiritimati', '2026-12-01T00:00:00Z')).toEqual({
      year: 2027,
      dueAt: '2026-12-31T19:00:00.000Z',
    });
  });

  it('moves to next year once this year has been greeted', () => {
    expect(due('03-14', 'Asia/Shanghai', '2027-03-14T02:00:00Z', 2027)).toEqual({
      year: 2028,
      dueAt: '2028-03-14T01:00:00.000Z',
    });
  });

  it('is still due (late) when the birthday is today and the hour has passed but this year is not greeted', () => {
    expect(due('03-14', 'Asia/Shanghai', '2027-03-14T05:00:00Z')).toEqual({
      year: 2027,
      dueAt: '2027-03-14T01:00:00.000Z',
    });
  });

  it('waits for next year once the local birthday has ended', () => {
    expect(due('03-14', 'Asia/Shanghai', '2027-03-14T16:30:00Z')?.year).toBe(2028);
  });

  it('celebrates Feb 29 on Feb 28 in common years and on Feb 29 in leap years', () => {
    expect(due('2000-02-29', 'UTC', '2027-01-01T00:00:00Z')?.dueAt).toBe('2027-02-28T09:00:00.000Z');
    expect(due('2000-02-29', 'UTC', '2028-01-01T00:00:00Z')?.dueAt).toBe('2028-02-29T09:00:00.000Z');
  });

  it('can celebrate Feb 29 on Mar 1 in common years instead', () => {
    expect(due('02-29', 'UTC', '2027-01-01T00:00:00Z', undefined, { leapDayIn: 'mar-01' })?.dueAt).toBe(
      '2027-03-01T09:00:00.000Z',
    );
    expect(birthdayInYear({ month: 2, day: 29 }, 2028, 'mar-01')).toEqual({ year: 2028, month: 2, day: 29 });
  });
});

describe("the birthday journey's unique coupon (a send step offer with codePrefix)", () => {
  const offer = offerSchema.parse({
    kind: 'amount-off',
    codePrefix: 'BDAY',
    valueByTier: { Bronze: '5.00', Gold: '20.00' },
    defaultTier: 'Bronze',
    expiresAfterDays: 30,
  });
  const coupon = (customerId: string, year: number, tier?: string, attempt = 0) =>
    uniqueCoupon({
      offer: { ...offer, codePrefix: 'BDAY' },
      journeyId: 'birthday',
      customerId,
      entryId: `birthday#${year}`,
      tier,
      issuedAt: new Date(`${year}-03-14T01:00:00Z`),
      attempt,
    });

  it('is the same code for the same customer and year, so a re-run send step finds it again', () => {
    expect(coupon('c-1', 2027).code).toBe(coupon('c-1', 2027).code);
    expect(coupon('c-1', 2027).code).toMatch(/^BDAY27-[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('differs between customers, years and retry attempts', () => {
    const codes = new Set([
      coupon('c-1', 2027).code,
      coupon('c-2', 2027).code,
      coupon('c-1', 2028).code,
      coupon('c-1', 2027, undefined, 1).code,
    ]);
    expect(codes.size).toBe(4);
  });

  it('is worth the tier value, Bronze for customers without a (known) tier, and expires after 30 days', () => {
    expect(coupon('c-1', 2027, 'Gold')).toMatchObject({
      tier: 'Gold',
      valueMilli: 20000,
      expiresAt: '2027-04-13T01:00:00.000Z',
    });
    expect(coupon('c-1', 2028).code).toMatch(/^BDAY28-/);
    expect(coupon('c-1', 2027)).toMatchObject({ tier: 'Bronze', valueMilli: 5000 });
    expect(coupon('c-1', 2027, 'Diamond')).toMatchObject({ tier: 'Bronze', valueMilli: 5000 });
  });
});
