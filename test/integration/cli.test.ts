// The marketer's tools on the shipped journeys against the local runtime: audience from the due
// index, preview, test-send, and a published holdout share taking effect in the real scheduler ->
// journey engine -> sender path.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { isEntryHeldOut } from '#shared/domain/holdout.ts';
import { keys } from '#shared/store/keys.ts';
import { customerEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { customerItems } from '../support/table.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
let dir: string;
const ids = Array.from({ length: 40 }, (_, i) => `cli-${i}`);

beforeAll(async () => {
  local = await startLocal({
    now: '2027-03-01T00:00:00Z',
    ports: 'random',
    shippedJourneys: ['birthday', 'tier-upgrade', 'win-back'],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'cli-'));
  await cp(path.resolve('campaigns'), path.join(dir, 'campaigns'), { recursive: true });
  local.putEvents(
    ids.map((customerId, i) =>
      customerEvent({
        customerId,
        email: `${customerId}@example.com`,
        firstName: i === 0 ? '<script>alert(1)</script>{{ coupon.code }}' : `Customer ${i}`,
        birthday: '1990-03-14',
        ...(i % 2
          ? { locale: 'en-US', timeZone: 'America/New_York' }
          : { locale: 'zh-CN', timeZone: 'Asia/Shanghai' }),
      }),
    ),
  );
  await local.drain();
}, 60_000);
afterAll(() => local?.stop());

const run = (args: string[]) => loyalty(local, args, dir);

describe('loyalty campaigns audience', () => {
  it('counts the customers due on a day from the due index, without a scan', async () => {
    const result = await run([
      '--json',
      'campaigns',
      'audience',
      'birthday',
      '--on',
      '2027-03-14',
      '--sample',
      '3',
    ]);
    expect(result.stderr).toBe('');
    const audience = result.json<{ due: number; toSend: number; heldOut: number; sample: unknown[] }>();
    // The shipped birthday holds 10% of each year's entries out: they are due but not sent.
    const held = heldOutOfShipped('birthday', 'birthday#2027', ids);
    expect(held).toHaveLength(3);
    expect(audience).toMatchObject({ due: 40, heldOut: held.length, toSend: 40 - held.length });
    expect(audience.sample).toHaveLength(3);
    expect(
      (await run(['--json', 'campaigns', 'audience', 'birthday', '--on', '2027-03-13'])).json(),
    ).toMatchObject({ due: 0 });
  });

  it('defaults to the day of the local runtime’s simulated clock, not the real date', async () => {
    const result = await run(['--json', 'campaigns', 'audience', 'birthday']);
    expect(result.json()).toMatchObject({ day: local.clock.now().toISOString().slice(0, 10) });
  });

  it('applies audience filters on derived lifecycle stages: customers without purchases are "new"', async () => {
    const file = path.join(dir, 'campaigns', 'birthday.yaml');
    const lapsedOnly = path.join(dir, 'lapsed', 'birthday.yaml');
    await cp(file, lapsedOnly, { recursive: true });
    await cp(path.join(dir, 'campaigns', 'templates'), path.join(dir, 'lapsed', 'templates'), { recursive: true });
    await writeFile(
      lapsedOnly,
      (await readFile(file, 'utf8')).replace(
        '  birthday: { leapDayIn: feb-28 }',
        '  birthday: { leapDayIn: feb-28 }\n  where: { lifecycleStages: [lapsed, churned] }',
      ),
    );
    const result = await run([
      '--json',
      'campaigns',
      'audience',
      'birthday',
      '--file',
      lapsedOnly,
      '--on',
      '2027-03-14',
    ]);
    expect(result.json()).toMatchObject({
      due: 40,
      inAudience: 0,
      notInAudience: { 'lifecycle stage new not in lapsed, churned': 40 },
    });
  });

  it('rejects a bad date (exit 2)', async () => {
    expect((await run(['campaigns', 'audience', 'birthday', '--on', '14/03/2027'])).code).toBe(2);
  });
});

describe('finding the local runtime', () => {
  it('follows LOCAL_AWS_PORT when no --endpoint is given, as npm start was told, and names a bad one', async () => {
    const port = new URL(local.endpoints.aws).port;
    const saved = { aws: process.env.LOCAL_AWS_PORT, endpoint: process.env.LOYALTY_ENDPOINT };
    delete process.env.LOYALTY_ENDPOINT;
    try {
      process.env.LOCAL_AWS_PORT = port;
      const found = await loyalty(undefined, ['--json', 'campaigns', 'list'], dir);
      expect(found.stderr).toBe('');
      expect(found.json<{ id: string }[]>().map((journey) => journey.id)).toEqual(
        expect.arrayContaining(['birthday', 'tier-upgrade', 'win-back']),
      );
      process.env.LOCAL_AWS_PORT = 'forty';
      const bad = await loyalty(undefined, ['campaigns', 'list'], dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('LOCAL_AWS_PORT: "forty" is not a port number');
    } finally {
      for (const [name, value] of [['LOCAL_AWS_PORT', saved.aws], ['LOYALTY_ENDPOINT', saved.endpoint]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('loyalty campaigns preview and test-send', () => {
  it('renders for a real customer: text to the terminal, escaped HTML to a file', async () => {
    const result = await run([
      'campaigns',
      'preview',
      'birthday',
      '--customer',
      'cli-0',
      '--out',
      'preview.html',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Subject: ');
    expect(result.stdout).toContain('zh-CN');

    const html = readFileSync(path.join(dir, 'preview.html'), 'utf8');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('exits 3 for an unknown customer, campaign or step', async () => {
    expect((await run(['campaigns', 'preview', 'birthday', '--customer', 'nobody'])).code).toBe(3);
    expect((await run(['campaigns', 'preview', 'nope', '--customer', 'cli-1'])).code).toBe(3);
    expect(
      (await run(['campaigns', 'preview', 'win-back', '--customer', 'cli-1', '--step', 'day-7'])).code,
    ).toBe(3);
    expect(existsSync(path.join(dir, 'preview-nope-cli-1.html'))).toBe(false);
  });

  it('sends a test marked [TEST] to the given address through SES local', async () => {
    const result = await run([
      '--json',
      'campaigns',
      'test-send',
      'win-back',
      '--step',
      'day-90',
      '--to',
      'marketer@example.com',
      '--locale',
      'zh-CN',
    ]);
    expect(result.code).toBe(0);
    const emails = (await local.emails()).filter((email) =>
      email.destination.to.includes('marketer@example.com'),
    );
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toMatch(/^\[TEST\] /);
    expect(emails[0]?.body.html).toContain('COMEBACK15');
  });
});

describe('a published holdout share in the running system', () => {
  it('records held-out customers instead of emailing them, and emails the rest once', async () => {
    const file = path.join(dir, 'campaigns', 'birthday.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('holdoutPercent: 10', 'holdoutPercent: 25'));
    expect((await run(['campaigns', 'publish', file])).code).toBe(0);
    // The holdout is drawn per entry: hash(journey#entry, customer).
    const held = ids.filter((id) => isEntryHeldOut('birthday', 'birthday#2027', id, 25));
    expect(held.length).toBeGreaterThan(0);
    const audience = (await run(['--json', 'campaigns', 'audience', 'birthday', '--on', '2027-03-14'])).json<{
      heldOut: number;
    }>();
    expect(audience.heldOut).toBe(held.length);

    await local.advanceTo('2027-03-15T00:00:00Z');
    const birthdayEmails = (await local.emails()).filter((email) =>
      email.destination.to.some((to) => to.startsWith('cli-')),
    );
    const mailed = birthdayEmails
      .flatMap((email) => email.destination.to.map((to) => to.replace('@example.com', '')))
      .sort();
    expect(mailed).toEqual(ids.filter((id) => !held.includes(id)).sort());
    for (const id of held) {
      const items = await customerItems(local.doc, local.tableName, id);
      expect(items.find((item) => item.SK === keys.holdout(id, 'birthday', 'birthday#2027').SK)).toMatchObject({
        status: 'held-out',
      });
    }
    // The report counts the held-out entries from those records (no counter is kept beside them).
    const report = (await run(['--json', 'report', '--from', '2027-03-01', '--to', '2027-04-01'])).json<{
      campaigns: { campaignId: string; holdout: number }[];
    }>();
    expect(report.campaigns.find((c) => c.campaignId === 'birthday')?.holdout).toBe(held.length);
  });
});
