import { describe, expect, it } from 'vitest';
import { type JourneyInput, journeySchema } from '#shared/domain/journey.ts';
import type { JourneyState } from '#shared/domain/journey-state.ts';
import { reentryDecision } from '#shared/journeys/engine.ts';
import { dateTriggerOf, eventTrigger } from '#shared/journeys/triggers/index.ts';
import type { StoredProfile } from '#shared/store/customers.ts';

const journey = (trigger: JourneyInput['trigger'], extra: Partial<JourneyInput> = {}) =>
  journeySchema.parse({
    id: 'j',
    name: 'J',
    trigger,
    send: { hour: 9, defaultTimeZone: 'America/New_York' },
    steps: [{ id: 's', send: { template: 't' } }],
    ...extra,
  });

const stored = (profile: Partial<StoredProfile['profile']>): StoredProfile => ({
  profile: {
    customerId: 'c',
    consent: { granted: true, at: '2026-01-01T00:00:00Z', source: 'x' },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...profile,
  },
  profileVersion: 1,
  aggVersion: 1,
  loyalty: undefined,
  tierAnnouncedSeq: 0,
});

function next(
  trigger: JourneyInput['trigger'],
  profile: StoredProfile,
  now: string,
  entered: string[] = [],
  lateBy = 0,
) {
  const parsed = journey(trigger);
  if (parsed.trigger.on === 'event') throw new Error('date triggers only');
  return dateTriggerOf(parsed.trigger).next({
    trigger: parsed.trigger,
    journey: parsed,
    profile,
    now: new Date(now),
    entered,
    lateBy,
  });
}

const purchases = (firstPurchaseAt: string, lastPurchaseAt: string) => ({
  orderCount: 2,
  totalSpendMilli: 1,
  rollingSpendMilli: 1,
  refundedMilli: 0,
  averageOrderValueMilli: 1,
  couponOrderCount: 0,
  firstPurchaseAt,
  lastPurchaseAt,
  asOf: lastPurchaseAt,
});

describe('birthday trigger', () => {
  const leapling = stored({ birthday: '2000-02-29', timeZone: 'Asia/Shanghai' });

  it('greets a Feb 29 birthday on Feb 28 at 09:00 local in a common year, once per year', () => {
    expect(next({ on: 'birthday' }, leapling, '2027-01-10T00:00:00Z')).toEqual({
      dueAt: new Date('2027-02-28T01:00:00Z'),
      entryId: 'birthday#2027',
      detail: { occasion: 'birthday', year: 2027 },
    });
    expect(next({ on: 'birthday' }, leapling, '2027-01-10T00:00:00Z', ['birthday#2027'])?.dueAt).toEqual(
      new Date('2028-02-29T01:00:00Z'),
    );
  });

  it('celebrates on Mar 01 when the journey says so', () => {
    expect(
      next({ on: 'birthday', birthday: { leapDayIn: 'mar-01' } }, leapling, '2027-01-10T00:00:00Z')?.dueAt,
    ).toEqual(new Date('2027-03-01T01:00:00Z'));
  });

  it('has no occasion without a birthday', () => {
    expect(next({ on: 'birthday' }, stored({}), '2027-01-10T00:00:00Z')).toBeUndefined();
  });
});

describe('inactivity trigger', () => {
  const lapsed = stored({
    timeZone: 'America/New_York',
    purchases: purchases('2026-06-01T10:00:00.000Z', '2027-01-10T15:00:00.000Z'),
  });

  it('is due `days` after the last purchase at send.hour local, once per lapse', () => {
    expect(next({ on: 'inactivity', inactivity: { days: 60 } }, lapsed, '2027-01-11T00:00:00Z')).toEqual({
      dueAt: new Date('2027-03-11T14:00:00Z'),
      entryId: 'inactive#2027-01-10T15:00:00.000Z',
      detail: { occasion: 'inactivity', lastPurchaseAt: '2027-01-10T15:00:00.000Z', days: 60 },
    });
    expect(
      next({ on: 'inactivity', inactivity: { days: 60 } }, lapsed, '2027-01-11T00:00:00Z', [
        'inactive#2027-01-10T15:00:00.000Z',
      ]),
    ).toBeUndefined();
  });

  it('does not fire a lapse discovered weeks late, but tolerates a late scheduler within lateBy', () => {
    expect(
      next({ on: 'inactivity', inactivity: { days: 60 } }, lapsed, '2027-04-01T00:00:00Z'),
    ).toBeUndefined();
    expect(
      next({ on: 'inactivity', inactivity: { days: 60 } }, lapsed, '2027-03-12T00:00:00Z', [], 7 * 86_400_000)
        ?.entryId,
    ).toBe('inactive#2027-01-10T15:00:00.000Z');
  });
});

describe('first-purchase-anniversary and signup triggers', () => {
  it('is due on each anniversary of the first purchase, skipping the ones entered', () => {
    const buyer = stored({
      timeZone: 'Europe/London',
      purchases: purchases('2025-05-20T18:00:00.000Z', '2026-01-01T00:00:00.000Z'),
    });
    expect(next({ on: 'first-purchase-anniversary' }, buyer, '2027-01-01T00:00:00Z')).toMatchObject({
      dueAt: new Date('2027-05-20T08:00:00Z'),
      entryId: 'anniversary#2027',
    });
    expect(
      next({ on: 'first-purchase-anniversary' }, buyer, '2027-01-01T00:00:00Z', ['anniversary#2027'])
        ?.entryId,
    ).toBe('anniversary#2028');
  });

  it('welcomes a same-day signup after send.hour, once', () => {
    const fresh = stored({ timeZone: 'America/New_York', createdAt: '2027-03-01T18:00:00.000Z' });
    expect(next({ on: 'signup' }, fresh, '2027-03-01T18:00:05Z')).toMatchObject({
      dueAt: new Date('2027-03-01T14:00:00Z'),
      entryId: 'signup',
    });
    expect(next({ on: 'signup' }, fresh, '2027-03-01T18:00:05Z', ['signup'])).toBeUndefined();
    expect(next({ on: 'signup', signup: { days: 3 } }, fresh, '2027-03-01T18:00:05Z')?.dueAt).toEqual(
      new Date('2027-03-04T14:00:00Z'),
    );
  });
});

describe('event trigger', () => {
  it('matches the event name and every `match` field of the detail', () => {
    const trigger = { on: 'event' as const, event: 'Tier Changed' as const, match: { direction: 'up' } };
    const event = (direction: string) => ({
      name: 'Tier Changed' as const,
      customerId: 'c',
      factId: 'f',
      occurredAt: '2027-01-01T00:00:00Z',
      detail: { direction },
    });
    expect(eventTrigger.matches(trigger, event('up'))).toBe(true);
    expect(eventTrigger.matches(trigger, event('down'))).toBe(false);
    expect(eventTrigger.matches({ on: 'event', event: 'Purchase Completed' }, event('up'))).toBe(false);
  });
});

describe('re-entry', () => {
  const state = (overrides: Partial<JourneyState> = {}): JourneyState => ({
    customerId: 'c',
    journeyId: 'j',
    stateVersion: 3,
    status: 'exited',
    entryId: 'order#1',
    enteredAt: '2027-01-01T00:00:00.000Z',
    entryVersion: 1,
    version: 1,
    entries: 1,
    recentEntryIds: ['order#1'],
    triggerDetail: {},
    history: [],
    ...overrides,
  });
  const entry = (entryId: string, at: string) => ({ entryId, at, detail: {} });
  const decide = (
    reentry: JourneyInput['reentry'],
    current: JourneyState | undefined,
    id: string,
    at: string,
  ) =>
    reentryDecision(
      journey({ on: 'event', event: 'Purchase Completed' }, { reentry }),
      current,
      entry(id, at),
    );

  it('enters a first time, never twice for the same trigger, never for an older one', () => {
    expect(decide('always', undefined, 'order#1', '2027-01-01T00:00:00Z')).toBe('enter');
    expect(decide('always', state(), 'order#1', '2027-01-01T00:00:00Z')).toEqual({ kind: 'duplicate' });
    expect(decide('always', state(), 'order#0', '2026-12-31T00:00:00Z')).toEqual({ kind: 'stale' });
    expect(decide('always', state({ status: 'active' }), 'order#2', '2027-01-02T00:00:00Z')).toEqual({
      kind: 'in-journey',
    });
  });

  it('applies once, always and every N days to a later trigger', () => {
    expect(decide('once', state(), 'order#2', '2027-02-01T00:00:00Z')).toEqual({ kind: 'not-again' });
    expect(decide('always', state(), 'order#2', '2027-01-02T00:00:00Z')).toBe('enter');
    expect(decide({ every: '90d' }, state(), 'order#2', '2027-03-01T00:00:00Z')).toEqual({
      kind: 'not-again',
    });
    expect(decide({ every: '90d' }, state(), 'order#2', '2027-04-01T00:00:00Z')).toBe('enter');
  });
});
