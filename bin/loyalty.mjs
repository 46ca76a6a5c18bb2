#!/usr/bin/env node
// The `loyalty` CLI launcher: runs the built CLI (.build/cli, made by `npm ci` through the
// `prepare` script), rebuilding it first only if a source file changed since (bin/build-cli.mjs).
import { buildCli, CLI_ENTRY, cliBuildIsFresh } from './build-cli.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
if (!cliBuildIsFresh()) await buildCli();
const { main } = await import(CLI_ENTRY);
process.exitCode = await main(process.argv);
