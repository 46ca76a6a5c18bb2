// Runs the `loyalty` CLI in-process against a local runtime and captures what it prints.
import { Writable } from 'node:stream';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { main } from '../../cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = unknown>(): T;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

export function endpointOf(local: Pick<LocalRuntime, 'endpoints'>): string {
  return `aws=${local.endpoints.aws},dynamodb=${local.endpoints.dynamo},ses=${local.endpoints.ses}`;
}

/** `loyalty <args...>` with --endpoint pointing at `local`; `cwd` resolves relative paths. */
export async function loyalty(
  local: Pick<LocalRuntime, 'endpoints'> | undefined,
  args: string[],
  cwd = process.cwd(),
): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink();
  const argv = ['node', 'loyalty', ...(local ? ['--endpoint', endpointOf(local)] : []), ...args];
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, cwd });
  return {
    code,
    stdout: stdout.text(),
    stderr: stderr.text(),
    json: <T>() => JSON.parse(stdout.text()) as T,
  };
}
