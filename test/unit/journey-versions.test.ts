import { describe, expect, it } from 'vitest';
import { journeySchema } from '#shared/domain/journey.ts';
import { diffVersions, rollbackJourney, setJourneyEnabled } from '#shared/journeys/versions.ts';
import { JourneyNotFoundError, type JourneyVersion } from '#shared/store/journeys.ts';

const journey = journeySchema.parse({
  id: 'welcome',
  name: 'Welcome',
  trigger: { on: 'signup' },
  steps: [{ id: 'hello', send: { template: 'welcome' } }],
});
const version = (n: number, subject: string, source: string): JourneyVersion => ({
  journeyId: 'welcome',
  version: n,
  journey,
  templates: { welcome: { 'en-US': { subject, html: '<p>hi</p>', text: 'hi' } } },
  source,
  publishedAt: '2027-01-01T00:00:00.000Z',
  publishedBy: 'test',
  note: '',
});

/** An in-memory catalogue with the publish contract: expectedVersion must be current. */
function catalogue(versions: JourneyVersion[]) {
  const published: unknown[] = [];
  return {
    published,
    current: async () => versions.at(-1),
    version: async (_: string, n: number) => versions.find((v) => v.version === n),
    publish: async (input: {
      journey: JourneyVersion['journey'];
      templates: JourneyVersion['templates'];
      source: string;
      note?: string;
      expectedVersion?: number;
    }) => {
      published.push(input);
      return { kind: 'published' as const, version: versions.length + 1, previous: versions.length };
    },
  };
}

describe('journey versions', () => {
  it('rolls back steps and template text together, as a new version compared against the current one', async () => {
    const store = catalogue([
      version(1, 'Welcome!', 'id: welcome\n'),
      version(2, 'Hello there', 'id: welcome\n# v2\n'),
    ]);
    const outcome = await rollbackJourney(store, 'welcome', 'ana');
    expect(outcome).toEqual({ kind: 'published', version: 3, previous: 2, restored: 1 });
    expect(store.published).toEqual([
      expect.objectContaining({
        templates: { welcome: { 'en-US': { subject: 'Welcome!', html: '<p>hi</p>', text: 'hi' } } },
        source: 'id: welcome\n',
        note: 'rollback to v1',
        expectedVersion: 2,
      }),
    ]);
  });

  it('refuses to roll back what was never published or to a version that does not exist', async () => {
    await expect(rollbackJourney(catalogue([]), 'welcome', 'ana')).rejects.toBeInstanceOf(
      JourneyNotFoundError,
    );
    await expect(rollbackJourney(catalogue([version(1, 'a', '')]), 'welcome', 'ana')).rejects.toThrow(
      'journey welcome has no version 0',
    );
    await expect(rollbackJourney(catalogue([version(1, 'a', '')]), 'welcome', 'ana', 7)).rejects.toThrow(
      'has no version 7',
    );
  });

  it('disables the current version keeping its templates', async () => {
    const store = catalogue([version(1, 'Welcome!', 'src')]);
    await setJourneyEnabled(store, 'welcome', false, 'ana');
    expect(store.published).toEqual([
      expect.objectContaining({
        journey: { ...journey, enabled: false },
        note: 'disabled',
        expectedVersion: 1,
      }),
    ]);
  });

  it('diffs the journey file line by line and names the template parts that changed', () => {
    const diff = diffVersions(
      version(1, 'Welcome!', 'id: welcome\nname: Welcome\nsteps: []'),
      version(2, 'Hello there', 'id: welcome\nname: Welcome back\nsteps: []'),
    );
    expect(diff.source).toEqual(['  id: welcome', '- name: Welcome', '+ name: Welcome back', '  steps: []']);
    expect(diff.templates).toEqual({ added: [], removed: [], changed: ['welcome/en-US/subject'] });
  });
});
