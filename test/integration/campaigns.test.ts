// Journeys are data: publishing, versions, rollback and enable/disable through the `loyalty` CLI
// against the local runtime's DynamoDB, and one version per publisher race.
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { JourneyCatalogue, JourneyPublishConflictError } from '#shared/store/journeys.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
let dir: string;

const birthday = `# A birthday greeting
id: birthday
name: Birthday greeting
trigger:
  on: birthday
send:
  hour: 9
steps:
  - id: greet
    send:
      template: birthday
      offer: { kind: amount-off, codePrefix: BDAY, valueByTier: { Bronze: "5.00", Gold: "20.00" } }
`;

const winBack = `id: win-back
name: Win-back series
trigger:
  on: inactivity
  inactivity: { days: 60 }
exitOn: [Purchase Completed]
steps:
  - id: day-60
    send: { template: win-back-60 }
  - id: wait-30
    wait: { days: 30 }
  - id: day-90
    send: { template: win-back-90 }
`;

beforeAll(async () => {
  // An empty catalogue: this test publishes its own birthday and win-back files.
  local = await startLocal({ now: '2026-11-01T00:00:00Z', ports: 'random', shippedJourneys: false });
  dir = await mkdtemp(path.join(tmpdir(), 'campaigns-'));
  await writeFile(path.join(dir, 'birthday.yaml'), birthday);
  await writeFile(path.join(dir, 'win-back.yaml'), winBack);
  for (const name of ['birthday', 'win-back-60', 'win-back-90']) {
    const folder = path.join(dir, 'templates', name, 'en-US');
    await mkdir(folder, { recursive: true });
    for (const part of ['subject', 'html', 'text'])
      await writeFile(
        path.join(folder, `${part}.liquid`),
        `${name} for {{ customer.firstName | default: "you" }}`,
      );
  }
}, 60_000);
afterAll(() => local?.stop());

const birthdayFile = () => path.join(dir, 'birthday.yaml');
const catalogue = () => new JourneyCatalogue(local.doc, local.tableName, local.clock);

describe('loyalty campaigns publish / list / rollback / enable / disable', () => {
  it('publishes every shipped journey as version 1 and reports an unchanged re-publish', async () => {
    const first = await loyalty(local, ['--json', 'campaigns', 'publish', '--dir', dir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const published = first.json<{ id: string; kind: string; version: number }[]>();
    expect(published.map((p) => p.id)).toEqual(expect.arrayContaining(['birthday', 'win-back']));
    expect(published.every((p) => p.kind === 'published' && p.version === 1)).toBe(true);

    const again = await loyalty(local, ['--json', 'campaigns', 'publish', '--dir', dir]);
    expect(again.json<{ kind: string }[]>().every((p) => p.kind === 'unchanged')).toBe(true);
  });

  it('stores a changed file as the next version and rolls back to the previous content as a new version', async () => {
    const original = await readFile(birthdayFile(), 'utf8');
    await writeFile(
      birthdayFile(),
      original.replace(/^name: .*$/m, 'name: Birthday greeting (spring edition)'),
    );
    const publish = await loyalty(local, ['--json', 'campaigns', 'publish', birthdayFile()]);
    expect(publish.json()).toEqual([{ id: 'birthday', kind: 'published', version: 2, previous: 1 }]);

    const rollback = await loyalty(local, ['campaigns', 'rollback', 'birthday']);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled birthday back to the content of v1: now v3');

    const current = await catalogue().current('birthday');
    expect(current?.version).toBe(3);
    expect(current?.journey.name).not.toContain('spring edition');
    expect(current?.source).toBe(original);
    expect(current?.note).toBe('rollback to v1');
    const versions = await loyalty(local, ['--json', 'campaigns', 'list', 'birthday']);
    expect(versions.json<{ version: number }[]>().map((v) => v.version)).toEqual([1, 2, 3]);
    const diff = await loyalty(local, ['campaigns', 'diff', 'birthday', '--from', '1', '--to', '2']);
    expect(diff.stdout).toContain('+ name: Birthday greeting (spring edition)');
    await writeFile(birthdayFile(), original);
  });

  it('disables and re-enables a journey, each as a new version shown by list', async () => {
    expect((await loyalty(local, ['campaigns', 'disable', 'win-back'])).stdout).toContain(
      'win-back disabled (v2)',
    );
    const listed = await loyalty(local, ['--json', 'campaigns', 'list']);
    expect(listed.json<{ id: string; enabled: boolean }[]>().find((c) => c.id === 'win-back')?.enabled).toBe(
      false,
    );
    expect((await loyalty(local, ['campaigns', 'disable', 'win-back'])).stdout).toContain('already disabled');
    expect((await loyalty(local, ['campaigns', 'enable', 'win-back'])).stdout).toContain(
      'win-back enabled (v3)',
    );
    const human = await loyalty(local, ['campaigns', 'list']);
    expect(human.stdout).toMatch(/^ID\s+VERSION\s+ENABLED\s+TRIGGER\s+STEPS/);
  });

  it('exits 3 when rolling back, enabling or listing a journey that was never published', async () => {
    for (const args of [
      ['rollback', 'nope'],
      ['enable', 'nope'],
      ['list', 'nope'],
      ['diff', 'nope'],
    ]) {
      const run = await loyalty(local, ['campaigns', ...args]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('nope');
    }
    const tooFar = await loyalty(local, ['campaigns', 'rollback', 'birthday', '--to', '99']);
    expect(tooFar.code).toBe(3);
    expect(tooFar.stderr).toContain('has no version 99');
  });

  it('lets only one of two concurrent publishers become version N; the other gets a conflict', async () => {
    const base = await loadJourneyFiles(path.join(dir, 'win-back.yaml'));
    const current = (await catalogue().current('win-back'))?.version ?? 0;
    const results = await Promise.allSettled(
      ['A', 'B'].map((who) =>
        catalogue().publish({
          journey: { ...base.journey, name: `Win-back by ${who}` },
          templates: base.templates,
          source: '',
          by: who,
        }),
      ),
    );
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(JourneyPublishConflictError);
    expect((await catalogue().current('win-back'))?.version).toBe(current + 1);
    expect((await catalogue().versions('win-back')).map((v) => v.version)).toEqual(
      Array.from({ length: current + 1 }, (_, i) => i + 1),
    );
  });

  it('refuses to publish an invalid file: exit 1, nothing stored', async () => {
    const bad = path.join(dir, 'bad', 'summer.yaml');
    await cp(birthdayFile(), bad, { recursive: true });
    await writeFile(
      bad,
      (await readFile(birthdayFile(), 'utf8'))
        .replace('id: birthday', 'id: summer')
        .replace('hour: 9', 'hour: 31'),
    );
    const run = await loyalty(local, [
      '--json',
      'campaigns',
      'publish',
      bad,
      '--templates',
      path.join(dir, 'templates'),
    ]);
    expect(run.code).toBe(1);
    expect(
      run.json<{ details: { problems: { field: string }[] } }>().details.problems.map((p) => p.field),
    ).toEqual(['send.hour']);
    expect(await catalogue().current('summer')).toBeUndefined();
  });
});
