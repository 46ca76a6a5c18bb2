import { describe, expect, it } from 'vitest';
import {
  earliestOccasion,
  lifecycleChangeToArm,
  ARMING_LEAD_MS,
  armedDueAt,
  HORIZON_HOURS,
  hoursInView,
  needsNudge,
  nextCheckAt,
  runIsDue,
  schedulerLagMs,
} from '#shared/domain/timers.ts';

const d = (iso: string) => new Date(iso);

describe('scheduler window', () => {
  it('reads the directory from the hour after the watermark to the end of the horizon', () => {
    const hours = hoursInView('2027-03-14T02', d('2027-03-14T08:05:00Z'), 48).map((h) =>
      h.toISOString().slice(0, 13),
    );
    expect(hours[0]).toBe('2027-03-14T03');
    expect(hours.at(-1)).toBe('2027-03-15T07');
    expect(hours).toHaveLength(6 + HORIZON_HOURS - 1);
  });

  it('looks back a configured number of hours on the very first run', () => {
    expect(hoursInView(undefined, d('2027-03-14T08:05:00Z'), 2)[0]?.toISOString()).toBe(
      '2027-03-14T06:00:00.000Z',
    );
  });

  it('needs a run when the planned check or a nudge is due, and not otherwise', () => {
    const state = { watermark: '2027-03-14T07', nextCheckAt: '2027-03-14T15:20:00.000Z', nudgeAt: undefined };
    expect(runIsDue(state, d('2027-03-14T15:15:00Z'))).toBe(false);
    expect(runIsDue(state, d('2027-03-14T15:20:00Z'))).toBe(true);
    expect(runIsDue({ ...state, nudgeAt: '2027-03-14T08:31:00.000Z' }, d('2027-03-14T08:35:00Z'))).toBe(true);
    expect(runIsDue({ ...state, watermark: undefined }, d('2027-03-14T08:35:00Z'))).toBe(true);
  });

  it('sleeps until the earliest pending timer, the next listed hour, or an hour before the horizon ends', () => {
    const now = d('2027-03-14T08:05:00Z');
    const plan = (earliestPending?: Date, nextMarkedHour?: Date) =>
      nextCheckAt({ earliestPending, nextMarkedHour, now }).toISOString();
    expect(plan(d('2027-03-14T08:20:00Z'), d('2027-03-14T11:00:00Z'))).toBe('2027-03-14T08:20:00.000Z');
    expect(plan(undefined, d('2027-03-14T11:00:00Z'))).toBe('2027-03-14T11:00:00.000Z');
    expect(plan()).toBe('2027-03-15T07:00:00.000Z');
  });

  it('never arms a timer in the past or inside the next minute', () => {
    const now = d('2027-03-14T08:05:00Z');
    expect(armedDueAt(d('2027-03-14T01:00:00Z'), now).getTime()).toBe(now.getTime() + ARMING_LEAD_MS);
    expect(armedDueAt(d('2027-03-15T01:00:00Z'), now).toISOString()).toBe('2027-03-15T01:00:00.000Z');
  });

  it('nudges the scheduler for timers armed inside the horizon it may already have read', () => {
    const now = d('2027-03-14T08:59:00Z');
    expect(needsNudge(d('2027-03-14T09:00:00Z'), now)).toBe(true);
    expect(needsNudge(d('2027-03-15T08:59:00Z'), now)).toBe(true);
    expect(needsNudge(d('2027-03-15T09:00:00Z'), now)).toBe(false);
    expect(needsNudge(d('2027-05-14T09:00:00Z'), now)).toBe(false);
  });

  it('measures lag against its own plan: zero on time, the outage length after downtime', () => {
    const state = { watermark: '2027-03-14T07', nextCheckAt: '2027-03-14T08:00:00.000Z', nudgeAt: undefined };
    expect(schedulerLagMs(state, d('2027-03-14T07:55:00Z'))).toBe(0);
    expect(schedulerLagMs(state, d('2027-03-14T14:00:00Z'))).toBe(6 * 3_600_000);
    expect(schedulerLagMs({ ...state, watermark: undefined }, d('2027-03-14T14:00:00Z'))).toBeUndefined();
  });
});

describe("the customer's one timer", () => {
  const occasion = (dueAt: string | null) => ({ entryId: dueAt && 'e', dueAt, entered: [] });

  it('sits at the earliest occasion or lifecycle change, none when nothing is armed', () => {
    expect(
      earliestOccasion({
        kind: 'journey-triggers',
        journeys: { birthday: occasion('2027-09-14T13:00:00.000Z'), 'win-back': occasion(null) },
        lifecycle: '2027-02-09T16:00:00.000Z',
      }),
    ).toEqual(new Date('2027-02-09T16:00:00.000Z'));
    expect(earliestOccasion({ kind: 'journey-triggers', journeys: { b: occasion('2027-09-14T13:00:00.000Z') } })).toEqual(
      new Date('2027-09-14T13:00:00.000Z'),
    );
    expect(earliestOccasion({ kind: 'journey-triggers', journeys: { b: occasion(null) }, lifecycle: null })).toBeUndefined();
  });

  it('arms a lifecycle change when none is, or when it comes sooner; never postpones one armed', () => {
    expect(lifecycleChangeToArm(undefined, '2027-03-01T00:00:00.000Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(lifecycleChangeToArm(null, '2027-03-01T00:00:00.000Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(lifecycleChangeToArm('2027-03-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z')).toBe('2027-02-01T00:00:00.000Z');
    // A repeat purchase postpones the change: the armed one fires, recomputes and re-arms.
    expect(lifecycleChangeToArm('2027-03-01T00:00:00.000Z', '2027-05-01T00:00:00.000Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(lifecycleChangeToArm('2027-03-01T00:00:00.000Z', null)).toBe('2027-03-01T00:00:00.000Z');
  });
});
