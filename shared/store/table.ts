// The table's physical shape, read by the CDK stack, the local runtime and the tests, so the
// three cannot disagree about key names or indexes.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { INDEXES, TABLE_KEYS } from './keys.ts';

export const DEFAULT_TABLE_NAME = 'loyalty-flows';

/**
 * Creates the table as the stack defines it (on-demand, both GSIs), or finds it, and returns once
 * it is ACTIVE: an engine answers CreateTable while the table is still CREATING, and a write in
 * that window fails with ResourceNotFoundException.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attribute = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  const indexes = Object.values(INDEXES);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          attribute(TABLE_KEYS.partitionKey),
          attribute(TABLE_KEYS.sortKey),
          ...indexes.flatMap((index) => [attribute(index.partitionKey), attribute(index.sortKey)]),
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await untilActive(client, tableName);
}

async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    await sleep(10);
  }
  throw new Error(`table ${tableName} did not become ACTIVE within 5 s`);
}
