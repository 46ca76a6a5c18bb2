// Wall-clock timing of whole processes, several commands in turn (A B C A B C ...), so ratios taken
// round by round stay meaningful while the shared machine's speed drifts. Medians, never means.
// Asynchronous on purpose: a command may talk to a local runtime served by this very process.
import { spawn } from 'node:child_process';

export interface Command {
  argv: string[];
  cwd?: string;
}

export async function wallMs(command: Command): Promise<number> {
  const [file, ...args] = command.argv;
  if (!file) throw new Error('empty command');
  const started = performance.now();
  const child = spawn(file, args, { cwd: command.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${command.argv.join(' ')} exited with ${code}: ${stderr.slice(0, 500)}`);
  return ms;
}

export interface InTurn {
  /** Median wall time of each command, in the order given. */
  ms: number[];
  /** Median over rounds of (first command's time / each command's time). */
  firstOver: number[];
  /** Median over rounds of (first command's time − each command's time), in ms. */
  firstMinus: number[];
}

/** One warm-up round, then `runs` rounds of every command in turn. */
export async function inTurn(commands: Command[], runs = 5): Promise<InTurn> {
  for (const command of commands) await wallMs(command);
  const times: number[][] = commands.map(() => []);
  const ratios: number[][] = commands.map(() => []);
  const differences: number[][] = commands.map(() => []);
  for (let round = 0; round < runs; round++) {
    const took: number[] = [];
    for (const command of commands) took.push(await wallMs(command));
    took.forEach((ms, i) => {
      times[i]?.push(ms);
      ratios[i]?.push((took[0] ?? 0) / ms);
      differences[i]?.push((took[0] ?? 0) - ms);
    });
  }
  return { ms: times.map(median), firstOver: ratios.map(median), firstMinus: differences.map(median) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
