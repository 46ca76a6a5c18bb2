// Output for humans (default) and scripts (--json), to streams a test can capture.
import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** The working directory relative paths resolve against. */
  cwd: string;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };

export class Output {
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** Human text; suppressed under --json. */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** The command's result: printed as JSON under --json, else via the human formatter. */
  result(value: unknown, human?: (value: never) => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (human) this.io.stdout.write(`${human(value as never)}\n`);
  }

  /** Progress and warnings: always stderr, so stdout stays parseable. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
