import { describe, expect, it } from 'vitest';
import {
  firstWinBackDue,
  type WinBackConfig,
  winBackPeriod,
  winBackStepDueAt,
} from '#shared/domain/win-back.ts';
import { decideWinBack } from '#shared/flows/timers.ts';

const config: WinBackConfig = {
  campaign: 'win-back',
  enabled: true,
  sendHour: 10,
  defaultTimeZone: 'America/New_York',
  steps: [
    { id: 'day-60', afterDays: 60, template: 'win-back-60', offer: { percentOff: 10 } },
    { id: 'day-90', afterDays: 90, template: 'win-back-90', offer: { percentOff: 15 } },
    { id: 'day-120', afterDays: 120, template: 'win-back-120', offer: { percentOff: 20 } },
  ],
};

const lastPurchase = '2027-01-10T15:00:00.000Z'; // 23:00 in Shanghai, 10:00 in New York

describe('win-back steps', () => {
  it('are due 60, 90 and 120 local days after the last purchase, at the send hour', () => {
    const steps = [0, 1, 2].map((i) =>
      winBackStepDueAt(new Date(lastPurchase), i, 'America/New_York', config)?.toISOString(),
    );
    // Mar 11 is before the DST switch (EST), Apr 10 and May 10 after it (EDT).
    expect(steps).toEqual([
      '2027-03-11T15:00:00.000Z',
      '2027-04-10T14:00:00.000Z',
      '2027-05-10T14:00:00.000Z',
    ]);
  });

  it('count days from the purchase day in the customer zone', () => {
    // 23:00 on Jan 10 in Shanghai: day 60 is Mar 11 local, 10:00 local = 02:00 UTC.
    expect(winBackStepDueAt(new Date(lastPurchase), 0, 'Asia/Shanghai', config)?.toISOString()).toBe(
      '2027-03-11T02:00:00.000Z',
    );
  });

  it('has no step after the last one', () => {
    expect(winBackStepDueAt(new Date(lastPurchase), 3, 'UTC', config)).toBeUndefined();
  });

  it('arms the first step still ahead, so a history import does not fire overdue steps in a burst', () => {
    expect(
      firstWinBackDue(lastPurchase, 'America/New_York', new Date('2027-01-11T00:00:00Z'), config)?.stepIndex,
    ).toBe(0);
    expect(
      firstWinBackDue(lastPurchase, 'America/New_York', new Date('2027-03-20T00:00:00Z'), config)?.stepIndex,
    ).toBe(1);
    expect(
      firstWinBackDue(lastPurchase, 'America/New_York', new Date('2027-06-01T00:00:00Z'), config),
    ).toBeUndefined();
  });

  it('has one ledger period per lapse and step', () => {
    expect(
      winBackPeriod(
        lastPurchase,
        config.steps[1] ?? { id: 'day-90', afterDays: 90, template: 'win-back-90', offer: {} },
      ),
    ).toBe('2027-01-10T15:00:00.000Z#day-90');
  });
});

describe('win-back arming decision', () => {
  const now = new Date('2027-02-01T00:00:00Z');
  const timer = (lapseStart: string, stepIndex: number) => ({
    customerId: 'c-1',
    version: 3,
    dueAt: '2027-03-11T15:00:00.000Z',
    data: { kind: 'win-back' as const, lapseStart, stepIndex },
  });

  it('leaves customers who never bought out of the series', () => {
    expect(decideWinBack(null, undefined, undefined, now, config)).toBe('unchanged');
  });

  it('starts a new lapse at step one when a newer purchase arrives', () => {
    const decision = decideWinBack('2027-01-20T15:00:00Z', undefined, timer(lastPurchase, 1), now, config);
    expect(decision).toEqual({
      data: { kind: 'win-back', lapseStart: '2027-01-20T15:00:00.000Z', stepIndex: 0 },
      dueAt: new Date('2027-03-21T14:00:00.000Z'),
    });
  });

  it('ignores a redelivered or older purchase', () => {
    expect(decideWinBack(lastPurchase, undefined, timer(lastPurchase, 1), now, config)).toBe('unchanged');
    expect(decideWinBack('2027-01-01T00:00:00Z', undefined, timer(lastPurchase, 1), now, config)).toBe(
      'unchanged',
    );
  });
});
