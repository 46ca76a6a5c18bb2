// The CLI's contract with scripts: exit codes, --json on stdout, messages on stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loyalty } from '../integration/cli-support.ts';

describe('loyalty CLI exit codes', () => {
  it('exits 0 for help and lists the command groups and exit codes', async () => {
    const run = await loyalty(undefined, ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('campaigns');
    expect(run.stdout).toContain('customers');
    expect(run.stdout).toContain('4  remote failure');
  });

  it('exits 2 for an unknown command, an unknown option or a missing required option', async () => {
    expect((await loyalty(undefined, ['nope'])).code).toBe(2);
    expect((await loyalty(undefined, ['campaigns', 'validate', '--colour'])).code).toBe(2);
    const missing = await loyalty(undefined, ['campaigns', 'preview', 'birthday']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--customer <id>'");
    expect((await loyalty(undefined, ['campaigns', 'rollback', 'birthday', '--to', 'latest'])).code).toBe(2);
  });

  it('exits 0 validating the shipped campaigns and 1 with file:line: field problems for a broken one', async () => {
    expect((await loyalty(undefined, ['campaigns', 'validate'])).code).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
    writeFileSync(
      path.join(dir, 'broken.yaml'),
      'id: broken\nname: Broken\ntrigger:\n  on: birthday\nsend:\n  hour: 30\nsteps:\n  - id: greet\n    send: { template: birthday }\n',
    );
    const run = await loyalty(undefined, [
      '--json',
      'campaigns',
      'validate',
      path.join(dir, 'broken.yaml'),
      '--templates',
      path.resolve('campaigns/templates'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('broken.yaml:6: send.hour: must be at most 23 (got 30)');
    expect(
      run.json<{ exitCode: number; details: { problems: { line: number; field: string }[] } }>(),
    ).toMatchObject({
      exitCode: 1,
      details: { problems: [{ line: 6, field: 'send.hour' }] },
    });
  });

  it('exits 3 when the named files or folder do not exist', async () => {
    expect(
      (await loyalty(undefined, ['campaigns', 'validate', '--dir', '/nonexistent/campaigns'])).code,
    ).toBe(3);
  });
});
