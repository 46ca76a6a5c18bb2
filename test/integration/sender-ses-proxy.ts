// A fault-injecting HTTP proxy in front of SES local: answers a share of SendEmail calls with 429
// (TooManyRequestsException) or 500 without forwarding them, can enforce a send-rate quota the
// way SES does, and records every request body (tags, configuration set, headers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyFaults {
  /** Share (0..1) of send calls answered 429 Throttling. */
  throttleRate?: number;
  /** Share (0..1) of send calls answered 500. */
  serverErrorRate?: number;
  /** Answer every send call 500 (an SES outage). */
  outage?: boolean;
  /** Answer send calls to these addresses 400 MessageRejected. */
  rejectAddresses?: string[];
  /** Emails per second SES would accept (token bucket of one second's capacity); excess -> 429. */
  quotaPerSecond?: number;
}

export interface SesProxy {
  endpoint: string;
  faults: ProxyFaults;
  stats: { sends: number; accepted: number; throttled: number; serverErrors: number };
  bodies: Record<string, unknown>[];
  /** performance.now() of every accepted send, for rate measurements. */
  acceptedAt: number[];
  close(): Promise<void>;
}

const SEND_PATH = '/v2/email/outbound-emails';

export async function startSesProxy(
  target: string | (() => string),
  faults: ProxyFaults = {},
  random: () => number = Math.random,
): Promise<SesProxy> {
  const proxy: SesProxy = {
    endpoint: '',
    faults,
    stats: { sends: 0, accepted: 0, throttled: 0, serverErrors: 0 },
    bodies: [],
    acceptedAt: [],
    close: async () => undefined,
  };
  let tokens = faults.quotaPerSecond ?? 0;
  let refilledAt = performance.now();
  const takeQuota = (): boolean => {
    const quota = proxy.faults.quotaPerSecond;
    if (!quota) return true;
    const now = performance.now();
    tokens = Math.min(quota, tokens + ((now - refilledAt) / 1000) * quota);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const isSend = request.method === 'POST' && request.url === SEND_PATH;
    if (isSend) {
      proxy.stats.sends++;
      const { throttleRate = 0, serverErrorRate = 0, outage = false } = proxy.faults;
      const roll = random();
      if (!takeQuota() || roll < throttleRate) {
        proxy.stats.throttled++;
        response.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        response.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      const to = (JSON.parse(body.toString('utf8')) as { Destination?: { ToAddresses?: string[] } })
        .Destination?.ToAddresses?.[0];
      if (to && proxy.faults.rejectAddresses?.includes(to)) {
        response.writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'MessageRejected',
        });
        response.end(JSON.stringify({ message: 'Email address is not verified (injected).' }));
        return;
      }
      if (outage || roll < throttleRate + serverErrorRate) {
        proxy.stats.serverErrors++;
        response.writeHead(500, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'InternalFailure',
        });
        response.end(JSON.stringify({ message: 'Internal failure (injected).' }));
        return;
      }
      proxy.bodies.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    }
    const upstream = await fetch(`${typeof target === 'string' ? target : target()}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['host', 'content-length', 'connection'].includes(name),
        ) as [string, string][],
      ),
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
    });
    if (isSend && upstream.ok) {
      proxy.stats.accepted++;
      proxy.acceptedAt.push(performance.now());
    }
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
