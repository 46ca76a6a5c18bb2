// Counts DynamoDB requests and the capacity units they consume, by asking every request for
// ReturnConsumedCapacity=TOTAL through SDK middleware: the code under measurement is unchanged.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Runtime } from '#functions/commons/runtime.ts';
import { documentClient } from '#functions/commons/runtime.ts';
import { localDynamoClient } from '#infra/local/engines.ts';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

export class DynamoMeter {
  /** Counts only the requests `counts` accepts (all by default), e.g. one feature's share. */
  constructor(private readonly counts: (command: string, input: Record<string, unknown>) => boolean = () => true) {}

  requests = 0;
  readUnits = 0;
  writeUnits = 0;
  readonly byCommand = new Map<string, number>();

  reset(): void {
    this.requests = 0;
    this.readUnits = 0;
    this.writeUnits = 0;
    this.byCommand.clear();
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
        let result: Awaited<ReturnType<typeof next>>;
        try {
          result = await next(args);
        } catch (error) {
          // DynamoDB still charges a write unit for a write whose condition failed.
          if ((error as Error).name === 'ConditionalCheckFailedException') this.writeUnits += 1;
          throw error;
        }
        const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        for (const capacity of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const units = capacity.CapacityUnits ?? 0;
          if (WRITES.has(command)) this.writeUnits += units;
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
