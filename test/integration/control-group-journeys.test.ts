// The global control group at journey entry, across a simulated year: members never enter a
// marketing journey (no run state, no trigger timer, no email), while a journey whose cap class
// they still receive (tier-upgrade, configured in program.yaml) reaches them like everyone else.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { inGlobalControlGroup } from '#shared/domain/global-control-group.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { customerItems } from '../support/table.ts';
import { loyalty } from './cli-support.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';

const CONTROL_GROUP = 'controlGroup: { percent: 25, stillReceive: [tier-upgrade] }';
const BIRTHDAY = `id: cg-birthday
name: Birthday (marketing)
trigger: { on: birthday }
reentry: always
send: { hour: 9, defaultTimeZone: UTC }
steps:
  - id: greet
    send: { template: cg-birthday }
`;
const TIER_UP = `id: cg-tier-up
name: Tier upgrade (service mail)
trigger: { on: event, event: Tier Changed, match: { direction: up } }
reentry: always
send: { hour: 9, defaultTimeZone: UTC, capClass: tier-upgrade, priority: 1 }
steps:
  - id: congratulate
    send: { template: cg-tier-up }
`;

const customers = Array.from({ length: 36 }, (_, i) => ({
  customerId: `cgj-${i}`,
  email: `cgj${i}@example.com`,
  birthday: `1990-${String((i % 12) + 1).padStart(2, '0')}-15`,
}));
let local: LocalRuntime;
let dir: string;
let programFile: string;
let members: typeof customers;
let others: typeof customers;

const count = async (address: string, prefix: string) =>
  (await subjectsTo(local, address)).filter((subject) => subject.startsWith(prefix)).length;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-journeys-'));
  const shipped = await readFile(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
  programFile = path.join(dir, 'program.yaml');
  await writeFile(programFile, `${shipped}\n${CONTROL_GROUP}\n`);
  const settings = parseProgramYaml(`${shipped}\n${CONTROL_GROUP}\n`, 'program.yaml').controlGroup;
  members = customers.filter((c) => inGlobalControlGroup(c.customerId, settings));
  others = customers.filter((c) => !inGlobalControlGroup(c.customerId, settings));

  local = await startLocal({ now: '2026-01-01T00:00:00Z', ports: 'random', env: { PROGRAM_FILE: programFile } });
  await writeFile(path.join(dir, 'cg-birthday.yaml'), BIRTHDAY);
  await writeFile(path.join(dir, 'cg-tier-up.yaml'), TIER_UP);
  await writeTemplate(dir, 'cg-birthday', { subject: 'CG birthday', text: 'Happy birthday!' });
  await writeTemplate(dir, 'cg-tier-up', { subject: 'CG tier up', text: 'Welcome to your new tier.' });
  await publishJourneyFile(local, path.join(dir, 'cg-birthday.yaml'));
  await publishJourneyFile(local, path.join(dir, 'cg-tier-up.yaml'));
  await local.advanceTo('2026-01-01T00:01:00Z');
  local.putEvents(
    customers.map((c) =>
      customerEvent({ customerId: c.customerId, email: c.email, firstName: 'Sam', locale: 'en-US', timeZone: 'UTC', birthday: c.birthday }),
    ),
  );
  await local.drain();
  // A year: in June everyone spends enough for Silver (a tier upgrade: service mail).
  for (let month = 2; month <= 12; month++) {
    await local.advanceTo(`2026-${String(month).padStart(2, '0')}-01T00:00:00Z`);
    if (month === 6)
      local.putEvents(
        customers.map((c) =>
          purchaseEvent({ customerId: c.customerId, orderId: `${c.customerId}-june`, amount: '600.00', purchasedAt: '2026-06-01T00:00:00Z' }),
        ),
      );
    await local.drain();
  }
  await local.advanceTo('2027-01-01T00:00:00Z');
}, 600_000);
afterAll(() => local?.stop());

describe('global control group at journey entry', () => {
  it('holds a stable share of customers (here 25% of 36, drawn from their ids)', () => {
    expect(members.length).toBeGreaterThan(3);
    expect(others.length).toBeGreaterThan(18);
  });

  it('sends members no marketing journey across the year, and everyone else their birthday', async () => {
    for (const member of members) expect(await count(member.email, 'CG birthday'), member.customerId).toBe(0);
    for (const other of others) expect(await count(other.email, 'CG birthday'), other.customerId).toBe(1);
  });

  it('keeps no run state and no trigger timer for members: they never enter', async () => {
    for (const member of members) {
      const items = await customerItems(local.doc, local.tableName, member.customerId);
      expect(items.filter((item) => String(item.SK).includes('cg-birthday')), member.customerId).toEqual([]);
    }
    const other = await customerItems(local.doc, local.tableName, others[0]!.customerId);
    expect(other.some((item) => String(item.SK).includes('cg-birthday'))).toBe(true);
  });

  it('counts members apart in `campaigns audience`: a marketing journey never reaches them, service mail does', async () => {
    await local.runScheduled('segment-thresholds');
    await writeFile(
      path.join(dir, 'cg-thanks.yaml'),
      `id: cg-thanks\nname: Thanks\ntrigger: { on: event, event: Purchase Completed }\nholdoutPercent: 10\nsteps:\n  - id: thank\n    send: { template: cg-birthday }\n`,
    );
    // The CLI reads the program file as the deployed functions do (PROGRAM_FILE).
    const before = process.env.PROGRAM_FILE;
    process.env.PROGRAM_FILE = programFile;
    try {
      const marketing = (await loyalty(local, ['--json', 'campaigns', 'audience', 'cg-thanks', '--file', path.join(dir, 'cg-thanks.yaml')])).json<{
        count: number;
        controlGroup: number;
        heldOut: number;
        toSend: number;
      }>();
      expect(marketing.count).toBe(customers.length);
      expect(marketing.controlGroup).toBe(Math.round(customers.length * 0.25));
      expect(marketing.heldOut).toBe(Math.round((marketing.count - marketing.controlGroup) * 0.1));
      expect(marketing.toSend).toBe(marketing.count - marketing.controlGroup - marketing.heldOut);
      const service = await loyalty(local, ['campaigns', 'audience', 'cg-tier-up']);
      expect(service.stdout).toMatch(/of them about 0 are in the global control group/);
    } finally {
      if (before === undefined) delete process.env.PROGRAM_FILE;
      else process.env.PROGRAM_FILE = before;
    }
  });

  it('still delivers the service mail members are configured to receive', async () => {
    for (const customer of customers) expect(await count(customer.email, 'CG tier up'), customer.customerId).toBe(1);
  });
});
