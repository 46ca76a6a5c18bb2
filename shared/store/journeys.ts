// The journey catalogue: every published version kept whole and immutable (JOURNEY#<id> / V#<n>:
// the journey AND its templates in every locale), and one current item per journey (JOURNEYS /
// <id>) the engine and sender read. A version is written once with a condition that it does not
// exist, so two publishers cannot both become version N; the loser re-reads and retries.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import { type Journey, journeySchema } from '../domain/journey.ts';
import { isConditionFailure, queryAll, writeIfCondition } from './dynamo.ts';
import { keys } from './keys.ts';

export const templatePartsSchema = z.strictObject({
  subject: z.string(),
  html: z.string(),
  text: z.string(),
});
export type TemplateParts = z.infer<typeof templatePartsSchema>;
/** template name -> locale -> its three Liquid sources. */
export const journeyTemplatesSchema = z.record(z.string(), z.record(z.string(), templatePartsSchema));
export type JourneyTemplates = z.infer<typeof journeyTemplatesSchema>;

/**
 * One published version, as stored: what runs and what it renders, nothing read from the bundle.
 * (A DynamoDB item holds 400 KB: a journey's templates in all locales must fit in that.)
 */
export const journeyVersionSchema = z.object({
  journeyId: z.string().min(1),
  version: z.number().int().positive(),
  journey: journeySchema,
  templates: journeyTemplatesSchema,
  /** The YAML it was published from (audits, `diff`). */
  source: z.string(),
  publishedAt: z.string(),
  publishedBy: z.string(),
  note: z.string(),
});
export type JourneyVersion = z.infer<typeof journeyVersionSchema>;

export type PublishOutcome =
  { kind: 'published'; version: number; previous: number } | { kind: 'unchanged'; version: number };

/** Another publisher became version N first (or the expected version was not current). */
export class JourneyPublishConflictError extends Error {
  override name = 'JourneyPublishConflictError';
}

export class JourneyNotFoundError extends Error {
  override name = 'JourneyNotFoundError';
}

const sameContent = (
  a: Pick<JourneyVersion, 'journey' | 'templates'>,
  b: Pick<JourneyVersion, 'journey' | 'templates'>,
) => JSON.stringify([a.journey, a.templates]) === JSON.stringify([b.journey, b.templates]);

/**
 * Every journey's id: the catalogue partition's keys only (the guardrails add the journeys'
 * windows up into the account's). Eventually consistent: a journey sends well after it is
 * published, and a read costs what the whole items weigh, projected or not.
 */
export async function journeyIds(doc: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  const items = await queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.journeyCataloguePk },
    ProjectionExpression: 'SK',
  });
  return items.map((item) => z.string().min(1).parse(item.SK));
}

export class JourneyCatalogue {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async current(journeyId: string): Promise<JourneyVersion | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.journeyCurrent(journeyId),
        ConsistentRead: true,
      }),
    );
    return Item ? journeyVersionSchema.parse(Item) : undefined;
  }

  async version(journeyId: string, version: number): Promise<JourneyVersion | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.journeyVersion(journeyId, version) }),
    );
    return Item ? journeyVersionSchema.parse(Item) : undefined;
  }

  /** Every journey's current version: one Query on the (small) catalogue partition. */
  async list(): Promise<JourneyVersion[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.journeyCataloguePk },
      ConsistentRead: true,
    });
    return items.map((item) => journeyVersionSchema.parse(item));
  }

  /** Every version of one journey, oldest first. */
  async versions(journeyId: string): Promise<JourneyVersion[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.journeyVersionsPk(journeyId) },
    });
    return items.map((item) => journeyVersionSchema.parse(item));
  }

  /**
   * Makes (journey, templates) version N+1 unless it equals the current one. `expectedVersion`,
   * when given, must be the current version (compare-and-publish).
   */
  async publish(input: {
    journey: Journey;
    templates: JourneyTemplates;
    source: string;
    by: string;
    note?: string;
    expectedVersion?: number;
  }): Promise<PublishOutcome> {
    const journey = journeySchema.parse(input.journey);
    const templates = journeyTemplatesSchema.parse(input.templates);
    const current = await this.current(journey.id);
    const previous = current?.version ?? 0;
    if (input.expectedVersion !== undefined && input.expectedVersion !== previous)
      throw new JourneyPublishConflictError(
        `${journey.id} is at version ${previous}, not ${input.expectedVersion}`,
      );
    if (current && sameContent(current, { journey, templates }))
      return { kind: 'unchanged', version: previous };
    const version: JourneyVersion = {
      journeyId: journey.id,
      version: previous + 1,
      journey,
      templates,
      source: input.source,
      publishedAt: this.clock.now().toISOString(),
      publishedBy: input.by,
      note: input.note ?? '',
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.journeyVersion(journey.id, version.version), type: 'journey-version', ...version },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new JourneyPublishConflictError(
          `${journey.id} version ${version.version} was published by someone else just now`,
        );
      throw error;
    }
    // A later version already became current: ours stays in the history, theirs wins.
    await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.journeyCurrent(journey.id), type: 'journey-current', ...version },
        ConditionExpression: 'attribute_not_exists(PK) OR version < :v',
        ExpressionAttributeValues: { ':v': version.version },
      }),
    );
    return { kind: 'published', version: version.version, previous };
  }
}

/**
 * What the running system reads: current versions, cached for `ttlMs` of the given clock, so a
 * publish takes effect within that time without a catalogue read per event. Versions themselves
 * never change, so a version read once is cached for good.
 */
export class CurrentJourneys {
  #list: { at: number; value: JourneyVersion[] } | undefined;
  readonly #versions = new Map<string, JourneyVersion>();

  constructor(
    private readonly catalogue: Pick<JourneyCatalogue, 'list' | 'version'>,
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
  ) {}

  /** Every journey's current version (enabled or not). */
  async all(): Promise<JourneyVersion[]> {
    const now = this.clock.now().getTime();
    if (this.#list && now - this.#list.at < this.ttlMs) return this.#list.value;
    const value = await this.catalogue.list();
    this.#list = { at: now, value };
    for (const version of value) this.#versions.set(`${version.journeyId}#${version.version}`, version);
    return value;
  }

  async current(journeyId: string): Promise<JourneyVersion | undefined> {
    return (await this.all()).find((version) => version.journeyId === journeyId);
  }

  /** One immutable version (what an already-prepared send renders from). */
  async version(journeyId: string, version: number): Promise<JourneyVersion | undefined> {
    const key = `${journeyId}#${version}`;
    const cached = this.#versions.get(key);
    if (cached) return cached;
    const found = await this.catalogue.version(journeyId, version);
    if (found) this.#versions.set(key, found);
    return found;
  }
}
