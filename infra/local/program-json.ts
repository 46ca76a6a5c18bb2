// The local runtime's stand-in for the program.json `cdk synth` puts in every function's asset:
// program.yaml (PROGRAM_FILE, or <CAMPAIGNS_DIR>/program.yaml) validated once at start and
// written as JSON, so handlers read the program exactly as they do in Lambda.
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { programJson } from '#shared/config/program-file.ts';

/**
 * Writes the program JSON and returns its path. The name is the content's hash, so runtimes that
 * run the same program share one small file and nothing needs removing at stop (or after a crash);
 * the write goes through a rename so parallel starts never see half a file.
 */
export function writeProgramJson(env: Readonly<Record<string, string | undefined>>): string {
  const { json } = programJson(env);
  const hash = createHash('sha256').update(json).digest('hex').slice(0, 16);
  const file = path.join(tmpdir(), `loyalty-flows-program-${hash}.json`);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, json);
  renameSync(partial, file);
  return file;
}
