// How every function is bundled: esbuild on this machine (no Docker), ESM, minified. No asset
// carries campaigns/: journeys and their templates are read from the catalogue (published with
// `loyalty campaigns publish`), and the program goes in as program.json, validated at synth:
// functions never parse YAML, so `yaml` (~112 KB) is in no function that only reads the program
// (docs/benchmarks.md, "Lambda bundles").
//
// What is bundled and what the Lambda runtime provides (docs/benchmarks.md has the figures):
// - Bundled, at the versions package-lock.json pins and the tests ran: every AWS SDK client a
//   handler calls, the environment-variable credential provider Lambda always uses, zod,
//   middy, Powertools, liquidjs, yaml. A bundled, minified file imports ~3x faster than the
//   runtime's unbundled SDK (measured: 75 ms against 230–320 ms for ingest-orders).
// - Left to the runtime: the credential providers the SDK's default chain reaches only when no
//   AWS_ACCESS_KEY_ID is set (SSO, INI profiles, process, web identity, container/instance
//   metadata). Lambda always sets it, so they are never loaded; if they were, the runtime's
//   own SDK has them. They are ~70 KB of every bundle.
// Source maps are opt-in (`-c sourceMaps=true`): without them the asset is the code alone and
// Node never reads a map at cold start; with them each asset carries index.mjs.map and the
// functions run with --enable-source-maps.
import * as path from 'node:path';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { PROGRAM_JSON_NAME } from '#shared/config/deployed-program.ts';

/** The program as JSON, beside the handler (the asset root is /var/task; shared/config/deployed-program.ts reads it). */
export const LAMBDA_PROGRAM_JSON = `/var/task/${PROGRAM_JSON_NAME}`;

/** Imported lazily by the SDK's default credential chain after the environment provider. */
export const RUNTIME_PROVIDED_MODULES = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

export function functionBundling(options: { sourceMaps: boolean; programJson: string }): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: options.sourceMaps,
    sourcesContent: false,
    logLevel: LogLevel.WARNING,
    // Replaces CDK's default (the whole SDK external): everything else is bundled.
    externalModules: RUNTIME_PROVIDED_MODULES,
    // Some CommonJS dependencies call require() for Node built-ins; ESM output has no require.
    banner:
      "import{createRequire as __loyaltyRequire}from'node:module';const require=__loyaltyRequire(import.meta.url);",
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        // JSON.stringify writes no newline; single quotes are the only thing the shell would read.
        `printf '%s' '${options.programJson.replaceAll("'", "'\\''")}' > "${path.join(outputDir, PROGRAM_JSON_NAME)}"`,
      ],
    },
  };
}

/**
 * The esbuild options NodejsFunction runs for `options` (of this tree or the bench's baseline):
 * the bench and the bundle test build each handler with them to read esbuild's metafile, which
 * `cdk synth` does not keep.
 */
export function esbuildOptionsOf(options: BundlingOptions): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target ?? 'node22',
    mainFields: options.mainFields ?? ['module', 'main'],
    minify: options.minify ?? false,
    sourcemap: options.sourceMap ?? false,
    sourcesContent: options.sourcesContent ?? true,
    // NodejsFunction's rule: explicit externals win; else the SDK is external unless bundled.
    external: options.externalModules ?? (options.bundleAwsSDK ? [] : ['@aws-sdk/*']),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    logLevel: 'error',
  };
}
