// The marketer console's API (behind the Cognito authorizer in AWS; open on a laptop): wiring
// only — the operations live in shared/console.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { consoleApi } from '#shared/console/api.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { CONSOLE_AUTH_ENV, serveConsoleApi } from '#shared/console/http.ts';
import { ENV } from '#infra/wiring.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { type Runtime, sesClientOf } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const from = runtime.env[ENV.senderAddress];
  const configurationSet = runtime.env[ENV.sesConfigurationSet];
  const answer = consoleApi({
    doc: runtime.doc,
    tableName: runtime.tableName,
    clock: runtime.clock,
    ses: sesClientOf(runtime),
    sender: from && configurationSet ? { from, configurationSet } : undefined,
    env: runtime.env,
    events: new EventBridgePublisher(runtime.eventBridge, runtime.busName),
  });
  const auth = runtime.env[CONSOLE_AUTH_ENV] === 'none' ? 'none' : 'cognito';
  return async (event) => {
    try {
      return await serveConsoleApi(event, answer, auth);
    } catch (error) {
      // The message may quote a request; only its kind is logged.
      runtime.logger.error('console request failed', { error: (error as Error).name });
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal error"}' };
    }
  };
}

// Sends test emails, so it bundles the SES client.
export const handler = lambdaEntry(createHandler, { ses: SESv2Client });
