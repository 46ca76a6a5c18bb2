// The "before" of issue 12: the tree at BASELINE_COMMIT (the last commit before the performance
// work), extracted once into a temp folder that borrows this checkout's node_modules. Benchmarks
// run the same measurement against it and against the working tree, in the same run, so a
// before/after figure never compares two machines or two moods of one shared machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BASELINE_COMMIT = '0aa814839dfff55847da2dd5ed13c9d462c80567';
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** The baseline tree's root folder (cached across runs; its node_modules is this checkout's). */
export function baselineTree(): string {
  const root = path.join(tmpdir(), `loyalty-flows-baseline-${BASELINE_COMMIT.slice(0, 12)}`);
  if (existsSync(path.join(root, '.complete'))) {
    // The cache outlives the checkout that made it: borrow this one's node_modules, not a gone one's.
    const modules = path.join(root, 'node_modules');
    if (readlinkSync(modules) !== path.join(REPO_ROOT, 'node_modules')) {
      rmSync(modules, { force: true });
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), modules, 'dir');
    }
    return root;
  }
  const known = spawnSync('git', ['cat-file', '-e', `${BASELINE_COMMIT}^{commit}`], { cwd: REPO_ROOT });
  if (known.status !== 0) {
    throw new Error(
      `the before figures need commit ${BASELINE_COMMIT} (a shallow clone lacks it: git fetch --unshallow)`,
    );
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', BASELINE_COMMIT], {
    cwd: REPO_ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  execFileSync('touch', [path.join(root, '.complete')]);
  return root;
}

/** Both trees, labelled as the tables print them. */
export function trees(): { before: string; after: string } {
  return { before: baselineTree(), after: REPO_ROOT };
}
