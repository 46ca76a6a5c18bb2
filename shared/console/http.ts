// The console API over HTTP (API Gateway HTTP API payload 2.0; the local runtime serves the same
// shape): POST only, a JSON body, the user from the Cognito JWT the gateway already verified.
// Bodies may carry customer ids and addresses: nothing here logs them.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { ConsoleAnswer } from './api.ts';
import type { ConsoleUser } from './requests.ts';

/** `none` only in the local runtime (no login on a laptop); in AWS the gateway's authorizer decides. */
export const CONSOLE_AUTH_ENV = 'CONSOLE_AUTH';
export const LOCAL_USER: ConsoleUser = { id: 'local' };

const claimsSchema = z.object({ sub: z.string().min(1), email: z.string().optional() });

type Authorized = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

const reply = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: HEADERS,
  body: JSON.stringify(body),
});

export async function serveConsoleApi(
  event: Authorized,
  answer: (input: unknown, user: ConsoleUser) => Promise<ConsoleAnswer>,
  auth: 'cognito' | 'none',
): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.requestContext.http.method.toUpperCase() !== 'POST') return reply(405, { error: 'POST a JSON body with an "op"' });
  let user = LOCAL_USER;
  if (auth === 'cognito') {
    const claims = claimsSchema.safeParse(event.requestContext.authorizer?.jwt?.claims);
    if (!claims.success) return reply(401, { error: 'sign in first' });
    user = { id: claims.data.sub, email: claims.data.email };
  }
  let input: unknown;
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    input = JSON.parse(text || '{}');
  } catch {
    return reply(400, { error: 'body: not JSON' });
  }
  const result = await answer(input, user);
  return reply(result.status, result.body);
}
