// Each function's Lambda bundle, before (BASELINE_COMMIT) and now: the code and source-map bytes
// the asset ships, the code Node reads when Lambda imports the handler (index.mjs and what it
// imports statically; a chunk reached only by import() would load on its path, later), and the
// wall time of `node -e "import('./index.mjs')"` in the asset folder beside a bare `node -e 0`,
// in turn. Each tree is bundled with its own infra/aws/constructs/bundling.ts, translated to the
// esbuild options NodejsFunction passes, so the figures are the assets `cdk synth` builds.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '#infra/aws/constructs/bundling.ts';
import { functions } from '#infra/wiring.ts';
import { trees } from './baseline.ts';
import type { BenchSection } from './report.ts';
import type { Headline } from './summary.ts';
import { inTurn, median } from './timing.ts';

interface Built {
  /** Every JavaScript file in the asset. */
  code: number;
  /** What importing index.mjs reads before the handler runs. */
  loaded: number;
  map: number;
  dir: string;
  /** Bytes of the output by what they come from (esbuild's metafile). */
  parts: Record<Part, number>;
}

const PARTS = ['AWS SDK', 'zod', 'liquidjs', 'yaml', 'Powertools', 'our code', 'other'] as const;
type Part = (typeof PARTS)[number];

/** What an input of the bundle is, for the "what each bundle carries" table. */
function partOf(input: string): Part {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
  if (!pkg) return 'our code';
  if (/^@(aws-sdk|smithy|aws)\//.test(pkg)) return 'AWS SDK';
  if (pkg.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  return pkg === 'zod' || pkg === 'liquidjs' || pkg === 'yaml' ? pkg : 'other';
}

/** index.mjs and the asset's files it imports statically, transitively (not import() chunks). */
function loadedAtImport(dir: string, file = 'index.mjs', seen = new Set<string>()): number {
  if (seen.has(file)) return 0;
  seen.add(file);
  const text = readFileSync(path.join(dir, file), 'utf8');
  const relative = [...text.matchAll(/(?:^|[;}\s])import(?:[\w\s{},$*]*from)?\s*["'](\.\/[^"']+)["']/g)];
  return (
    Buffer.byteLength(text) +
    relative.reduce((sum, match) => sum + loadedAtImport(dir, path.normalize(match[1] ?? ''), seen), 0)
  );
}

/** The tree's bundling options: an object before issue 12, a function of the deploy flags after. */
async function bundlingOf(tree: string): Promise<BundlingOptions> {
  const module = (await import(pathToFileURL(path.join(tree, 'infra/aws/constructs/bundling.ts')).href)) as {
    functionBundling: BundlingOptions | ((flags: { sourceMaps: boolean; programJson: string }) => BundlingOptions);
  };
  const bundling = module.functionBundling;
  // The program JSON goes into the asset beside the code, not into index.mjs: any text will do here.
  return typeof bundling === 'function' ? bundling({ sourceMaps: false, programJson: '{}' }) : bundling;
}

async function bundle(
  tree: string,
  folder: string,
  options: BundlingOptions,
  outDir: string,
): Promise<Built> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.mjs');
  const { metafile } = await build({
    ...esbuildOptionsOf(options),
    absWorkingDir: tree,
    entryPoints: [path.join(tree, 'functions', folder, 'handler.ts')],
    outfile,
    metafile: true,
  });
  const parts = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<Part, number>;
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) parts[partOf(input)] += bytesInOutput;
  }
  const map = `${outfile}.map`;
  const code = readdirSync(outDir)
    .filter((file) => /\.m?js$/.test(file))
    .reduce((sum, file) => sum + statSync(path.join(outDir, file)).size, 0);
  return { code, loaded: loadedAtImport(outDir), map: existsSync(map) ? statSync(map).size : 0, dir: outDir, parts };
}

const kb = (bytes: number) => Math.round(bytes / 1024);

export async function benchBundles({ runs = 5 } = {}): Promise<BenchSection[]> {
  const { before, after } = trees();
  const scratch = path.join(tmpdir(), 'loyalty-flows-bench-bundles');
  const [beforeOptions, afterOptions] = [await bundlingOf(before), await bundlingOf(after)];
  const bare = { argv: [process.execPath, '-e', '0'] };
  const rows: Record<string, string | number>[] = [];
  const carried: Record<string, string | number>[] = [];
  const now: { name: string; code: number; loaded: number; map: number; ms: number; overBare: number; ownMs: number }[] =
    [];
  const ratios: number[] = [];
  for (const [name, wiring] of Object.entries(functions)) {
    // A function born after the baseline has no before.
    const existed = existsSync(path.join(before, 'functions', wiring.folder, 'handler.ts'));
    const built = await bundle(after, wiring.folder, afterOptions, path.join(scratch, 'after', name));
    const was = existed
      ? await bundle(before, wiring.folder, beforeOptions, path.join(scratch, 'before', name))
      : undefined;
    const load = (dir: string) => ({ argv: [process.execPath, '-e', "import('./index.mjs')"], cwd: dir });
    const time = await inTurn(was ? [load(built.dir), bare, load(was.dir)] : [load(built.dir), bare], runs);
    const ms = time.ms[0] ?? 0;
    const ownMs = time.firstMinus[1] ?? 0;
    now.push({ name, code: built.code, loaded: built.loaded, map: built.map, ms, overBare: time.firstOver[1] ?? 0, ownMs });
    if (was) ratios.push(time.firstOver[2] ?? 0);
    carried.push({
      function: name,
      'code KB': kb(built.code),
      ...Object.fromEntries(PARTS.map((part) => [part, kb(built.parts[part])])),
    });
    rows.push({
      function: name,
      'code KB before': was ? kb(was.code) : '(new)',
      'code KB now': kb(built.code),
      'loaded at import KB now': kb(built.loaded),
      'map KB now': kb(built.map),
      'import ms before': was ? Math.round(time.ms[2] ?? 0) : '',
      'import ms now': Math.round(ms),
      'bare node ms': Math.round(time.ms[1] ?? 0),
      'import − bare ms now': Math.round(ownMs),
      'now / bare node': Number((time.firstOver[1] ?? 0).toFixed(2)),
      'now / before': was ? Number((time.firstOver[2] ?? 0).toFixed(2)) : '',
    });
  }
  const range = (values: number[], unit: string) =>
    `${Math.round(Math.min(...values)).toLocaleString('en-US')}–${Math.round(Math.max(...values)).toLocaleString('en-US')} ${unit}`;
  const over = now.filter((f) => f.code > 500 * 1024);
  const lazy = now.filter((f) => f.loaded < f.code);
  const slow = now.filter((f) => f.ms > 100);
  const headlines: Headline[] = [
    {
      row: 'bundle-code',
      now: `${range(now.map((f) => f.code / 1024), 'KB')} (${lazy.length ? `loaded at import ${range(now.map((f) => f.loaded / 1024), 'KB')}` : 'all of it loaded at import: no lazy chunks'}), ${now.filter((f) => f.map > 0).length} maps shipped; ${over.length} of ${now.length} over 500 KB${over.length ? ` (${over.map((f) => `${f.name} ${kb(f.code)}`).join(', ')})` : ''}`,
      met: over.length === 0 ? 'yes' : over.length < now.length ? 'partly' : 'no',
    },
    {
      row: 'bundle-import',
      now: `${range(now.map((f) => f.ms), 'ms')}; import − bare node ${range(now.map((f) => f.ownMs), 'ms')}, ${Math.min(...now.map((f) => f.overBare)).toFixed(1)}–${Math.max(...now.map((f) => f.overBare)).toFixed(1)}× a bare node -e 0 (${Math.round(median(rows.map((r) => Number(r['bare node ms']))))} ms this run); ${median(ratios).toFixed(2)} of before (median over the ${ratios.length} functions the baseline has)`,
      met: slow.length === 0 ? 'yes' : slow.length < now.length ? 'partly' : 'no',
    },
  ];
  return [
    {
      title:
        'Lambda bundles: code shipped and import time (node -e "import(\'./index.mjs\')", medians of rounds)',
      rows,
      notes: [
        `before = ${path.basename(before)}; each round runs now, a bare \`node -e 0\` and before in turn.`,
        'Source maps are opt-in now (-c sourceMaps=true); "map KB now" is what the default asset ships.',
        '"import − bare" is the median over rounds of (import − the bare node -e 0 run beside it): the bundle\'s own share.',
      ],
      headlines,
    },
    {
      title: "What each bundle carries now (KB by origin, esbuild's metafile)",
      rows: carried,
      notes: ['AWS SDK = @aws-sdk/*, @smithy/*, @aws/*; other = small dependencies (mnemonist, middy, …).'],
    },
  ];
}
