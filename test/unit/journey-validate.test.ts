import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProblem } from '#shared/journeys/parse.ts';
import { journeyVocabulary } from '#shared/domain/journey-vocabulary.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { renderProblems } from '#shared/journeys/preview.ts';
import { validateJourneyFiles } from '#shared/journeys/validate.ts';

const program = loadProgram({});
const vocabulary = journeyVocabulary(program);

/** A folder with `<id>.yaml` files and templates/<name>/<locale>/ for each [name, locale]. */
async function repo(files: Record<string, string>, templates: [string, string][]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  for (const [name, locale] of templates) {
    const folder = path.join(dir, 'templates', name, locale);
    await mkdir(folder, { recursive: true });
    for (const part of ['subject', 'html', 'text'])
      await writeFile(path.join(folder, `${part}.liquid`), `Hello {{ customer.firstName }} (${part})`);
  }
  return dir;
}

const nudge = `id: gold-nudge
name: Gold nudge
trigger:
  on: event
  event: Purchase Completed
  where: { tiers: [Golld] }
templates: { locales: [en-US, zh-CN] }
steps:
  - id: wait-3d
    wait: { days: 3 }
  - id: nudge
    send: { template: gold-nudge }
    goto: nowhere
`;

describe('validating journey files', () => {
  it('reports what would never work as file:line: field: message, and a template missing in a locale', async () => {
    const dir = await repo({ 'gold-nudge.yaml': nudge }, [['gold-nudge', 'en-US']]);
    const file = path.join(dir, 'gold-nudge.yaml');
    const result = await validateJourneyFiles([file], { vocabulary });
    expect(result.journeys).toEqual([]);
    expect(result.problems.map(describeProblem)).toEqual([
      `${file}:6: trigger.where.tiers.0: unknown tier "Golld"; did you mean "Gold"? (known: Bronze, Silver, Gold, Platinum)`,
      `${file}:13: steps.1.goto: goes to no step "nowhere" (steps: wait-3d, nudge; or end)`,
      ...['subject', 'html', 'text'].map(
        (part) =>
          `${file}:7: templates.locales: template gold-nudge has no zh-CN/${part}.liquid (looked in ${path.join(dir, 'templates', 'gold-nudge', 'zh-CN', `${part}.liquid`)})`,
      ),
    ]);
  });

  it('returns a valid journey with its templates read, and refuses the same id twice', async () => {
    const fixed = nudge.replace('Golld', 'Gold').replace('    goto: nowhere\n', '');
    const dir = await repo({ 'gold-nudge.yaml': fixed }, [
      ['gold-nudge', 'en-US'],
      ['gold-nudge', 'zh-CN'],
    ]);
    const file = path.join(dir, 'gold-nudge.yaml');
    const result = await validateJourneyFiles([file], { vocabulary });
    expect(result.problems).toEqual([]);
    expect(result.journeys.map((j) => [j.journey.id, Object.keys(j.templates['gold-nudge'] ?? {})])).toEqual([
      ['gold-nudge', ['en-US', 'zh-CN']],
    ]);
    const twice = await validateJourneyFiles([file, file], { vocabulary });
    expect(twice.problems.map(describeProblem)).toEqual([
      `${file}:1: id: gold-nudge is already defined in ${file}`,
    ]);
  });

  it('renders every send step in every locale with a sample customer: a variable no send provides is a problem', async () => {
    const fixed = nudge
      .replace('Golld', 'Gold')
      .replace('    goto: nowhere\n', '')
      .replace('[en-US, zh-CN]', '[en-US]');
    const dir = await repo({ 'gold-nudge.yaml': fixed }, [['gold-nudge', 'en-US']]);
    const file = path.join(dir, 'gold-nudge.yaml');
    const check = (loaded: Parameters<typeof renderProblems>[0], locate: (field: string) => number) =>
      renderProblems(loaded, program, locate, new Date('2027-03-01T00:00:00Z'));
    expect((await validateJourneyFiles([file], { vocabulary, check })).problems).toEqual([]);
    await writeFile(
      path.join(dir, 'templates', 'gold-nudge', 'en-US', 'text.liquid'),
      '{{ tierName }} {{ nextTierName }} {{ giftCard }}',
    );
    const result = await validateJourneyFiles([file], { vocabulary, check });
    expect(result.journeys).toEqual([]);
    expect(result.problems.map(describeProblem)).toEqual([
      expect.stringMatching(new RegExp(`^${file}:12: steps\\.1\\.send\\.template: en-US: .*giftCard`)),
    ]);
  });
});
