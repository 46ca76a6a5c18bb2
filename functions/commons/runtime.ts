// What every handler is built from: clients, table, bus, clock and logger. In Lambda it comes
// from validated environment variables; the local runtime and tests build one pointing at the
// embedded engines with a controllable clock. Handlers never construct clients themselves.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { type Clock, systemClock } from '#shared/domain/clock.ts';
import { ENV } from '#infra/wiring.ts';

export interface Runtime {
  clock: Clock;
  dynamodb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  eventBridge: EventBridgeClient;
  busName: string;
  sqs: SQSClient;
  /**
   * Only where the function sends email (the sender's entry passes the client class): the SES
   * client is a sixth of a bundle, so every other function leaves it out.
   */
  ses?: SESv2Client;
  /** This function's dead-letter queue, where rejected events are recorded. */
  deadLetterQueueUrl: string | undefined;
  logger: Logger;
  /** The raw environment, for function-specific settings each handler validates itself. */
  env: Readonly<Record<string, string | undefined>>;
}

/** A function's own settings from its environment, or an error naming each bad variable and why. */
export function functionSettings<S extends z.ZodType>(
  name: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      const value = env[variable];
      return `${variable} ${issue.message}${value === undefined ? '' : ` (is ${JSON.stringify(value.slice(0, 80))})`}`;
    });
    throw new Error(`invalid ${name} configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const lambdaEnv = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.eventBusName]: z.string().min(1),
  [ENV.deadLetterQueueUrl]: z.string().min(1).optional(),
});

export function documentClient(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

/** The SDK clients a function builds beyond the ones every function has. */
export interface ExtraClients {
  ses?: typeof SESv2Client;
}

/** The Lambda runtime: system clock, SDK clients from the execution role, names from env. */
export function runtimeFromEnv(
  env: Record<string, string | undefined>,
  logger: Logger,
  extra: ExtraClients = {},
): Runtime {
  const settings = functionSettings('function', lambdaEnv, env);
  const dynamodb = new DynamoDBClient({});
  return {
    clock: systemClock,
    dynamodb,
    doc: documentClient(dynamodb),
    tableName: settings[ENV.tableName],
    eventBridge: new EventBridgeClient({}),
    busName: settings[ENV.eventBusName],
    sqs: new SQSClient({}),
    ...(extra.ses ? { ses: new extra.ses({}) } : {}),
    deadLetterQueueUrl: settings[ENV.deadLetterQueueUrl],
    logger,
    env,
  };
}

/** The SES client of a function that sends email; its entry must pass `{ ses: SESv2Client }`. */
export function sesClientOf(runtime: Runtime): SESv2Client {
  if (!runtime.ses)
    throw new Error(
      'this function was built without an SES client: pass { ses: SESv2Client } to lambdaEntry',
    );
  return runtime.ses;
}
