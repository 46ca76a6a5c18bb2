// Skipping quiet schedule ticks is only a speed-up: advancing the living sample shop with the
// skips gives the same emails and the same report as firing every schedule instant, as AWS would.
// Both runs start from one loaded table (copied), since loading two years of purchases through
// concurrent consumers is itself not ordered the same twice. Each simulated day at midnight UTC one
// customer also moves their birthday to that day, an arm inside the scheduler's horizon: it nudges the scheduler,
// which must then wake from its quiet promise, or the greeting would go out late or not at all.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivingShop } from '#infra/local/living-shop.ts';
import { type AdvanceOptions, startLocal } from '#infra/local/runtime.ts';
import { sampleEvents } from '#infra/local/sample-data.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { customerUpsertedDetail } from '#shared/events/contracts.ts';

const CUSTOMERS = 40;
const START = '2027-03-13T00:00:00Z';
const END = '2027-04-22T00:00:00Z';

interface Outcome {
  scheduleRuns: number;
  /** Every email sent while advancing: recipient and subject, in a stable order. */
  emails: string[];
  /** Every send-ledger entry: customer, campaign and period, outcome and its simulated instant. */
  ledger: string[];
  report: Record<string, unknown>;
}

const loadEvents = sampleEvents({ customers: CUSTOMERS, now: new Date(START) });
const profiles = loadEvents.flatMap((event) =>
  event.detailType === 'Customer Upserted' ? [customerUpsertedDetail.parse(event.detail)] : [],
);
let folder: string;
let skipping: Outcome;
let everyInstant: Outcome;

async function advanceLoadedShop(dataDir: string, options: AdvanceOptions): Promise<Outcome> {
  const local = await startLocal({ now: START, ports: 'random', dataDir });
  try {
    // SES local keeps one mailbox per process: each run starts from an empty one.
    await fetch(`${local.endpoints.ses}/clear-store`, { method: 'POST' });
    startLivingShop(local, { customers: CUSTOMERS });
    local.everyDay('ses-events', () => local.sesEvents.publishNewSends());
    local.everyDay('birthday-edits', async (at) => {
      const day = Math.floor(at.getTime() / DAY_MS);
      const customer = profiles[day % profiles.length];
      if (!customer) return;
      const birthday = at.toISOString().slice(5, 10);
      local.putEvents([{ source: 'shop.customers', detailType: 'Customer Upserted', detail: { ...customer, birthday }, time: at }]);
    });
    const { scheduleRuns } = await local.advanceTo(END, options);
    const { Items = [] } = await local.doc.send(
      new ScanCommand({ TableName: local.tableName, FilterExpression: 'begins_with(SK, :send)', ExpressionAttributeValues: { ':send': 'SEND#' } }),
    );
    const ledger = Items.map((item) => `${item.PK} ${item.SK} ${item.status} ${item.sentAt ?? item.at ?? ''}`).sort();
    const emails = (await local.emails()).map((email) => `${email.destination.to.join(',')} ${email.subject}`).sort();
    const response = await fetch(`${local.endpoints.aws}/_local/report?format=json`);
    const { generatedAt: _generatedAt, ...report } = (await response.json()) as Record<string, unknown>;
    return { scheduleRuns, emails, ledger, report };
  } finally {
    await local.stop();
  }
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'time-travel-'));
  const loaded = path.join(folder, 'loaded');
  const loader = await startLocal({ now: START, ports: 'random', dataDir: loaded });
  loader.putEvents(loadEvents);
  await loader.drain();
  await loader.stop();
  await cp(loaded, path.join(folder, 'skipping'), { recursive: true });
  await cp(loaded, path.join(folder, 'every-instant'), { recursive: true });
  skipping = await advanceLoadedShop(path.join(folder, 'skipping'), {});
  everyInstant = await advanceLoadedShop(path.join(folder, 'every-instant'), { everyInstant: true });
}, 600_000);
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('advancing the clock over the living sample shop', () => {
  it('sends the same emails whether quiet ticks are skipped or every instant fires', () => {
    expect(everyInstant.emails.length).toBeGreaterThan(0);
    expect(skipping.emails).toEqual(everyInstant.emails);
  });

  it('sends them at the same simulated instants, the birthdays moved to the day included', () => {
    expect(everyInstant.ledger.some((entry) => entry.includes('SEND#birthday'))).toBe(true);
    expect(skipping.ledger).toEqual(everyInstant.ledger);
  });

  it('ends with the same report', () => {
    expect(skipping.report).toEqual(everyInstant.report);
  });

  it('skips most schedule instants: the daily orders and sends wake only the schedules they concern', () => {
    expect(skipping.scheduleRuns * 10).toBeLessThan(everyInstant.scheduleRuns);
  });
});
