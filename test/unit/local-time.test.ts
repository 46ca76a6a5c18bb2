import { describe, expect, it } from 'vitest';
import { addDays, isLeapYear, localDateTimeAt, nextLocalTimeOfDay, zonedTimeToUtc } from '#shared/domain/local-time.ts';
import { nextLocalHour } from '#shared/domain/best-send-hour.ts';
import { waitUntil } from '#shared/journeys/steps/wait.ts';

const at9 = (year: number, month: number, day: number, zone: string) =>
  zonedTimeToUtc({ year, month, day, hour: 9, minute: 0 }, zone).toISOString();

describe('local wall time to UTC', () => {
  it('places 09:00 in Shanghai at 01:00 UTC all year (no DST)', () => {
    expect(at9(2027, 1, 15, 'Asia/Shanghai')).toBe('2027-01-15T01:00:00.000Z');
    expect(at9(2027, 7, 15, 'Asia/Shanghai')).toBe('2027-07-15T01:00:00.000Z');
  });

  it('follows New York across the March switch: EST the day before, EDT on the day', () => {
    expect(at9(2027, 3, 13, 'America/New_York')).toBe('2027-03-13T14:00:00.000Z');
    expect(at9(2027, 3, 14, 'America/New_York')).toBe('2027-03-14T13:00:00.000Z');
  });

  it('follows New York across the November switch: EDT the day before, EST on the day', () => {
    expect(at9(2027, 11, 6, 'America/New_York')).toBe('2027-11-06T13:00:00.000Z');
    expect(at9(2027, 11, 7, 'America/New_York')).toBe('2027-11-07T14:00:00.000Z');
  });

  it('puts 09:00 in Kiritimati (UTC+14) on the previous UTC day', () => {
    expect(at9(2027, 1, 1, 'Pacific/Kiritimati')).toBe('2026-12-31T19:00:00.000Z');
  });

  it('handles half-hour zones', () => {
    expect(at9(2027, 1, 1, 'Asia/Kolkata')).toBe('2027-01-01T03:30:00.000Z');
  });

  it('moves a time skipped by spring-forward to after the gap', () => {
    const skipped = zonedTimeToUtc(
      { year: 2027, month: 3, day: 14, hour: 2, minute: 30 },
      'America/New_York',
    );
    expect(skipped.toISOString()).toBe('2027-03-14T07:30:00.000Z'); // 03:30 EDT
  });

  it('resolves the repeated hour of fall-back to its first occurrence', () => {
    const repeated = zonedTimeToUtc(
      { year: 2027, month: 11, day: 7, hour: 1, minute: 30 },
      'America/New_York',
    );
    expect(repeated.toISOString()).toBe('2027-11-07T05:30:00.000Z'); // 01:30 EDT
  });
});

describe('local calendar', () => {
  it('reads the local date of an instant in a zone', () => {
    expect(localDateTimeAt(new Date('2026-12-31T19:00:00Z'), 'Pacific/Kiritimati')).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      hour: 9,
      minute: 0,
    });
  });

  it('knows leap years, including the century rules', () => {
    expect([2024, 2027, 2028, 1900, 2000].map(isLeapYear)).toEqual([true, false, true, false, true]);
  });

  it('adds days across month and year ends', () => {
    expect(addDays({ year: 2027, month: 12, day: 15 }, 60)).toEqual({ year: 2028, month: 2, day: 13 });
  });
});

describe('the next local time of day', () => {
  const zone = 'America/New_York';
  const local = (iso: string) => localDateTimeAt(new Date(iso), zone);

  it('is later today when the hour is still ahead, else tomorrow, and never now', () => {
    // 08:30 in New York (EST, UTC-5).
    const morning = new Date('2027-01-10T13:30:00Z');
    expect(nextLocalTimeOfDay(morning, 10, zone).toISOString()).toBe('2027-01-10T15:00:00.000Z');
    expect(nextLocalTimeOfDay(morning, 8, zone).toISOString()).toBe('2027-01-11T13:00:00.000Z');
    const exactlyTen = new Date('2027-01-10T15:00:00Z');
    expect(nextLocalTimeOfDay(exactlyTen, 10, zone).toISOString()).toBe('2027-01-11T15:00:00.000Z');
  });

  it('keeps the local hour across a daylight-saving change', () => {
    // 2027-03-14 is the spring-forward Sunday in New York: 10:00 is UTC-4 from then on.
    const at = nextLocalTimeOfDay(new Date('2027-03-13T20:00:00Z'), 10, zone);
    expect(local(at.toISOString())).toMatchObject({ day: 14, hour: 10, minute: 0 });
    expect(at.toISOString()).toBe('2027-03-14T14:00:00.000Z');
  });

  it('is what a wait until an hour waits for, while the send hour goes now inside that hour', () => {
    const halfPastTen = new Date('2027-01-10T15:30:00Z');
    expect(waitUntil({ until: { hour: 10 } }, halfPastTen, zone).toISOString()).toBe('2027-01-11T15:00:00.000Z');
    expect(nextLocalHour(halfPastTen, 10, zone)).toBe(halfPastTen);
    expect(nextLocalHour(halfPastTen, 11, zone).toISOString()).toBe('2027-01-10T16:00:00.000Z');
  });
});
