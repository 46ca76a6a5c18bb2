// A published journey version is whole: the journey and every template in every locale, read
// from files beside each other, stored once and never changed; the current item follows the latest.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { JourneyValidationError } from '#shared/journeys/parse.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { CurrentJourneys, JourneyCatalogue, JourneyPublishConflictError } from '#shared/store/journeys.ts';
import { writeTemplate } from '../support/journey-files.ts';

const TABLE = 'journey-catalogue';
let dynamo: Awaited<ReturnType<typeof startDynamoWithTable>>;
let catalogue: JourneyCatalogue;
let dir: string;
const clock = new ManualClock('2027-03-01T00:00:00Z');

const JOURNEY = `id: hello
name: Hello
trigger: { on: signup }
templates: { locales: [en-US, zh-CN] }
steps:
  - id: welcome
    send: { template: welcome }
`;

function welcomeTemplate(locale: string, subject: string) {
  return writeTemplate(dir, 'welcome', { locale, subject, text: 'Hi {{ customer.firstName }}' });
}

beforeAll(async () => {
  dynamo = await startDynamoWithTable(TABLE);
  catalogue = new JourneyCatalogue(DynamoDBDocumentClient.from(dynamo.client), TABLE, clock);
  dir = await mkdtemp(path.join(tmpdir(), 'journey-'));
  await writeFile(path.join(dir, 'hello.yaml'), JOURNEY);
  await welcomeTemplate('en-US', 'Welcome');
});
afterAll(() => dynamo?.engine.close());

describe('journey versions', () => {
  it('refuses a journey whose template is missing in a promised locale, naming the file', async () => {
    await expect(loadJourneyFiles(path.join(dir, 'hello.yaml'))).rejects.toThrow(JourneyValidationError);
    await expect(loadJourneyFiles(path.join(dir, 'hello.yaml'))).rejects.toThrow(
      /template welcome has no zh-CN\/subject.liquid/,
    );
  });

  it('stores journey and templates as one version; a text change is a new version, the old one intact', async () => {
    await welcomeTemplate('zh-CN', '欢迎');
    const first = await loadJourneyFiles(path.join(dir, 'hello.yaml'));
    expect(await catalogue.publish({ ...first, by: 'test' })).toEqual({
      kind: 'published',
      version: 1,
      previous: 0,
    });
    expect(await catalogue.publish({ ...first, by: 'test' })).toEqual({ kind: 'unchanged', version: 1 });

    await welcomeTemplate('en-US', 'Welcome aboard');
    const second = await loadJourneyFiles(path.join(dir, 'hello.yaml'));
    expect(await catalogue.publish({ ...second, by: 'test', expectedVersion: 1 })).toEqual({
      kind: 'published',
      version: 2,
      previous: 1,
    });

    expect((await catalogue.version('hello', 1))?.templates.welcome?.['en-US']?.subject).toBe('Welcome');
    expect((await catalogue.current('hello'))?.templates.welcome?.['en-US']?.subject).toBe('Welcome aboard');
    expect((await catalogue.versions('hello')).map((v) => v.version)).toEqual([1, 2]);
    expect((await catalogue.list()).map((v) => [v.journeyId, v.version])).toEqual([['hello', 2]]);
    await expect(catalogue.publish({ ...first, by: 'test', expectedVersion: 1 })).rejects.toThrow(
      JourneyPublishConflictError,
    );
  });

  it('serves current versions from a cache that follows a publish after its time-to-live', async () => {
    const current = new CurrentJourneys(catalogue, clock, 30_000);
    expect((await current.current('hello'))?.version).toBe(2);
    const files = await loadJourneyFiles(path.join(dir, 'hello.yaml'));
    await catalogue.publish({ ...files, journey: { ...files.journey, name: 'Hello again' }, by: 'test' });
    expect((await current.current('hello'))?.version).toBe(2);
    clock.advanceMs(30_000);
    expect((await current.current('hello'))?.version).toBe(3);
    expect((await current.version('hello', 1))?.journey.name).toBe('Hello');
  });
});
