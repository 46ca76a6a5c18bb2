// Everything `loyalty campaigns validate` and `publish` check before a journey may become a
// version: the file (schema, with lines), what would never work (names, gotos, reachability,
// loops, triggers, contradictions), its templates in every promised locale, and that ids are
// unique across files. A journey with any problem is never published.
import { readFile } from 'node:fs/promises';
import { type JourneyProblem, fieldLocator, parseJourneyYaml } from './parse.ts';
import { journeyProblems } from '../domain/journey-checks.ts';
import type { JourneyVocabulary } from '../domain/journey-checks.ts';
import { journeyVocabulary } from '../domain/journey-vocabulary.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { type JourneyFiles, readJourneyTemplates, templatesDirOf } from './files.ts';
import { renderProblems } from './preview.ts';

export interface JourneyValidation {
  /** Journeys with no problem at all, with their templates read: ready to publish. */
  journeys: JourneyFiles[];
  problems: JourneyProblem[];
}

export interface ValidateOptions {
  vocabulary: JourneyVocabulary;
  /** Templates folder for every file (default: templates/ beside each file). */
  templatesDir?: string | undefined;
  /** Further checks of a loaded journey and its templates (rendering in every locale). */
  check?: (loaded: JourneyFiles, locate: (field: string) => number) => Promise<JourneyProblem[]>;
}

/**
 * What a journey must pass before it is published (`campaigns publish`, the console editor, the
 * shipped defaults): the program's vocabulary, and every send step rendered in every locale for a
 * sample customer as of `now`.
 */
export function validateForPublish(
  files: readonly string[],
  program: LoyaltyProgram,
  now: Date,
  templatesDir?: string,
): Promise<JourneyValidation> {
  return validateJourneyFiles(files, {
    vocabulary: journeyVocabulary(program),
    templatesDir,
    check: (loaded, locate) => renderProblems(loaded, program, locate, now),
  });
}

export async function validateJourneyFiles(
  files: readonly string[],
  options: ValidateOptions,
): Promise<JourneyValidation> {
  const journeys: JourneyFiles[] = [];
  const problems: JourneyProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const found = await validateOne(file, options, seen);
    problems.push(...found.problems);
    if (found.journey && !found.problems.length) journeys.push(found.journey);
  }
  return { journeys, problems };
}

async function validateOne(
  file: string,
  options: ValidateOptions,
  seen: Map<string, string>,
): Promise<{ journey?: JourneyFiles; problems: JourneyProblem[] }> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problems: [{ file, line: 0, field: '', message: `cannot be read: ${reason}` }] };
  }
  const parsed = parseJourneyYaml(source, file);
  if (!parsed.journey) return { problems: parsed.problems };
  const { journey } = parsed;
  const locate = fieldLocator(source);
  const first = seen.get(journey.id);
  if (first)
    return {
      problems: [
        { file, line: locate('id'), field: 'id', message: `${journey.id} is already defined in ${first}` },
      ],
    };
  seen.set(journey.id, file);
  const problems: JourneyProblem[] = journeyProblems(journey, options.vocabulary).map((problem) => ({
    file,
    line: locate(problem.field),
    ...problem,
  }));
  const read = await readJourneyTemplates(journey, options.templatesDir ?? templatesDirOf(file), file);
  problems.push(
    ...read.problems.map((problem) => ({ ...problem, line: problem.line || locate(problem.field) })),
  );
  const loaded: JourneyFiles = { file, source, journey, templates: read.templates };
  if (!read.problems.length && options.check) problems.push(...(await options.check(loaded, locate)));
  return { journey: loaded, problems };
}
