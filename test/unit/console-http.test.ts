// The console API's HTTP edge: in AWS the gateway's JWT authorizer admits a request, and the
// function still refuses one without verified claims, so a mis-wired route cannot open the API.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ConsoleAnswer } from '#shared/console/api.ts';
import type { ConsoleUser } from '#shared/console/requests.ts';
import { serveConsoleApi } from '#shared/console/http.ts';

const event = (claims: Record<string, unknown> | undefined, method = 'POST'): APIGatewayProxyEventV2 & { requestContext: { authorizer?: { jwt: { claims: Record<string, unknown> } } } } => ({
  version: '2.0',
  routeKey: 'POST /console/api',
  rawPath: '/console/api',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example',
    domainPrefix: 'api',
    http: { method, path: '/console/api', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
    requestId: 'r-1',
    routeKey: 'POST /console/api',
    stage: '$default',
    time: '01/Mar/2027:10:00:00 +0000',
    timeEpoch: 0,
    ...(claims ? { authorizer: { jwt: { claims } } } : {}),
  },
  body: '{"op":"session"}',
  isBase64Encoded: false,
});

describe('console API over HTTP', () => {
  const seen: ConsoleUser[] = [];
  const answer = async (_input: unknown, user: ConsoleUser): Promise<ConsoleAnswer> => {
    seen.push(user);
    return { status: 200, body: { ok: true } };
  };

  it('refuses a request without verified claims before any operation runs', async () => {
    for (const claims of [undefined, {}, { sub: '' }, { email: 'ana@shop.example' }]) {
      const reply = await serveConsoleApi(event(claims), answer, 'cognito');
      expect([claims, reply.statusCode, reply.body]).toEqual([claims, 401, '{"error":"sign in first"}']);
    }
    expect(seen).toEqual([]);
  });

  it('answers as the signed-in user named by the token, and only POST', async () => {
    const reply = await serveConsoleApi(event({ sub: 'sub-1', email: 'ana@shop.example' }), answer, 'cognito');
    expect(reply.statusCode).toBe(200);
    expect(seen).toEqual([{ id: 'sub-1', email: 'ana@shop.example' }]);
    expect((await serveConsoleApi(event({ sub: 'sub-1' }, 'GET'), answer, 'cognito')).statusCode).toBe(405);
  });
});
