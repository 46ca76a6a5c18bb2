// Campaigns are data: publishing, versions, rollback and enable/disable through the `loyalty`
// CLI against the local runtime's DynamoDB, and the cached reader the running system uses.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { loadCampaignFile } from '#shared/campaigns/load.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { CampaignCatalogue, CurrentCampaigns, PublishConflictError } from '#shared/store/campaigns.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
let dir: string;

beforeAll(async () => {
  local = await startLocal({ now: '2026-11-01T00:00:00Z', ports: 'random' });
  dir = await mkdtemp(path.join(tmpdir(), 'campaigns-'));
  await cp(path.resolve('campaigns'), dir, { recursive: true });
}, 60_000);
afterAll(() => local?.stop());

const birthdayFile = () => path.join(dir, 'birthday.yaml');

describe('loyalty campaigns publish / list / rollback / enable / disable', () => {
  it('publishes every shipped campaign as version 1 and reports an unchanged re-publish', async () => {
    const first = await loyalty(local, ['--json', 'legacy-campaigns', 'publish', '--dir', dir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const published = first.json<{ id: string; kind: string; version: number }[]>();
    expect(published.map((p) => p.id)).toContain('birthday');
    expect(published.every((p) => p.kind === 'published' && p.version === 1)).toBe(true);

    const again = await loyalty(local, ['--json', 'legacy-campaigns', 'publish', '--dir', dir]);
    expect(again.json<{ kind: string }[]>().every((p) => p.kind === 'unchanged')).toBe(true);
  });

  it('stores a changed file as the next version and rolls back to the previous content as a new version', async () => {
    const original = await readFile(birthdayFile(), 'utf8');
    await writeFile(
      birthdayFile(),
      original.replace(/^name: .*$/m, 'name: Birthday greeting (spring edition)'),
    );
    const publish = await loyalty(local, ['--json', 'legacy-campaigns', 'publish', birthdayFile()]);
    expect(publish.json()).toEqual([{ id: 'birthday', kind: 'published', version: 2, previous: 1 }]);

    const rollback = await loyalty(local, ['legacy-campaigns', 'rollback', 'birthday']);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled birthday back to the content of v1: now v3');

    const catalogue = new CampaignCatalogue(local.doc, local.tableName, local.clock);
    const current = await catalogue.current('birthday');
    expect(current?.version).toBe(3);
    expect(current?.definition.name).toBe('Birthday greeting');
    expect(current?.note).toBe('rollback to v1');
    const versions = await loyalty(local, ['--json', 'legacy-campaigns', 'list', 'birthday']);
    expect(versions.json<{ version: number }[]>().map((v) => v.version)).toEqual([1, 2, 3]);
    await writeFile(birthdayFile(), original);
  });

  it('disables and re-enables a campaign, each as a new version shown by list', async () => {
    expect((await loyalty(local, ['legacy-campaigns', 'disable', 'win-back'])).stdout).toContain(
      'win-back disabled (v2)',
    );
    const listed = await loyalty(local, ['--json', 'legacy-campaigns', 'list']);
    expect(listed.json<{ id: string; enabled: boolean }[]>().find((c) => c.id === 'win-back')?.enabled).toBe(
      false,
    );
    expect((await loyalty(local, ['legacy-campaigns', 'disable', 'win-back'])).stdout).toContain('already disabled');
    expect((await loyalty(local, ['legacy-campaigns', 'enable', 'win-back'])).stdout).toContain(
      'win-back enabled (v3)',
    );
    const human = await loyalty(local, ['legacy-campaigns', 'list']);
    expect(human.stdout).toMatch(/^ID\s+VERSION\s+ENABLED/);
  });

  it('exits 3 when rolling back, enabling or listing a campaign that was never published', async () => {
    for (const args of [
      ['rollback', 'nope'],
      ['enable', 'nope'],
      ['list', 'nope'],
    ]) {
      const run = await loyalty(local, ['legacy-campaigns', ...args]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('nope');
    }
    const tooFar = await loyalty(local, ['legacy-campaigns', 'rollback', 'birthday', '--to', '99']);
    expect(tooFar.code).toBe(3);
    expect(tooFar.stderr).toContain('has no version 99');
  });

  it('lets only one of two concurrent publishers become version N; the other gets a conflict', async () => {
    const catalogue = new CampaignCatalogue(local.doc, local.tableName, local.clock);
    const base = await loadCampaignFile(path.join(dir, 'win-back.yaml'));
    const current = (await catalogue.current('win-back'))?.version ?? 0;
    const results = await Promise.allSettled(
      ['A', 'B'].map((who) =>
        catalogue.publish({ definition: { ...base, name: `Win-back by ${who}` }, source: '', by: who }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(PublishConflictError);
    expect((await catalogue.current('win-back'))?.version).toBe(current + 1);
    expect((await catalogue.versions('win-back')).map((v) => v.version)).toEqual(
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
      'legacy-campaigns',
      'publish',
      bad,
      '--templates',
      path.join(dir, 'templates'),
    ]);
    expect(run.code).toBe(1);
    expect(
      run.json<{ details: { problems: { field: string }[] } }>().details.problems.map((p) => p.field),
    ).toEqual(['send.hour']);
    expect(
      await new CampaignCatalogue(local.doc, local.tableName, local.clock).current('summer'),
    ).toBeUndefined();
  });
});

describe('the running system reads the current campaign through a short cache', () => {
  it('sees a publish only after the TTL of its clock has passed', async () => {
    const clock = new ManualClock('2026-11-01T00:00:00Z');
    const catalogue = new CampaignCatalogue(local.doc, local.tableName, clock);
    const reader = new CurrentCampaigns(catalogue, clock, 30_000);
    const before = await reader.get('birthday');
    expect(before?.enabled).toBe(true);
    await catalogue.setEnabled('birthday', false, 'test');
    expect((await reader.get('birthday'))?.enabled).toBe(true);
    clock.advanceMs(30_000);
    expect((await reader.get('birthday'))?.enabled).toBe(false);
    expect(await reader.get('never-published')).toBeUndefined();
  });
});
