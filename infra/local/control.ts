// The local runtime's HTTP front door on the "AWS" port: AWS JSON-protocol calls (PutEvents,
// SendMessage), the /_local control endpoints (clock, drain, dead letters), and the functions
// wired with a URL trigger (served as Lambda Function URL events).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadProgram } from '#shared/config/program-file.ts';
import { reportPage } from '#shared/flows/analytics-page.ts';
import * as z from 'zod';
import { AwsApiError, handleAwsJson, readBody, sendAwsJson } from './aws-api.ts';
import { deadLetterPage } from './dead-letter-page.ts';
import { serveConsoleAsset } from './console.ts';
import type { LocalRuntime } from './runtime.ts';

function json(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(payload, null, 2)}\n`);
}

export async function handleHttp(
  local: LocalRuntime,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', local.endpoints.aws);
  const target = request.headers['x-amz-target'];
  try {
    const body = await readBody(request);
    if (typeof target === 'string') {
      const contentType = String(request.headers['content-type'] ?? 'application/x-amz-json-1.1');
      try {
        const result = handleAwsJson(target, body ? JSON.parse(body) : {}, {
          putEvents: (entries) => local.putSdkEvents(entries),
          sendMessage: (queueUrl, messageBody, attributes, delay) =>
            local.sendMessage(queueUrl, messageBody, attributes, delay),
        });
        // Acknowledged means on disk (with a data dir): a crash after the 200 loses nothing.
        await local.persisted();
        sendAwsJson(response, 200, result, contentType);
      } catch (error) {
        const apiError =
          error instanceof AwsApiError
            ? error
            : new AwsApiError('InternalFailure', (error as Error).message, 500);
        sendAwsJson(
          response,
          apiError.status,
          { __type: apiError.type, message: apiError.message },
          contentType,
        );
      }
      return;
    }
    const letterId = /^\/_local\/dead-letters\/([^/]+)$/.exec(url.pathname)?.[1];
    if (request.method === 'GET' && letterId) {
      const letter = local.deadLetters().find((l) => l.messageId === decodeURIComponent(letterId));
      return letter
        ? json(response, 200, letter)
        : json(response, 404, { error: `no dead letter ${letterId}` });
    }
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /':
      case 'GET /_local':
        return json(response, 200, {
          product: 'loyalty-flows (local runtime)',
          now: local.clock.now().toISOString(),
          endpoints: {
            eventBridgeAndSqs: local.endpoints.aws,
            dynamodb: local.endpoints.dynamo,
            sesMailbox: local.endpoints.ses,
            clock: `${local.endpoints.aws}/_local/clock`,
            drain: `${local.endpoints.aws}/_local/drain`,
            deadLetters: `${local.endpoints.aws}/_local/dead-letters`,
          },
        });
      case 'GET /_local/clock':
        return json(response, 200, {
          now: local.clock.now().toISOString(),
          followsRealTime: !local.clock.frozen,
        });
      case 'POST /_local/clock': {
        const advanceTo = parseAdvanceTo(body);
        if ('error' in advanceTo) return json(response, 400, { error: advanceTo.error });
        if (advanceTo.at.getTime() < local.clock.now().getTime()) {
          return json(response, 400, {
            error: `advanceTo ${advanceTo.at.toISOString()} is before the simulated now ${local.clock.now().toISOString()}`,
          });
        }
        return json(response, 200, await local.advanceTo(advanceTo.at));
      }
      case 'POST /_local/drain':
        await local.drain();
        return json(response, 200, { drained: true, now: local.clock.now().toISOString() });
      case 'GET /_local/dead-letters': {
        const page = deadLetterPage(local.deadLetters(), url.searchParams);
        return json(response, 'error' in page ? 400 : 200, page);
      }
      case 'POST /_local/dead-letters/redrive': {
        const redriven = local.redriveDeadLetters();
        await local.persisted();
        return json(response, 200, { redriven });
      }
      case 'POST /_local/ses/bounce':
      case 'POST /_local/ses/complaint': {
        // A hard bounce or complaint for an address, as SES would publish it (docs/delivery-and-compliance.md).
        const email = parseEmailBody(body);
        if (!email)
          return json(response, 400, { error: 'body must be JSON like {"email": "ada@example.com"}' });
        const kind = url.pathname.endsWith('bounce') ? 'bounce' : 'complaint';
        const published = await local.sesEvents.feedback(kind, email);
        await local.drain();
        return json(response, 200, { [kind]: email, ...published });
      }
      case 'POST /_local/ses/inject': {
        // Bounce/complaint rates for one journey's emails, published as the clock advances (docs/guardrails.md).
        const injection = parseInjection(body);
        if ('error' in injection) return json(response, 400, { error: injection.error });
        local.sesEvents.injectFeedback(injection.journeyId, injection);
        return json(response, 200, injection);
      }
      case 'POST /_local/ses/events': {
        // "Email Sent" / "Email Delivered" for every email SES local accepted since the last call.
        const published = await local.sesEvents.publishNewSends();
        await local.drain();
        return json(response, 200, { published });
      }
      case 'POST /_local/predictions/fit':
        // `loyalty predict fit`: the weekly analytics run (scan, thresholds, model fit) now.
        return json(response, 200, await local.runScheduled('segment-thresholds'));
      case 'GET /_local/report': {
        const page = await reportPage(
          local.doc,
          local.tableName,
          local.clock.now(),
          url.searchParams,
          () => loadProgram(process.env),
        );
        response.writeHead(page.status, { 'content-type': page.contentType }).end(page.body);
        return;
      }
    }
    if (request.method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/')))
      return serveConsoleAsset(url.pathname, response);
    const urlHandler = local.urlRoutes.get(url.pathname);
    if (urlHandler) return await serveFunctionUrl(urlHandler, request, url, body, response);
    json(response, 404, { error: `no route for ${route}` });
  } catch (error) {
    json(response, 500, { error: (error as Error).message });
  }
}

function parseEmailBody(body: string): string | undefined {
  try {
    const email = (JSON.parse(body || '{}') as { email?: unknown }).email;
    return typeof email === 'string' && email.includes('@') ? email : undefined;
  } catch {
    return undefined;
  }
}

function parseAdvanceTo(body: string): { at: Date } | { error: string } {
  let input: unknown;
  try {
    input = JSON.parse(body || '{}');
  } catch {
    return { error: 'body must be JSON like {"advanceTo": "2027-01-01T09:00:00Z"}' };
  }
  const value = (input as { advanceTo?: unknown }).advanceTo;
  const at = typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    return { error: `advanceTo: ${JSON.stringify(value)} must be an ISO 8601 date-time` };
  }
  return { at };
}

const TEXT_BODY = /^(?:$|text\/|application\/(?:json|x-www-form-urlencoded|xml|javascript))/i;

/** Serves a request as a Lambda Function URL (payload format 2.0) invocation. */
async function serveFunctionUrl(
  handler: (event: unknown) => Promise<unknown>,
  request: IncomingMessage,
  url: URL,
  body: string,
  response: ServerResponse,
): Promise<void> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.searchParams.toString(),
    queryStringParameters: Object.fromEntries(url.searchParams),
    headers,
    requestContext: { http: { method: request.method ?? 'GET', path: url.pathname, sourceIp: '127.0.0.1' } },
    // Function URLs pass text bodies as they are and base64-encode the rest (multipart included).
    ...(TEXT_BODY.test(headers['content-type'] ?? '')
      ? { body, isBase64Encoded: false }
      : { body: Buffer.from(body, 'utf8').toString('base64'), isBase64Encoded: true }),
  };
  const result = (await handler(event)) as
    { statusCode?: number; headers?: Record<string, string>; body?: string } | string | undefined;
  if (typeof result === 'string' || result === undefined) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(result ?? '');
    return;
  }
  response.writeHead(result.statusCode ?? 200, result.headers ?? {});
  response.end(result.body ?? '');
}

const injectionBody = z.strictObject({
  journeyId: z.string().min(1),
  hardBouncePercent: z.number().min(0).max(100).default(0),
  complaintPercent: z.number().min(0).max(100).default(0),
});

/** {"journeyId": "...", "hardBouncePercent": 10, "complaintPercent": 0.5}; errors name field and value. */
function parseInjection(body: string): z.output<typeof injectionBody> | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(body || '{}');
  } catch {
    return { error: `body is not JSON: ${body.slice(0, 100)}` };
  }
  const parsed = injectionBody.safeParse(value);
  if (parsed.success) return parsed.data;
  return {
    error: parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; '),
  };
}
