#!/usr/bin/env node
// Builds the `loyalty` CLI from cli/main.ts into .build/cli/ (plain ESM, code-split so a command
// loads only what it uses). `npm ci` runs it through the `prepare` script; bin/loyalty.mjs runs it
// again only when a source file the build read has changed since, so an edit in the checkout is
// never answered by a stale CLI and no call type-checks or transpiles the project.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = path.join(ROOT, '.build', 'cli');
export const CLI_ENTRY = path.join(CLI_OUT_DIR, 'main.mjs');
const INPUTS = path.join(CLI_OUT_DIR, 'inputs.json');

/** True when the build exists and no file it was built from is newer than it. */
export function cliBuildIsFresh() {
  let built;
  try {
    built = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return false;
  }
  try {
    return built.inputs.every((file) => statSync(path.join(ROOT, file)).mtimeMs <= built.startedAt);
  } catch {
    return false; // an input was moved or deleted
  }
}

export async function buildCli() {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  // Chunk names carry content hashes: without a clean folder every rebuild would leave the last one's.
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'cli/main.ts' },
    outdir: CLI_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The ES module builds (the SDK's dist-es): a chunk imported lazily keeps its named exports,
    // which esbuild cannot give a CommonJS module split into its own chunk.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies call require() for Node built-ins; ESM output has no require.
    banner: {
      js: "import{createRequire as __cliRequire}from'node:module';const require=__cliRequire(import.meta.url);",
    },
  });
  // The local files the build read (not node_modules: npm ci rebuilds after those change).
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  writeFileSync(
    INPUTS,
    JSON.stringify({ startedAt, inputs: [...inputs, 'package.json', 'bin/build-cli.mjs'] }),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
