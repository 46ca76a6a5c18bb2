// Counts DynamoDB requests and the capacity units they consume, by asking every request for
// ReturnConsumedCapacity=TOTAL through SDK middleware: the code under measurement is unchanged.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Runtime } from '#functions/commons/runtime.ts';
import { documentClient } from '#functions/commons/runtime.ts';
import { localDynamoClient } from '#infra/local/engines.ts';
import { indexWriteUnits } from './index-writes.ts';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** One request as the meter saw it: `key` is the item's key shape with ids left out. */
export interface MeteredRequest {
  command: string;
  key: string;
  units: number;
  /** A conditional write whose condition did not hold (still charged). */
  failed: boolean;
  /** Write units the indexes took (counted only with `countIndexWrites`). */
  indexUnits: number;
}

export const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

export class DynamoMeter {
  /** Counts only the requests `counts` accepts (all by default), e.g. one feature's share. */
  constructor(
    private readonly counts: (command: string, input: Record<string, unknown>) => boolean = () => true,
  ) {}

  requests = 0;
  readUnits = 0;
  writeUnits = 0;
  /** Write units the global secondary indexes took: AWS bills them, dynalite reports none. */
  indexWriteUnits = 0;
  /** Reads each written item before and after the write, unmetered, when index writes are counted. */
  #itemReader: DynamoDBDocumentClient | undefined;

  /** Also counts the index writes of every write, from the item before and after it (bench/index-writes.ts). */
  countIndexWrites(dynamoEndpoint: string): this {
    this.#itemReader = documentClient(localDynamoClient(dynamoEndpoint));
    return this;
  }
  readonly byCommand = new Map<string, number>();
  /** Every request counted, in order: what it was and what it cost. */
  readonly log: MeteredRequest[] = [];

  reset(): void {
    this.requests = 0;
    this.readUnits = 0;
    this.writeUnits = 0;
    this.indexWriteUnits = 0;
    this.byCommand.clear();
    this.log.length = 0;
  }

  /** Adds the metering middleware to a client. */
  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const command = context.commandName ?? 'unknown';
        if (!this.counts(command, input)) return next(args);
        this.requests++;
        this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + 1);
        const entry: MeteredRequest = { command, key: keyKindOf(input), units: 0, failed: false, indexUnits: 0 };
        this.log.push(entry);
        const reader = this.#itemReader;
        const written = reader && SINGLE_ITEM_WRITES.has(command) ? writtenItem(input) : undefined;
        const before = reader && written && (await itemOf(reader, written));
        let result: Awaited<ReturnType<typeof next>>;
        try {
          result = await next(args);
        } catch (error) {
          // DynamoDB still charges a write unit for a write whose condition failed.
          if ((error as Error).name === 'ConditionalCheckFailedException') {
            this.writeUnits += 1;
            entry.units = 1;
            entry.failed = true;
          }
          throw error;
        }
        if (reader && written) {
          entry.indexUnits = indexWriteUnits(before, await itemOf(reader, written));
          this.indexWriteUnits += entry.indexUnits;
        }
        const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        for (const capacity of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const units = capacity.CapacityUnits ?? 0;
          entry.units += units;
          if (WRITE_COMMANDS.has(command)) this.writeUnits += units;
          else this.readUnits += units;
        }
        return result;
      },
      { step: 'initialize', name: 'dynamoMeter' },
    );
    return client;
  }

  /** A copy of a function's runtime whose DynamoDB traffic this meter counts. */
  meter(runtime: Runtime, dynamoEndpoint: string): Runtime {
    const client = this.attach(localDynamoClient(dynamoEndpoint));
    return { ...runtime, dynamodb: client, doc: documentClient(client) };
  }
}

/**
 * The key shape a request touches, ids replaced by their kind (`CUSTOMER#<id> / PURCHASE#<order>`),
 * so one purchase's requests read the same for every customer; a Query names its partition and
 * index.
 */
export function keyKindOf(input: Record<string, unknown>): string {
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const pk = key?.PK ?? values[':pk'];
  const sk = key?.SK;
  const index = typeof input.IndexName === 'string' ? ` (index ${input.IndexName})` : '';
  if (typeof pk !== 'string') return `?${index}`;
  const shape = (part: string) =>
    part
      .replace(/^CUSTOMER#.*/, 'CUSTOMER#<id>')
      .replace(/^SUPPRESSION#.*/, 'SUPPRESSION#<address>')
      .replace(/^SESMSG#.*/, 'SESMSG#<message>')
      .replace(/^(SLOT|HOUR)#\d+$/, '$1#<n>')
      .replace(/^(PURCHASE#)[^#]*/, '$1<order>')
      .replace(/\d{4}-\d{2}-\d{2}(T\d{2})?/g, '<date>');
  if (typeof sk !== 'string') return `${shape(pk)} / Query${index}`;
  // A due directory entry's sort key is its hour and shard: one shape for all of them.
  return `${shape(pk)} / ${pk.startsWith('DUEDIR#') ? '<hour>#<shard>' : shape(sk)}`;
}

async function itemOf(
  reader: DynamoDBDocumentClient,
  written: { TableName: string; Key: Record<string, unknown> },
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await reader.send(new GetCommand({ ...written, ConsistentRead: true }));
  return Item;
}

/** Writes of one item (a batch's index writes are not counted: only imports use batches). */
const SINGLE_ITEM_WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** The table and key a single-item write touches (a Put names them through its item). */
function writtenItem(input: Record<string, unknown>): { TableName: string; Key: Record<string, unknown> } | undefined {
  const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (typeof input.TableName !== 'string' || !item || typeof item.PK !== 'string' || typeof item.SK !== 'string')
    return undefined;
  return { TableName: input.TableName, Key: { PK: item.PK, SK: item.SK } };
}
