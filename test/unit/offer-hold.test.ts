import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeCustomerUpsert, minimalProfile } from '#shared/domain/customer.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { offerHeld } from '#shared/journeys/steps/send.ts';
import type { StoredProfile } from '#shared/store/customers.ts';

const upsert = (birthday: string | undefined) => ({
  customerId: 'c-1',
  email: 'c@example.com',
  marketingConsent: true,
  ...(birthday ? { birthday } : {}),
});
const meta = (at: string) => ({ eventId: at, eventAt: at });

describe('when a birthday changed', () => {
  const first = mergeCustomerUpsert(minimalProfile('c-1', new Date('2027-01-01')), upsert('1990-03-20'), meta('2027-01-01T00:00:00Z'));

  it('is not set by the birthday a customer signs up with', () => {
    expect(first?.birthday).toBe('1990-03-20');
    expect(first?.birthdayChangedAt).toBeUndefined();
  });

  it('is set when a later upsert moves (or adds) the birthday, and kept when it does not', () => {
    if (!first) throw new Error('merged');
    const moved = mergeCustomerUpsert(first, upsert('1990-03-08'), meta('2027-03-05T00:00:00Z'));
    expect(moved?.birthdayChangedAt).toBe('2027-03-05T00:00:00Z');
    if (!moved) throw new Error('merged');
    const same = mergeCustomerUpsert(moved, upsert('1990-03-08'), meta('2027-03-06T00:00:00Z'));
    expect(same?.birthdayChangedAt).toBe('2027-03-05T00:00:00Z');
    const none = mergeCustomerUpsert(minimalProfile('c-2', new Date('2027-01-01')), upsert(undefined), meta('2027-01-01T00:00:00Z'));
    if (!none) throw new Error('merged');
    expect(mergeCustomerUpsert(none, upsert('1990-05-01'), meta('2027-02-01T00:00:00Z'))?.birthdayChangedAt).toBe(
      '2027-02-01T00:00:00Z',
    );
  });
});

describe('offer hold', () => {
  const profile = (birthdayChangedAt?: string): StoredProfile => ({
    profile: { ...minimalProfile('c-1', new Date('2027-01-01')), ...(birthdayChangedAt ? { birthdayChangedAt } : {}) },
    profileVersion: 1,
    aggVersion: 0,
    loyalty: undefined,
    tierAnnouncedSeq: 0,
  });
  const birthday = { on: 'birthday' as const, birthday: { leapDayIn: 'feb-28' as const } };
  const now = new Date('2027-03-08T09:00:00Z');

  it('withholds the offer within the window, explained, and not after it or for event triggers', () => {
    expect(offerHeld(birthday, profile('2027-03-05T00:00:00Z'), 30, now)).toBe(
      'offer withheld: the birthday date changed on 2027-03-05, within 30 days (program offerHold)',
    );
    expect(offerHeld(birthday, profile('2027-01-01T00:00:00Z'), 30, now)).toBeUndefined();
    expect(offerHeld(birthday, profile(), 30, now)).toBeUndefined();
    expect(offerHeld(birthday, profile('2027-03-05T00:00:00Z'), 0, now)).toBeUndefined();
    expect(offerHeld({ on: 'event', event: 'Customer Upserted' }, profile('2027-03-05T00:00:00Z'), 30, now)).toBeUndefined();
  });

  it('is configured in program.yaml (default 30 days), its errors naming field and value', () => {
    const shipped = readFileSync('campaigns/program.yaml', 'utf8');
    expect(parseProgramYaml(shipped, 'program.yaml').offerHold.dateChangedWithinDays).toBe(30);
    expect(() => parseProgramYaml(`${shipped}\nofferHold: { dateChangedWithinDays: -1 }\n`, 'program.yaml')).toThrow(
      /offerHold\.dateChangedWithinDays/,
    );
  });
});
