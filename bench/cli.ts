// The `loyalty` CLI's wall time as a user feels it (a new process per call), before (the baseline
// tree: tsx transpiling the CLI on every call) and now (the built bundle, commands loaded on use),
// against a bare `node -e 0`. `campaigns list` and `preview` run against a local runtime.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startLocal } from '#infra/local/runtime.ts';
import { trees } from './baseline.ts';
import type { BenchSection } from './report.ts';
import type { Headline } from './summary.ts';
import { type Command, inTurn } from './timing.ts';

export async function benchCli({ runs = 5 } = {}): Promise<BenchSection> {
  const { before, after } = trees();
  const local = await startLocal({ now: '2026-11-01T00:00:00Z' });
  try {
    local.putEvents([
      {
        source: 'shop.customers',
        detailType: 'Customer Upserted',
        detail: {
          customerId: 'bench-cli',
          email: 'ada@example.com',
          firstName: 'Ada',
          locale: 'en-US',
          marketingConsent: true,
        },
      },
    ]);
    await local.drain();
    const endpoint = `aws=${local.endpoints.aws},dynamodb=${local.endpoints.dynamo},ses=${local.endpoints.ses}`;
    // startLocal published today's shipped journeys; the baseline CLI reads its own (pre-journey)
    // campaign catalogue, so it publishes its own shipped files there first.
    // Asynchronous: this process serves the local runtime's DynamoDB; a synchronous child call
    // would block the engine the CLI is waiting on, and both would wait forever.
    await promisify(execFile)(
      process.execPath,
      [path.join(before, 'bin/loyalty.mjs'), '--endpoint', endpoint, 'campaigns', 'publish'],
      { cwd: before },
    );
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'bench-cli-')), 'preview.html');
    const calls: [string, string[]][] = [
      ['--help', ['--help']],
      ['campaigns validate', ['campaigns', 'validate']],
      ['campaigns list', ['--endpoint', endpoint, 'campaigns', 'list']],
      [
        'campaigns preview',
        ['--endpoint', endpoint, 'campaigns', 'preview', 'birthday', '--customer', 'bench-cli', '--out', out],
      ],
    ];
    const cli = (tree: string, args: string[]): Command => ({
      argv: [process.execPath, path.join(tree, 'bin/loyalty.mjs'), ...args],
      cwd: tree,
    });
    const rows: Record<string, string | number>[] = [];
    const bare: Command = { argv: [process.execPath, '-e', '0'] };
    const headlines: Headline[] = [];
    const commands: string[] = [];
    let commandsMet = true;
    for (const [name, args] of calls) {
      const time = await inTurn([cli(after, args), cli(before, args), bare], runs);
      const ms = time.ms[0] ?? 0;
      const overBare = time.firstOver[2] ?? 0;
      const vsBefore = (time.firstOver[1] ?? 0).toFixed(2);
      if (name === '--help') {
        headlines.push({
          row: 'cli-start',
          now: `${Math.round(ms)} ms: ${overBare.toFixed(2)}× a bare node -e 0 (${Math.round(time.ms[2] ?? 0)} ms), ${vsBefore} of before`,
          // The 0.3 s is a quiet machine's; the ratio to bare node is the figure load does not move.
          met: overBare <= 4 ? (ms <= 300 ? 'yes' : 'partly') : 'no',
        });
      } else if (name !== 'campaigns validate') {
        commands.push(`${name} ${Math.round(ms)} ms (${overBare.toFixed(1)}× bare node, ${vsBefore} of before)`);
        commandsMet &&= ms <= 1000;
      }
      rows.push({
        'loyalty …': name,
        'before ms': Math.round(time.ms[1] ?? 0),
        'now ms': Math.round(time.ms[0] ?? 0),
        'now / before': Number((time.firstOver[1] ?? 0).toFixed(3)),
        'now / bare node': Number((time.firstOver[2] ?? 0).toFixed(2)),
        'bare node ms': Math.round(time.ms[2] ?? 0),
      });
    }
    headlines.push({ row: 'cli-command', now: commands.join(', '), met: commandsMet ? 'yes' : 'no' });
    return {
      headlines,
      title: 'CLI: wall time of node bin/loyalty.mjs … (medians; npx adds its own start-up)',
      rows,
      notes: ['Each round runs now, before and a bare `node -e 0` in turn; ratios are medians over rounds.'],
    };
  } finally {
    await local.stop();
  }
}
