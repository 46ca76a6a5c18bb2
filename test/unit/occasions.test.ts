import { describe, expect, it } from 'vitest';
import { nextAnniversaryDue } from '#shared/domain/occasions.ts';

describe('first-purchase anniversary due time', () => {
  it('is the send hour in the customer zone on the anniversary, strictly after the given instant', () => {
    const anchor = new Date('2026-01-15T12:00:00Z');
    expect(nextAnniversaryDue(anchor, anchor, 'Asia/Shanghai', 10)).toEqual({
      dueAt: new Date('2027-01-15T02:00:00Z'),
      period: '2027',
      years: 1,
    });
    const second = nextAnniversaryDue(anchor, new Date('2027-01-15T02:00:00Z'), 'Asia/Shanghai', 10);
    expect(second).toEqual({ dueAt: new Date('2028-01-15T02:00:00Z'), period: '2028', years: 2 });
  });

  it('uses the local date of the first purchase (late evening in New York is the next day in UTC)', () => {
    const anchor = new Date('2026-03-01T03:30:00Z'); // Feb 28, 22:30 in New York
    expect(nextAnniversaryDue(anchor, anchor, 'America/New_York', 9).dueAt).toEqual(
      new Date('2027-02-28T14:00:00Z'),
    );
  });

  it('celebrates a Feb 29 first purchase on Feb 28 in common years', () => {
    const anchor = new Date('2028-02-29T12:00:00Z');
    expect(nextAnniversaryDue(anchor, anchor, 'UTC', 9)).toMatchObject({
      dueAt: new Date('2029-02-28T09:00:00Z'),
      years: 1,
    });
    expect(nextAnniversaryDue(anchor, new Date('2031-03-01T00:00:00Z'), 'UTC', 9)).toMatchObject({
      dueAt: new Date('2032-02-29T09:00:00Z'),
      years: 4,
    });
  });

  it('skips anniversaries already past for a back-dated purchase', () => {
    const anchor = new Date('2020-06-01T12:00:00Z');
    expect(nextAnniversaryDue(anchor, new Date('2026-11-23T00:00:00Z'), 'UTC', 9)).toMatchObject({
      period: '2027',
      years: 7,
    });
  });
});
