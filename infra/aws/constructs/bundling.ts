// How every function is bundled: esbuild on this machine (no Docker), ESM, minified, with source
// maps, and the campaigns/ folder (YAML + Liquid templates read at run time) copied beside the
// handler so CAMPAIGNS_DIR points at the same files the local runtime reads from the checkout.
import * as path from 'node:path';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Where campaigns/ lands inside the function: the asset root is /var/task. */
export const LAMBDA_CAMPAIGNS_DIR = '/var/task/campaigns';

export const functionBundling: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  logLevel: LogLevel.WARNING,
  // The SDK is bundled, not taken from the runtime: the exact versions the tests ran against.
  bundleAwsSDK: true,
  // Some CommonJS dependencies call require() for Node built-ins; ESM output has no require.
  banner:
    "import{createRequire as __loyaltyRequire}from'node:module';const require=__loyaltyRequire(import.meta.url);",
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `cp -R "${path.join(inputDir, 'campaigns')}" "${path.join(outputDir, 'campaigns')}"`,
    ],
  },
};
