// A journey's send counters are its step results added up; the daily counters older tables hold
// (STATS#) count only for a day without step results, so no email is counted twice and emails
// sent before step results existed stay in the report.
import { describe, expect, it } from 'vitest';
import { journeyDays, journeyTotals, type StepDayCounts } from '#shared/domain/step-results.ts';
import { buildLoyaltyReport } from '#shared/flows/analytics.ts';
import { snapshotFromItems } from '#shared/store/segments.ts';
import { keys } from '#shared/store/keys.ts';

const row = (day: string, stepId: string, variant: string | undefined, counts: StepDayCounts['counts']): StepDayCounts => ({
  journeyId: 'series',
  stepId,
  variant,
  day,
  counts,
});
const none = { sent: 0, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0, unsubscribed: 0 };

describe('a journey’s send counters', () => {
  it('add up its steps and variants per send day, oldest day first, leaving conversions to the step rows', () => {
    const days = journeyDays([
      row('2027-03-02', 'reminder', undefined, { sent: 4, delivered: 4, opened: 1 }),
      row('2027-03-01', 'hello', 'a', { sent: 3, delivered: 2, bounced: 1, converted: 1, revenueMilli: 5000 }),
      row('2027-03-01', 'hello', 'b', { sent: 2, delivered: 2, clicked: 1, unsubscribed: 1 }),
    ]);
    expect(days).toEqual([
      { day: '2027-03-01', counts: { ...none, sent: 5, delivered: 4, bounced: 1, clicked: 1, unsubscribed: 1 } },
      { day: '2027-03-02', counts: { ...none, sent: 4, delivered: 4, opened: 1 } },
    ]);
  });

  it('count an older table’s daily counters only on a day without step results', () => {
    const steps = [row('2027-03-02', 'hello', undefined, { sent: 4, delivered: 3 })];
    const older: { day: string; counts: Record<string, number> }[] = [
      // Both were written for every send since step results exist: the step results count.
      { day: '2027-03-02', counts: { sent: 4, delivered: 3, heldOut: 2 } },
      // Before step results: only the daily counters know these emails.
      { day: '2027-02-27', counts: { sent: 6, delivered: 6, opened: 2, unsubscribed: 1, heldOut: 1 } },
    ];
    expect(journeyDays(steps, older)).toEqual([
      { day: '2027-02-27', counts: { ...none, sent: 6, delivered: 6, opened: 2, unsubscribed: 1 } },
      { day: '2027-03-02', counts: { ...none, sent: 4, delivered: 3 } },
    ]);
    expect(journeyTotals(steps, older)).toEqual({ ...none, sent: 10, delivered: 9, opened: 2, unsubscribed: 1 });
  });

  it('are what the report’s journey line shows, from a table holding both kinds of items', () => {
    const items = [
      { ...keys.journeyStepResults('series', '2027-03-02', 'hello', undefined), journeyId: 'series', stepId: 'hello', day: '2027-03-02', sent: 4, delivered: 3 },
      { PK: `${keys.olderJourneyDaysPrefix}series`, SK: 'DAY#2027-03-02', campaignId: 'series', day: '2027-03-02', sent: 4, delivered: 3 },
      { PK: `${keys.olderJourneyDaysPrefix}series`, SK: 'DAY#2027-02-27', campaignId: 'series', day: '2027-02-27', sent: 6, delivered: 6 },
    ];
    const report = buildLoyaltyReport(
      snapshotFromItems(items),
      undefined,
      { from: new Date('2027-02-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z'), attributionDays: 7, currency: 'USD' },
      new Date('2027-04-01T00:00:00Z'),
    );
    const [series] = report.campaigns;
    expect(series).toMatchObject({ campaignId: 'series', sent: 10, delivered: 9 });
    // The step rows are the step results alone: the older days know no step.
    expect(series?.steps.map((s) => [s.step, s.sent])).toEqual([['hello', 4]]);
  });
});
