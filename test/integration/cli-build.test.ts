// The CLI as a user runs it: bin/loyalty.mjs, a separate process on the built bundle (.build/cli,
// rebuilt here if a source changed), not the TypeScript the other CLI tests call in-process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function loyaltyProcess(args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/loyalty.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the built loyalty CLI', () => {
  it('prints help listing every command', () => {
    const run = loyaltyProcess(['--help']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/campaigns\s+validate, publish and inspect journeys/);
    expect(run.stdout).toMatch(/customers\s+import and inspect customers/);
  });

  it('validates the shipped journeys, reading campaigns/ from the checkout', () => {
    const run = loyaltyProcess(['--json', 'campaigns', 'validate']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { valid: { id: string }[]; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.valid.map((journey) => journey.id)).toContain('birthday');
  });

  it('reports an unreachable local runtime with exit code 4', () => {
    const run = loyaltyProcess([
      '--endpoint',
      'aws=http://127.0.0.1:9,dynamodb=http://127.0.0.1:9,ses=http://127.0.0.1:9',
      'campaigns',
      'list',
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('cannot reach the local runtime');
  });
});
