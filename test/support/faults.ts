// Fault injection for integration tests: a DynamoDB client that fails chosen requests, standing
// in for a Lambda that crashes or times out half-way through its work.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { Runtime } from '#functions/commons/runtime.ts';
import { documentClient } from '#functions/commons/runtime.ts';
import { localDynamoClient } from '#infra/local/engines.ts';

export interface DynamoFault {
  /** e.g. 'UpdateItemCommand'. */
  command: string;
  /** How many matching requests fail before the fault heals. */
  times: number;
  /** Fail after the request reached DynamoDB (a crash after the write) instead of before it. */
  afterWrite?: boolean;
}

/**
 * A runtime whose PutEvents calls go through `around`, which decides when (and whether) to `put`:
 * a test sees what a function publishes, or crashes it before or after the bus took it.
 */
export function aroundPutEvents(
  runtime: Runtime,
  around: (
    command: PutEventsCommand,
    put: () => Promise<PutEventsCommandOutput>,
  ) => Promise<PutEventsCommandOutput>,
): Runtime {
  const eventBridge = runtime.eventBridge;
  const send = (command: PutEventsCommand) => around(command, () => eventBridge.send(command));
  return {
    ...runtime,
    eventBridge: new Proxy(eventBridge, {
      get: (target, key) => (key === 'send' ? send : Reflect.get(target, key)),
    }),
  };
}

/** A runtime whose DynamoDB client crashes on the chosen requests; counts what it injected. */
export function withDynamoFault(
  runtime: Runtime,
  endpoint: string,
  fault: DynamoFault,
): Runtime & { injected: () => number } {
  const client: DynamoDBClient = localDynamoClient(endpoint);
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const matches = context.commandName === fault.command && injected < fault.times;
      if (matches && !fault.afterWrite) {
        injected++;
        throw new Error(`injected crash before ${fault.command}`);
      }
      const result = await next(args);
      if (matches && fault.afterWrite) {
        injected++;
        throw new Error(`injected crash after ${fault.command}`);
      }
      return result;
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return { ...runtime, dynamodb: client, doc: documentClient(client), injected: () => injected };
}
