// The global control group end to end through the real sender: a year of monthly marketing sends
// on the simulated clock never reaches the group, service mail they are configured to get does,
// and every withheld send is recorded so the report can compare the group with everyone else.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inGlobalControlGroup } from '#shared/domain/global-control-group.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { type DeliveryLocal, enqueue, ledgerEntry, newsRequest, startDelivery, upsertCustomers } from './sender-fixtures.ts';
import { parseSendReference, SEND_REFERENCE_HEADER } from '#shared/mail/send-headers.ts';

const CONTROL_GROUP = 'controlGroup: { percent: 25, stillReceive: [tier-upgrade] }';
const shipped = readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
const settings = parseProgramYaml(`${shipped}\n${CONTROL_GROUP}\n`, 'program.yaml').controlGroup;

const customers = Array.from({ length: 40 }, (_, i) => ({ customerId: `cg-${i}`, email: `cg${i}@example.com` }));
const members = customers.filter((c) => inGlobalControlGroup(c.customerId, settings));
const others = customers.filter((c) => !inGlobalControlGroup(c.customerId, settings));
const months = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

describe('global control group', () => {
  let d: DeliveryLocal;
  const received = async (campaign: string) => {
    const counts = new Map<string, number>();
    for (const email of await d.local.emails()) {
      const headers = (email.headers as { name: string; value: string }[] | undefined) ?? [];
      const reference = headers.find((h) => h.name === SEND_REFERENCE_HEADER);
      if (parseSendReference(reference?.value ?? '')?.ref.campaignId !== campaign) continue;
      const to = email.destination.to[0] ?? '';
      counts.set(to, (counts.get(to) ?? 0) + 1);
    }
    return counts;
  };

  beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'program-')), 'program.yaml');
    writeFileSync(file, `${shipped}\n${CONTROL_GROUP}\n`);
    d = await startDelivery({ now: '2026-01-01T00:00:00Z', env: { PROGRAM_FILE: file } });
    await upsertCustomers(d.local, customers);
    // A year: each month's newsletter to everyone; a tier-upgrade (service mail) in March and September.
    for (const month of months) {
      await d.local.advanceTo(`${month}-05T15:00:00Z`);
      const requests = customers.map((c) => newsRequest(c.customerId, { period: month, requestedAt: `${month}-05T15:00:00Z` }));
      if (month.endsWith('-03') || month.endsWith('-09')) {
        requests.push(
          ...customers.map((c) =>
            newsRequest(c.customerId, { campaignId: 'tier-up', capClass: 'tier-upgrade', period: month, requestedAt: `${month}-05T15:00:00Z` }),
          ),
        );
      }
      await enqueue(d.local, requests);
      await d.local.advanceTo(`${month}-06T15:00:00Z`);
    }
  }, 600_000);
  afterAll(() => d?.stop());

  it('holds a stable share of customers (here 25% of 40, drawn from their ids)', () => {
    expect(members.length).toBeGreaterThan(4);
    expect(others.length).toBeGreaterThan(20);
  });

  it('sends the group no marketing across the year, and everyone else every month', async () => {
    const news = await received('news');
    for (const member of members) expect(news.get(member.email) ?? 0).toBe(0);
    for (const other of others) expect(news.get(other.email)).toBe(12);
  });

  it('still delivers the service mail the group is configured to receive', async () => {
    const tierUp = await received('tier-up');
    for (const customer of customers) expect(tierUp.get(customer.email)).toBe(2);
  });

  it('records every withheld send, so the report can compare the group with everyone else', async () => {
    for (const month of months) {
      expect(await ledgerEntry(d.local, members[0]!.customerId, 'news', month)).toMatchObject({
        status: 'skipped',
        reason: 'control-group',
      });
    }
    expect(await ledgerEntry(d.local, others[0]!.customerId, 'news', '2026-06')).toMatchObject({ status: 'sent' });
  });
});
