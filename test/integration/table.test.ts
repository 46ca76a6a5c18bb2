import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, describe, expect, it } from 'vitest';
import { localDynamoClient } from '#infra/local/engines.ts';
import { ensureTable } from '#shared/store/table.ts';

describe('ensureTable', () => {
  // An engine that, like DynamoDB, keeps a new table CREATING for a while after answering.
  const server: Server = dynalite({ createTableMs: 150 });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns only once the table and its indexes are ACTIVE, so the first write cannot miss it', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = localDynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
    await ensureTable(client, 'created-slowly');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'created-slowly' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexStatus)).toEqual(
      Table?.GlobalSecondaryIndexes?.map(() => 'ACTIVE'),
    );
    expect(Table?.GlobalSecondaryIndexes?.length).toBeGreaterThan(0);
    // A second call finds the table and returns at once.
    await ensureTable(client, 'created-slowly');
  });
});
