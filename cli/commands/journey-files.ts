// Journey files named on the command line (or every file in --dir), validated against the
// program they will run in: the CLI works from any folder, with templates/ beside each file, so
// a marketer keeps journeys in their own repository.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type JourneyProblem, journeyFiles, describeProblem } from '#shared/journeys/parse.ts';
import { loadProgram, parseProgramYaml } from '#shared/config/program-file.ts';
import { type LoyaltyProgram } from '#shared/domain/loyalty-program.ts';
import { type JourneyValidation, validateForPublish } from '#shared/journeys/validate.ts';
import type { CommandContext } from '../command-module.ts';
import { CliError, EXIT } from '../exit-codes.ts';

export interface FileOptions {
  dir: string;
  templates?: string;
  program?: string;
}

/** The files named on the command line, or every journey file in --dir. */
export async function resolveJourneyFiles(
  context: CommandContext,
  files: string[],
  options: Pick<FileOptions, 'dir'>,
): Promise<string[]> {
  if (files.length) return files.map((file) => path.resolve(context.io.cwd, file));
  const dir = path.resolve(context.io.cwd, options.dir);
  try {
    return await journeyFiles(dir);
  } catch {
    throw new CliError(EXIT.notFound, `no campaigns folder at ${dir} (use --dir)`);
  }
}

/**
 * The loyalty program names are checked against: --program, else program.yaml beside the first
 * file (a marketer's repository may keep a copy), else the one the product ships with.
 */
export async function programFor(
  context: CommandContext,
  files: string[],
  option?: string,
): Promise<LoyaltyProgram> {
  const beside = files[0] ? path.join(path.dirname(files[0]), 'program.yaml') : undefined;
  const file = option
    ? path.resolve(context.io.cwd, option)
    : beside && existsSync(beside)
      ? beside
      : undefined;
  try {
    return file ? parseProgramYaml(await readFile(file, 'utf8'), file) : loadProgram(process.env);
  } catch (error) {
    throw new CliError(EXIT.validationFailed, `program: ${(error as Error).message}`);
  }
}

export function relative(context: CommandContext, file: string): string {
  return path.relative(context.io.cwd, file) || file;
}

/** Validates the files; exit 1 listing every problem as file:line: field: message. */
export async function validateOrFail(
  context: CommandContext,
  files: string[],
  options: FileOptions,
): Promise<JourneyValidation> {
  const resolved = await resolveJourneyFiles(context, files, options);
  if (!resolved.length) throw new CliError(EXIT.notFound, 'no journey files found');
  const program = await programFor(context, resolved, options.program);
  // Only the sample customer's dates depend on it: validation needs no runtime, so the wall clock.
  const now = new Date();
  const templatesDir = options.templates ? path.resolve(context.io.cwd, options.templates) : undefined;
  const report = await validateForPublish(resolved, program, now, templatesDir);
  if (report.problems.length) {
    const problems: JourneyProblem[] = report.problems.map((problem) => ({
      ...problem,
      file: relative(context, problem.file),
    }));
    throw new CliError(
      EXIT.validationFailed,
      `${problems.length} problem(s) in journey files:\n${problems.map((p) => `  ✗ ${describeProblem(p)}`).join('\n')}`,
      { problems },
    );
  }
  return report;
}
