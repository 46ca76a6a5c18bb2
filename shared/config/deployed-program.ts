// The loyalty program as a function reads it at cold start: JSON that `cdk synth` (and the local
// runtime at start) wrote from campaigns/program.yaml after validating it, so no function bundles
// the YAML parser (`yaml`, ~112 KB of every bundle that read the YAML). The same zod validation
// runs again on the JSON: a hand-edited or stale file fails at cold start naming field and value.
import { readFileSync } from 'node:fs';
import { type LoyaltyProgram, ProgramConfigError, parseProgram } from '../domain/loyalty-program.ts';

/** Env var naming the program JSON: the asset's program.json in Lambda, the local runtime's copy on a laptop. */
export const PROGRAM_JSON_ENV = 'PROGRAM_JSON';
export const PROGRAM_JSON_NAME = 'program.json';

const loaded = new Map<string, LoyaltyProgram>();

/** The deployed program, read and validated once per process (cold start). */
export function deployedProgram(env: Readonly<Record<string, string | undefined>>): LoyaltyProgram {
  const file = env[PROGRAM_JSON_ENV];
  if (!file) {
    throw new ProgramConfigError('(environment)', [
      {
        field: PROGRAM_JSON_ENV,
        value: undefined,
        reason: 'must name the program JSON written at deploy (cdk synth) or by the local runtime',
      },
    ]);
  }
  let program = loaded.get(file);
  if (!program) {
    program = parseProgramJson(readFileSync(file, 'utf8'), file);
    loaded.set(file, program);
  }
  return program;
}

/** Parses program JSON text and validates it; `file` names the source in errors. */
export function parseProgramJson(text: string, file: string): LoyaltyProgram {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ProgramConfigError(file, [
      { field: '(file)', value: undefined, reason: `is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  return parseProgram(document, file);
}
