// The shipped journey files (campaigns/*.yaml with their templates) are the defaults: each is
// validated like `loyalty campaigns publish` and published as version 1 of every journey that has
// never been published (first start of the local runtime). A journey a marketer has already
// published — or disabled, or rolled back — is left alone.
import path from 'node:path';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { JourneyPublishConflictError, type JourneyCatalogue } from '../store/journeys.ts';
import { describeProblem, journeyFiles } from './parse.ts';
import { validateForPublish } from './validate.ts';

export interface ShippedOutcome {
  published: string[];
  alreadyPublished: string[];
  /** file:line: field: message of every shipped file that is not valid (none is published). */
  problems: string[];
}

export async function publishShippedJourneys(
  catalogue: JourneyCatalogue,
  dir: string,
  program: LoyaltyProgram,
  now: Date,
  /** Only these journey ids (default: every file in the folder). */
  only?: readonly string[],
): Promise<ShippedOutcome> {
  const files = (await journeyFiles(dir)).filter(
    (file) => !only || only.includes(path.basename(file).replace(/\.ya?ml$/, '')),
  );
  const report = await validateForPublish(files, program, now);
  const outcome: ShippedOutcome = {
    published: [],
    alreadyPublished: [],
    problems: report.problems.map(describeProblem),
  };
  for (const shipped of report.journeys) {
    const { id } = shipped.journey;
    if (await catalogue.current(id)) {
      outcome.alreadyPublished.push(id);
      continue;
    }
    const result = await catalogue
      .publish({ ...shipped, by: 'defaults', note: 'shipped default', expectedVersion: 0 })
      .catch((error: unknown) => {
        // Another process published it first: that is the outcome we wanted.
        if (error instanceof JourneyPublishConflictError) return undefined;
        throw error;
      });
    if (result?.kind === 'published') outcome.published.push(id);
    else outcome.alreadyPublished.push(id);
  }
  return outcome;
}
