// The marketer console's static assets, bundled by esbuild from console/: index.html, app.js and
// app.css — everything the page loads comes from the same origin (no CDN, no web fonts). The
// local runtime serves them from memory; the CDK stack uploads the same files to S3.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const CONSOLE_DIR = path.resolve(import.meta.dirname, '..', 'console');

export interface ConsoleAsset {
  body: string;
  contentType: string;
}

/** Synchronous, so a CDK construct (whose constructor cannot await) can bundle at synth. */
export function buildConsoleAssets(): Map<string, ConsoleAsset> {
  const bundle = buildSync({
    entryPoints: [path.join(CONSOLE_DIR, 'app.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    outfile: 'app.js',
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]?.text;
  if (script === undefined) throw new Error('console: esbuild produced no app.js');
  return new Map([
    ['index.html', { body: readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'), contentType: 'text/html; charset=utf-8' }],
    ['app.js', { body: script, contentType: 'text/javascript; charset=utf-8' }],
    ['app.css', { body: readFileSync(path.join(CONSOLE_DIR, 'app.css'), 'utf8'), contentType: 'text/css; charset=utf-8' }],
  ]);
}

/** The bundled files written to `dir` (the CDK asset S3 receives). */
export function writeConsoleAssets(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, asset] of buildConsoleAssets()) writeFileSync(path.join(dir, name), asset.body);
}

/**
 * The page's Content-Security-Policy: scripts and styles from its own origin only, API calls to
 * `connect` (the API and, when deployed, the Cognito domain), email previews in sandboxed frames.
 */
export function consoleContentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Inline styles only for the previewed emails' own HTML (sandboxed srcdoc frames inherit this).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${connect.map((origin) => ` ${origin}`).join('')}`,
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
