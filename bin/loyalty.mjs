#!/usr/bin/env node
// The `loyalty` CLI launcher: registers tsx's ESM loader (a devDependency, present after
// `npm ci`) and runs cli/main.ts, so the CLI runs from TypeScript source with no build step.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import(new URL('../cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv);
