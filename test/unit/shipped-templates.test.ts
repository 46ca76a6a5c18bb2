// Every shipped journey's templates, in every locale it promises, greet a customer whose first
// name is empty or blank exactly as one who has none ("Hi there,", "您好！"), never "Hi ," or
// ", you're".
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { journeyFiles } from '#shared/journeys/parse.ts';
import { renderJourneySend } from '#shared/journeys/preview.ts';
import { sampleFacts, sampleRenderCustomer } from '#shared/journeys/sample.ts';

const CAMPAIGNS = path.resolve(import.meta.dirname, '../../campaigns');
const program = loadProgram({});
const now = new Date('2027-03-01T12:00:00Z');

describe('shipped templates', () => {
  it('render a blank first name like a missing one, in every send step and locale', async () => {
    let rendered = 0;
    for (const file of await journeyFiles(CAMPAIGNS)) {
      const { journey, templates } = await loadJourneyFiles(file);
      for (const step of journey.steps) {
        if (!('send' in step)) continue;
        for (const locale of journey.templates.locales) {
          const as = (firstName: string | undefined) =>
            renderJourneySend({
              program,
              journey,
              templates,
              step,
              facts: sampleFacts(program, locale, now),
              customer: { ...sampleRenderCustomer(locale), firstName },
              now,
            });
          const none = await as(undefined);
          for (const blank of ['', '   ']) {
            expect(await as(blank), `${journey.id} ${step.id} ${locale} ${JSON.stringify(blank)}`).toEqual(
              none,
            );
          }
          expect(none.subject).not.toMatch(/^[,，\s]|\s,|，\s*，/);
          rendered++;
        }
      }
    }
    // birthday, tier-upgrade, three win-back steps, anniversary, welcome: 7 sends × 2 locales.
    expect(rendered).toBeGreaterThanOrEqual(14);
  });
});
