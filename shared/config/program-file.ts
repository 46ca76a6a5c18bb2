// Reads the loyalty program from campaigns/program.yaml (or PROGRAM_FILE): the CLI, `cdk synth` and
// the local runtime at start. Functions read the JSON written from it (deployed-program.ts), so
// `yaml` stays out of their bundles; errors here name the YAML file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type LoyaltyProgram, ProgramConfigError, parseProgram } from '../domain/loyalty-program.ts';
import { parseProgramJson } from './deployed-program.ts';

export const PROGRAM_FILE_NAME = 'program.yaml';
const CHECKOUT_CAMPAIGNS_DIR = path.resolve(import.meta.dirname, '../../campaigns');

const loaded = new Map<string, LoyaltyProgram>();

/** The program file: PROGRAM_FILE if set, else <CAMPAIGNS_DIR>/program.yaml. */
export function programFilePath(env: Readonly<Record<string, string | undefined>>): string {
  return env.PROGRAM_FILE || path.join(env.CAMPAIGNS_DIR || CHECKOUT_CAMPAIGNS_DIR, PROGRAM_FILE_NAME);
}

/** Reads and validates the program; throws ProgramConfigError naming file, field and value. */
export function loadProgram(env: Readonly<Record<string, string | undefined>>): LoyaltyProgram {
  const file = programFilePath(env);
  let program = loaded.get(file);
  if (!program) {
    program = parseProgramYaml(readFileSync(file, 'utf8'), file);
    loaded.set(file, program);
  }
  return program;
}

/** Parses program YAML text and validates it; `file` names the source in errors. */
export function parseProgramYaml(text: string, file: string): LoyaltyProgram {
  return parseProgram(yamlDocument(text, file), file);
}

/**
 * The program file as the JSON functions read (deployed-program.ts), and the program that JSON
 * validates to. The text that ships is the text validated, here at synth or local start, with
 * errors naming the YAML file.
 */
export function programJson(env: Readonly<Record<string, string | undefined>>): { json: string; program: LoyaltyProgram } {
  const file = programFilePath(env);
  const json = JSON.stringify(yamlDocument(readFileSync(file, 'utf8'), file));
  return { json, program: parseProgramJson(json, file) };
}

function yamlDocument(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ProgramConfigError(file, [
      { field: '(file)', value: undefined, reason: `is not valid YAML: ${(error as Error).message}` },
    ]);
  }
}
