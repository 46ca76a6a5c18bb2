import { describe, expect, it } from 'vitest';
import {
  ARMING_LEAD_MS,
  armedDueAt,
  needsNudge,
  nextCheckAt,
  openHours,
  runIsDue,
  schedulerLagMs,
} from '#shared/domain/timers.ts';
import { decideBirthday } from '#shared/flows/timers.ts';
import type { BirthdayConfig } from '#shared/domain/birthday.ts';

const d = (iso: string) => new Date(iso);

describe('scheduler window', () => {
  it('opens every hour after the watermark up to the current one, oldest first', () => {
    const hours = openHours('2027-03-14T02', d('2027-03-14T08:05:00Z'), 48).map((h) => h.toISOString().slice(0, 13));
    expect(hours).toEqual(['2027-03-14T03', '2027-03-14T04', '2027-03-14T05', '2027-03-14T06', '2027-03-14T07', '2027-03-14T08']);
  });

  it('looks back a configured number of hours on the very first run', () => {
    expect(openHours(undefined, d('2027-03-14T08:05:00Z'), 2)).toHaveLength(3);
  });

  it('needs a run when a new hour starts, a timer is due or an arm nudged, and not otherwise', () => {
    const state = { watermark: '2027-03-14T07', nextCheckAt: '2027-03-14T09:00:00.000Z', nudgeAt: undefined };
    expect(runIsDue(state, d('2027-03-14T08:55:00Z'))).toBe(false);
    expect(runIsDue(state, d('2027-03-14T09:00:00Z'))).toBe(true);
    expect(runIsDue({ ...state, nudgeAt: '2027-03-14T08:31:00.000Z' }, d('2027-03-14T08:35:00Z'))).toBe(true);
    expect(runIsDue({ ...state, watermark: undefined }, d('2027-03-14T08:35:00Z'))).toBe(true);
  });

  it('plans the next check at the earliest pending timer or the next hour', () => {
    expect(nextCheckAt(d('2027-03-14T08:20:00Z'), d('2027-03-14T08:05:00Z')).toISOString()).toBe('2027-03-14T08:20:00.000Z');
    expect(nextCheckAt(undefined, d('2027-03-14T08:05:00Z')).toISOString()).toBe('2027-03-14T09:00:00.000Z');
  });

  it('never arms a timer in the past or inside the next minute', () => {
    const now = d('2027-03-14T08:05:00Z');
    expect(armedDueAt(d('2027-03-14T01:00:00Z'), now).getTime()).toBe(now.getTime() + ARMING_LEAD_MS);
    expect(armedDueAt(d('2027-03-15T01:00:00Z'), now).toISOString()).toBe('2027-03-15T01:00:00.000Z');
  });

  it('nudges the scheduler for timers due this hour or the next, which an already planned run might miss', () => {
    const now = d('2027-03-14T08:59:00Z');
    expect(needsNudge(d('2027-03-14T09:00:00Z'), now)).toBe(true);
    expect(needsNudge(d('2027-03-14T09:59:59Z'), now)).toBe(true);
    // Hour 10 is first queried by the 10:00 run, a minute or more after this arm: it will be seen.
    expect(needsNudge(d('2027-03-14T10:00:00Z'), now)).toBe(false);
  });

  it('measures lag from the end of the last fully processed hour', () => {
    expect(schedulerLagMs('2027-03-14T07', d('2027-03-14T14:00:00Z'))).toBe(6 * 3_600_000);
    expect(schedulerLagMs(undefined, d('2027-03-14T14:00:00Z'))).toBeUndefined();
  });
});

describe('birthday arming decision', () => {
  const config: BirthdayConfig = {
    campaign: 'birthday',
    enabled: true,
    sendHour: 9,
    defaultTimeZone: 'America/New_York',
    leapDayIn: 'feb-28',
    template: 'birthday',
    coupon: { prefix: 'BDAY', expiresAfterDays: 30, valueByTier: { Bronze: 5000 }, defaultTier: 'Bronze' },
  };
  const greeted = (year: number) => ({
    customerId: 'c-1',
    version: 4,
    dueAt: '2028-03-14T01:00:00.000Z',
    data: { kind: 'birthday' as const, year: year + 1, greetedYear: year },
  });

  it('uses the program default zone for customers without one', () => {
    const decision = decideBirthday({ birthday: '03-14' }, undefined, d('2027-01-01T00:00:00Z'), config);
    expect(decision).toEqual({ data: { kind: 'birthday', year: 2027, greetedYear: null }, dueAt: d('2027-03-14T13:00:00.000Z') });
  });

  it('does not greet twice in a year when the birthday or zone is edited on the day', () => {
    const now = d('2027-03-14T03:00:00Z');
    const sameDayOtherZone = decideBirthday({ birthday: '03-14', timeZone: 'America/New_York' }, greeted(2027), now, config);
    expect(sameDayOtherZone).toMatchObject({ data: { year: 2028, greetedYear: 2027 } });
    const movedToTomorrow = decideBirthday({ birthday: '03-15', timeZone: 'Asia/Shanghai' }, greeted(2027), now, config);
    expect(movedToTomorrow).toMatchObject({ data: { year: 2028, greetedYear: 2027 } });
  });

  it('disarms (keeping the greeted year) when the birthday is removed', () => {
    expect(decideBirthday({}, greeted(2027), d('2027-05-01T00:00:00Z'), config)).toEqual({
      data: { kind: 'birthday', year: null, greetedYear: 2027 },
      dueAt: undefined,
    });
  });
});
