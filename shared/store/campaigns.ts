// The campaign catalogue in the table: every published version kept (CAMPAIGN / <id>#V#<n>) and
// one CURRENT item the running system reads. A publish writes version N with a condition that
// it does not exist yet, so two publishers cannot both become version N; the loser retries on
// top of the winner. A rollback re-publishes an older version's content as a new version.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Campaign, campaignSchema } from '../domain/campaign.ts';
import type { Clock } from '../domain/clock.ts';
import { isConditionFailure, queryAll, writeIfCondition } from './dynamo.ts';
import { keys } from './keys.ts';

export interface CampaignVersion {
  campaignId: string;
  version: number;
  definition: Campaign;
  /** The YAML it was published from (for `loyalty campaigns list --versions` and audits). */
  source: string;
  publishedAt: string;
  publishedBy: string;
  note: string;
}

export type PublishOutcome =
  | { kind: 'published'; version: number; previous: number }
  | { kind: 'unchanged'; version: number };

/** Another publisher became version N first; re-read and decide again. */
export class PublishConflictError extends Error {
  override name = 'PublishConflictError';
}

export class CampaignNotFoundError extends Error {
  override name = 'CampaignNotFoundError';
}

function sameDefinition(a: Campaign, b: Campaign): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class CampaignCatalogue {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async current(campaignId: string): Promise<CampaignVersion | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.campaignCurrent(campaignId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toVersion(result.Item) : undefined;
  }

  async version(campaignId: string, version: number): Promise<CampaignVersion | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.campaignVersion(campaignId, version),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toVersion(result.Item) : undefined;
  }

  /** Every campaign's current version (the catalogue is small: one Query on its partition). */
  async list(): Promise<CampaignVersion[]> {
    return (await this.queryAll()).filter((item) => String(item.SK).endsWith('#CURRENT')).map(toVersion);
  }

  async versions(campaignId: string): Promise<CampaignVersion[]> {
    const prefix = keys.campaignVersion(campaignId, 0).SK.replace(/0+$/, '');
    return (await this.queryAll(prefix)).map(toVersion);
  }

  /**
   * Makes `definition` the current version N+1 of its campaign (unless it equals the current
   * one). `expectedVersion`, when given, must be the current version (compare-and-publish).
   */
  async publish(input: {
    definition: Campaign;
    source: string;
    by: string;
    note?: string;
    expectedVersion?: number;
  }): Promise<PublishOutcome> {
    const definition = campaignSchema.parse(input.definition);
    const current = await this.current(definition.id);
    const previous = current?.version ?? 0;
    if (input.expectedVersion !== undefined && input.expectedVersion !== previous) {
      throw new PublishConflictError(
        `${definition.id} is at version ${previous}, not ${input.expectedVersion}`,
      );
    }
    if (current && sameDefinition(current.definition, definition))
      return { kind: 'unchanged', version: previous };
    const version: CampaignVersion = {
      campaignId: definition.id,
      version: previous + 1,
      definition,
      source: input.source,
      publishedAt: this.clock.now().toISOString(),
      publishedBy: input.by,
      note: input.note ?? '',
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.campaignVersion(definition.id, version.version), ...version },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new PublishConflictError(
          `${definition.id} version ${version.version} was published by someone else just now`,
        );
      throw error;
    }
    // A later version already became current: ours stays in the history, theirs wins.
    await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.campaignCurrent(definition.id), ...version },
        ConditionExpression: 'attribute_not_exists(PK) OR version < :v',
        ExpressionAttributeValues: { ':v': version.version },
      }),
    );
    return { kind: 'published', version: version.version, previous };
  }

  /** Makes version `to` (default: the one before current) current again, as a new version. */
  async rollback(
    campaignId: string,
    by: string,
    to?: number,
  ): Promise<PublishOutcome & { restored: number }> {
    const current = await this.current(campaignId);
    if (!current) throw new CampaignNotFoundError(`campaign ${campaignId} has never been published`);
    const target = to ?? current.version - 1;
    const old = target >= 1 ? await this.version(campaignId, target) : undefined;
    if (!old) throw new CampaignNotFoundError(`campaign ${campaignId} has no version ${target}`);
    const outcome = await this.publish({
      definition: old.definition,
      source: old.source,
      by,
      note: `rollback to v${target}`,
      expectedVersion: current.version,
    });
    return { ...outcome, restored: target };
  }

  /** Enables or disables the current version (recorded as a new version). */
  async setEnabled(campaignId: string, enabled: boolean, by: string): Promise<PublishOutcome> {
    const current = await this.current(campaignId);
    if (!current) throw new CampaignNotFoundError(`campaign ${campaignId} has never been published`);
    return this.publish({
      definition: { ...current.definition, enabled },
      source: current.source,
      by,
      note: enabled ? 'enabled' : 'disabled',
      expectedVersion: current.version,
    });
  }

  private async queryAll(skPrefix?: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :prefix)' : 'PK = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.campaignCurrent('x').PK,
        ...(skPrefix ? { ':prefix': skPrefix } : {}),
      },
      ConsistentRead: true,
    });
  }
}

function toVersion(item: Record<string, unknown>): CampaignVersion {
  return {
    campaignId: String(item.campaignId),
    version: Number(item.version),
    definition: campaignSchema.parse(item.definition),
    source: String(item.source ?? ''),
    publishedAt: String(item.publishedAt),
    publishedBy: String(item.publishedBy ?? ''),
    note: String(item.note ?? ''),
  };
}

/**
 * What the running system reads: a campaign's current definition, cached for `ttlMs` of the
 * given clock, so a publish takes effect within that time without a read per event.
 */
export class CurrentCampaigns {
  readonly #cache = new Map<string, { at: number; value: Campaign | undefined }>();

  constructor(
    private readonly catalogue: Pick<CampaignCatalogue, 'current'>,
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
  ) {}

  async get(campaignId: string): Promise<Campaign | undefined> {
    const now = this.clock.now().getTime();
    const cached = this.#cache.get(campaignId);
    if (cached && now - cached.at < this.ttlMs) return cached.value;
    const value = (await this.catalogue.current(campaignId))?.definition;
    this.#cache.set(campaignId, { at: now, value });
    return value;
  }
}

/** Records control-group members: one item per (customer, campaign, period), counted once per day. */
export class HoldoutRecords {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** True the first time; a redelivered request finds the item and counts nothing. */
  async record(input: {
    customerId: string;
    campaignId: string;
    period: string;
    step?: string | undefined;
    at: Date;
  }): Promise<boolean> {
    const applied = await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.holdout(input.customerId, input.campaignId, input.period),
          status: 'held-out',
          customerId: input.customerId,
          campaignId: input.campaignId,
          period: input.period,
          ...(input.step ? { step: input.step } : {}),
          at: input.at.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    if (!applied) return false;
    // Same daily counters item as the delivery stats (sent, opened, ...): `heldOut` beside them.
    const day = input.at.toISOString().slice(0, 10);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.campaignStats(input.campaignId, day),
        UpdateExpression: 'ADD heldOut :one SET campaignId = :id, #day = :day',
        ExpressionAttributeNames: { '#day': 'day' },
        ExpressionAttributeValues: { ':one': 1, ':id': input.campaignId, ':day': day },
      }),
    );
    return true;
  }

  async isHeldOut(customerId: string, campaignId: string, period: string): Promise<boolean> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.holdout(customerId, campaignId, period) }),
    );
    return Boolean(result.Item);
  }
}
