// Reports the weekly run stored by earlier versions are read back with the parts they predate
// filled empty and named; a current report passes through unchanged.
import { describe, expect, it } from 'vitest';
import { buildLoyaltyReport } from '#shared/flows/analytics.ts';
import { readStoredReport } from '#shared/flows/stored-report.ts';
import { snapshotFromItems } from '#shared/store/segments.ts';

const current = buildLoyaltyReport(
  snapshotFromItems([
    { PK: 'CUSTOMER#c-1', SK: 'PROFILE', customerId: 'c-1', createdAt: '2027-01-01T00:00:00.000Z' },
    { PK: 'CUSTOMER#c-1', SK: 'SEND#news#w1', type: 'send', status: 'sent', campaignId: 'news', sentAt: '2027-02-01T10:00:00.000Z' },
    { PK: 'CUSTOMER#c-2', SK: 'HOLDOUT#news#w1', status: 'held-out', campaignId: 'news', at: '2027-02-01T10:00:00.000Z' },
    { PK: 'STEPRESULTS#news', SK: 'DAY#2027-02-01#hello#-', journeyId: 'news', stepId: 'hello', day: '2027-02-01', sent: 1 },
  ]),
  undefined,
  { from: new Date('2027-02-01T00:00:00Z'), to: new Date('2027-03-01T00:00:00Z'), attributionDays: 7, currency: 'USD' },
  new Date('2027-03-01T00:00:00Z'),
);
const stored = JSON.parse(JSON.stringify(current)) as Record<string, unknown> & { campaigns: Record<string, unknown>[] };

describe('a stored report read back', () => {
  it('passes a current report through unchanged, naming nothing', () => {
    const read = readStoredReport(stored);
    expect(read.missing).toEqual([]);
    expect(read.note).toBeUndefined();
    expect(JSON.parse(JSON.stringify(read.report))).toEqual(stored);
  });

  it('fills step rows stored before unsubscribes and the holdout comparison, and names both', () => {
    const campaigns = stored.campaigns.map((c) => ({
      ...c,
      holdoutPercent: undefined,
      steps: (c.steps as Record<string, unknown>[]).map(({ unsubscribed: _u, holdout: _h, ...step }) => step),
    }));
    const read = readStoredReport({ ...stored, campaigns });
    expect(read.missing).toEqual(['unsubscribes per step', 'what each step is compared with']);
    expect(read.note).toBe(
      'Stored by an earlier version, before unsubscribes per step, what each step is compared with: those show as empty until the next weekly run stores a complete report.',
    );
    // The journey held one entry out: without the stored comparison, the statement that holds for any step.
    expect(read.report.campaigns[0]?.steps).toEqual([expect.objectContaining({ step: 'hello', sent: 1, unsubscribed: 0, holdout: 'later-step' })]);
    expect(read.report.campaigns[0]?.holdoutPercent).toBeNull();
  });

  it('refuses what no version stored, naming the field', () => {
    expect(() => readStoredReport({ campaigns: [{ holdout: 0 }] })).toThrow(/campaignId/);
  });
});
