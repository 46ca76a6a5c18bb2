// Where the CLI's commands act: the local runtime (default) or a deployed stack (--stack),
// resolved once, lazily, from the global options. The SDK clients are imported only then, so
// `loyalty --help` and a validation never load them (the built CLI keeps them in their own chunks).
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { DEFAULT_BUS_NAME } from '#infra/wiring.ts';
import { DEFAULT_TABLE_NAME } from '#shared/store/table.ts';
import * as z from 'zod';
import { CliError, EXIT } from './exit-codes.ts';

export interface GlobalOptions {
  endpoint?: string;
  stack?: string;
  region?: string;
  json?: boolean;
}

export interface Targets {
  kind: 'local' | 'aws';
  doc: DynamoDBDocumentClient;
  tableName: string;
  eventBridge: EventBridgeClient;
  busName: string;
  ses: SESv2Client;
  sesConfigurationSet: string | undefined;
  /** Where `loyalty` shows emails (SES local mailbox) — local only. */
  mailbox?: string;
  /** The local runtime's front door (/_local control endpoints) — local only. */
  control?: string;
  /** The deployed weekly analytics function (`loyalty predict fit`) — AWS only. */
  weeklyAnalyticsFunction?: string;
}

export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:4010';
const DEFAULT_LOCAL_PORTS = { dynamodb: 4567, ses: 8005 };

/**
 * Without `--endpoint`: LOYALTY_ENDPOINT, else the front door on LOCAL_AWS_PORT (the variable
 * `npm start` was given, so a runtime on other ports is found the same way), else the default.
 */
export function defaultLocalEndpoint(env: Record<string, string | undefined>): string {
  if (env.LOYALTY_ENDPOINT) return env.LOYALTY_ENDPOINT;
  const port = env.LOCAL_AWS_PORT;
  if (port === undefined || port === '') return DEFAULT_LOCAL_ENDPOINT;
  if (!/^\d{1,5}$/.test(port)) throw new CliError(EXIT.usage, `LOCAL_AWS_PORT: ${JSON.stringify(port)} is not a port number`);
  return `http://127.0.0.1:${port}`;
}

/**
 * `--endpoint` is the local runtime's front door (EventBridge + SQS + /_local). DynamoDB and SES
 * are discovered from GET /_local; if that fails the default ports on the same host are used.
 * Explicit `dynamodb=URL,ses=URL,aws=URL` pairs override discovery (tests use random ports).
 */
export async function localEndpoints(
  endpoint: string,
): Promise<{ aws: string; dynamodb: string; ses: string }> {
  const pairs = Object.fromEntries(
    endpoint
      .split(',')
      .filter((part) => part.includes('='))
      .map((part) => part.split('=', 2) as [string, string]),
  );
  if (pairs.aws && pairs.dynamodb && pairs.ses)
    return { aws: pairs.aws, dynamodb: pairs.dynamodb, ses: pairs.ses };
  const aws = pairs.aws ?? endpoint;
  let url: URL;
  try {
    url = new URL(aws);
  } catch {
    throw new CliError(
      EXIT.usage,
      `--endpoint: ${JSON.stringify(endpoint)} is not a URL (e.g. ${DEFAULT_LOCAL_ENDPOINT})`,
    );
  }
  try {
    const response = await fetch(new URL('/_local', url), { signal: AbortSignal.timeout(1500) });
    const body = (await response.json()) as { endpoints?: { dynamodb?: string; sesMailbox?: string } };
    if (body.endpoints?.dynamodb && body.endpoints.sesMailbox) {
      return {
        aws,
        dynamodb: pairs.dynamodb ?? body.endpoints.dynamodb,
        ses: pairs.ses ?? body.endpoints.sesMailbox,
      };
    }
  } catch {
    // not reachable: fall back to the default ports, the error surfaces on first use
  }
  const host = `${url.protocol}//${url.hostname}`;
  return {
    aws,
    dynamodb: pairs.dynamodb ?? `${host}:${DEFAULT_LOCAL_PORTS.dynamodb}`,
    ses: pairs.ses ?? `${host}:${DEFAULT_LOCAL_PORTS.ses}`,
  };
}

async function stackOutputs(stackName: string, region: string | undefined): Promise<Record<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = result.Stacks?.[0];
    if (!stack) throw new CliError(EXIT.notFound, `stack ${stackName} not found`);
    return Object.fromEntries(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = (error as Error).message;
    if (/does not exist/.test(message))
      throw new CliError(EXIT.notFound, `stack ${stackName} not found: ${message}`);
    throw new CliError(EXIT.remoteFailure, `could not read stack ${stackName}: ${message}`);
  }
}

const localClock = z.object({ now: z.iso.datetime({ offset: true }) });

/** The local runtime's simulated now; the wall clock for a deployed stack (the CLI is an edge). */
export async function targetNow(targets: Targets): Promise<Date> {
  if (targets.kind !== 'local' || !targets.control) return new Date();
  const url = new URL('/_local/clock', targets.control);
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const parsed = localClock.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !parsed.success)
    throw new CliError(
      EXIT.remoteFailure,
      `GET ${url.href} did not answer the simulated now (HTTP ${response.status})`,
    );
  return new Date(parsed.data.now);
}

/** The clients every target needs, imported on first use. */
async function sdk() {
  const [{ documentClient }, { DynamoDBClient }, { EventBridgeClient }, { SESv2Client }] = await Promise.all([
    import('#functions/commons/runtime.ts'),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-eventbridge'),
    import('@aws-sdk/client-sesv2'),
  ]);
  return { documentClient, DynamoDBClient, EventBridgeClient, SESv2Client };
}

export async function resolveTargets(options: GlobalOptions): Promise<Targets> {
  const { documentClient, DynamoDBClient, EventBridgeClient, SESv2Client } = await sdk();
  if (options.stack) {
    const outputs = await stackOutputs(options.stack, options.region);
    const tableName = outputs.TableName;
    const busName = outputs.EventBusName;
    if (!tableName || !busName) {
      throw new CliError(
        EXIT.notFound,
        `stack ${options.stack} has no TableName/EventBusName outputs — is it a loyalty-flows stack?`,
      );
    }
    const config = options.region ? { region: options.region } : {};
    return {
      kind: 'aws',
      doc: documentClient(new DynamoDBClient(config)),
      tableName,
      eventBridge: new EventBridgeClient(config),
      busName,
      ses: new SESv2Client(config),
      sesConfigurationSet: outputs.SesConfigurationSet,
      ...(outputs.WeeklyAnalyticsFunctionName
        ? { weeklyAnalyticsFunction: outputs.WeeklyAnalyticsFunctionName }
        : {}),
    };
  }
  const endpoints = await localEndpoints(options.endpoint ?? defaultLocalEndpoint(process.env));
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 };
  return {
    kind: 'local',
    doc: documentClient(new DynamoDBClient({ ...config, endpoint: endpoints.dynamodb })),
    tableName: process.env.LOYALTY_TABLE_NAME ?? DEFAULT_TABLE_NAME,
    eventBridge: new EventBridgeClient({ ...config, endpoint: endpoints.aws }),
    busName: process.env.EVENT_BUS_NAME ?? DEFAULT_BUS_NAME,
    ses: new SESv2Client({ ...config, endpoint: endpoints.ses }),
    sesConfigurationSet: undefined,
    mailbox: endpoints.ses,
    control: endpoints.aws,
  };
}
