// Shared fixtures for the delivery tests: a local runtime with fixture templates and SES behind
// the fault proxy, customers, send requests and the simulated SES event stream.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Runtime } from '#functions/commons/runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { type LocalRuntime, type SesLocalEmail, startLocal } from '#infra/local/runtime.ts';
import { LOCAL_CONFIGURATION_SET, SesSimulator } from '#infra/local/ses-simulator.ts';
import type { FunctionName } from '#infra/wiring.ts';
import { type SendRequest, SqsSendQueue } from '#shared/mail/send-request.ts';
import { SES_SOURCE, type SentMail, sesEvent } from '#shared/mail/ses-events.ts';
import { keys } from '#shared/store/keys.ts';
import { type ProxyFaults, type SesProxy, startSesProxy } from './sender-ses-proxy.ts';

export function fixtureCampaignsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'campaigns-'));
  const files: Record<string, string> = {
    'templates/news/en-US/subject.liquid': 'News for {{ customer.firstName | default: "you" }}',
    'templates/news/en-US/html.liquid':
      '<html><body><p>Hello {{ customer.firstName | default: "there" }}: {{ headline }}</p></body></html>',
    'templates/news/en-US/text.liquid': 'Hello {{ customer.firstName | default: "there" }}: {{ headline }}',
    'templates/news/zh-CN/subject.liquid': '{{ customer.firstName }}的新闻',
    'templates/news/zh-CN/html.liquid': '<p>{{ headline }}</p>',
    'templates/news/zh-CN/text.liquid': '{{ headline }}',
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export interface DeliveryLocal {
  local: LocalRuntime;
  proxy: SesProxy;
  stop(): Promise<void>;
}

export interface DeliveryOptions {
  now: string;
  env?: Record<string, string>;
  faults?: ProxyFaults;
  /** Dice for the proxy's faults (seed it to make a run replayable). */
  random?: () => number;
  /** Wraps the sender's runtime further (e.g. a crash after SES accepted). */
  wrapSender?: (runtime: Runtime) => Runtime;
  wrap?: (name: FunctionName, runtime: Runtime) => Runtime;
}

export async function startDelivery(options: DeliveryOptions): Promise<DeliveryLocal> {
  // The proxy starts first (the sender's SES client points at it); its upstream is SES local.
  const upstream: { ses: string } = { ses: '' };
  const proxy = await startSesProxy(() => upstream.ses, options.faults ?? {}, options.random);
  const campaignsDir = fixtureCampaignsDir();
  const local = await startLocal({
    now: options.now,
    ports: 'random',
    env: {
      UNSUBSCRIBE_MAILTO: 'unsubscribe@loyalty.example',
      SES_CONFIGURATION_SET: 'loyalty-flows',
      MAX_SEND_RATE: '1000',
      ...options.env,
    },
    wrapRuntime: (name, runtime) => {
      let wrapped = options.wrap ? options.wrap(name, runtime) : runtime;
      if (name === 'sender') {
        wrapped = {
          ...wrapped,
          // Fixture templates for the sender only; the other functions keep the shipped campaigns.
          env: { ...wrapped.env, CAMPAIGNS_DIR: campaignsDir },
          ses: new SESv2Client({
            region: LOCAL_REGION,
            credentials: LOCAL_CREDENTIALS,
            endpoint: proxy.endpoint,
          }),
        };
        if (options.wrapSender) wrapped = options.wrapSender(wrapped);
      }
      return wrapped;
    },
  });
  upstream.ses = local.endpoints.ses;
  // SES local keeps its mailbox in module state shared by every instance in this process.
  await fetch(`${local.endpoints.ses}/clear-store`, { method: 'POST' });
  return {
    local,
    proxy,
    stop: async () => {
      await local.stop();
      await proxy.close();
    },
  };
}

export interface CustomerInput {
  customerId: string;
  email: string;
  firstName?: string;
  locale?: string;
  timeZone?: string;
  marketingConsent?: boolean;
}

export async function upsertCustomers(
  local: LocalRuntime,
  customers: CustomerInput[],
  time?: Date,
): Promise<void> {
  await local.putEvents(
    customers.map((customer) => ({
      source: 'shop.customers',
      detailType: 'Customer Upserted',
      detail: { marketingConsent: true, ...customer },
      ...(time ? { time } : {}),
    })),
  );
  await local.drain();
}

export function newsRequest(customerId: string, overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    customerId,
    campaignId: 'news',
    period: '2026-W01',
    template: 'news',
    variables: { headline: 'Spring sale' },
    requestedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export async function enqueue(local: LocalRuntime, requests: SendRequest[]): Promise<void> {
  const runtime = local.runtimeFor('sender');
  await new SqsSendQueue(runtime.sqs, local.queueUrl('send-requests')).enqueue(requests);
}

export async function emailsTo(local: LocalRuntime, address: string): Promise<SesLocalEmail[]> {
  return (await local.emails()).filter((email) => email.destination.to.includes(address));
}

export function header(email: SesLocalEmail, name: string): string | undefined {
  const headers = (email.headers as { name: string; value: string }[] | undefined) ?? [];
  return headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** What SES would publish for accepted emails: "Email Sent" and "Email Delivered" each, once. */
export async function publishSesSendEvents(local: LocalRuntime): Promise<void> {
  let simulator = simulators.get(local);
  if (!simulator) {
    simulator = new SesSimulator(local);
    simulators.set(local, simulator);
  }
  await simulator.publishNewSends();
  await local.drain();
}

const simulators = new WeakMap<LocalRuntime, SesSimulator>();

export async function publishSesFeedback(
  local: LocalRuntime,
  kind: 'bounce' | 'complaint' | 'delivery' | 'open' | 'click',
  mail: SentMail,
  at: Date = local.clock.now(),
): Promise<void> {
  // As SES publishes it for a send that named the local configuration set.
  const event = sesEvent(kind, { configurationSet: LOCAL_CONFIGURATION_SET, ...mail }, at);
  expectSource(event.source);
  await local.putEvents([{ ...event, busName: 'default', time: at }]);
  await local.drain();
}

function expectSource(source: string): void {
  if (source !== SES_SOURCE) throw new Error(`unexpected source ${source}`);
}

export async function ledgerEntry(
  local: LocalRuntime,
  customerId: string,
  campaignId: string,
  period: string,
) {
  const { Item } = await local.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: keys.sendLedger(customerId, campaignId, period),
      ConsistentRead: true,
    }),
  );
  return Item;
}

export async function profileItem(local: LocalRuntime, customerId: string) {
  const { Item } = await local.doc.send(
    new GetCommand({ TableName: local.tableName, Key: keys.profile(customerId), ConsistentRead: true }),
  );
  return Item;
}
