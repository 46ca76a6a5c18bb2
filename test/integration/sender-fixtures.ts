// Shared fixtures for the delivery tests: a local runtime with SES behind the fault proxy, a small
// "news" journey published into the catalogue (every send request comes from a journey send step
// and renders from the version it names), customers, send requests and the simulated SES events.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'yaml';
import type { Runtime } from '#functions/commons/runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { type LocalRuntime, type SesLocalEmail, startLocal } from '#infra/local/runtime.ts';
import { LOCAL_CONFIGURATION_SET, SesSimulator } from '#infra/local/ses-simulator.ts';
import type { FunctionName } from '#infra/wiring.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { journeyDays } from '#shared/domain/step-results.ts';
import { type SendRequest, SqsSendQueue } from '#shared/mail/send-request.ts';
import { SES_SOURCE, type SentMail, sesEvent } from '#shared/mail/ses-events.ts';
import { JourneyStepResults } from '#shared/store/journey-step-results.ts';
import { JourneyCatalogue, type JourneyTemplates } from '#shared/store/journeys.ts';
import { keys } from '#shared/store/keys.ts';
import { type ProxyFaults, type SesProxy, startSesProxy } from './sender-ses-proxy.ts';

/** The step every fixture request is the send of (as the journey engine names it). */
export const NEWS_STEP = 'send';

/** The news journey's templates: English and Chinese, the headline a variable the request carries. */
const NEWS_TEMPLATES: JourneyTemplates = {
  news: {
    'en-US': {
      subject: 'News for {{ customer.firstName | default: "you" }}',
      html: '<html><body><p>Hello {{ customer.firstName | default: "there" }}: {{ headline }}</p></body></html>',
      text: 'Hello {{ customer.firstName | default: "there" }}: {{ headline }}',
    },
    'zh-CN': {
      subject: '{{ customer.firstName }}的新闻',
      html: '<p>{{ headline }}</p>',
      text: '{{ headline }}',
    },
  },
};

// Switched off, so the engine never enters anyone: the tests enqueue its send step's requests
// themselves, and the sender renders them from this version as it would the engine's.
const newsJourneySource = (id: string) => `id: ${id}
name: News (${id})
enabled: false
trigger: { on: event, event: Customer Upserted }
templates: { locales: [en-US, zh-CN], sample: { headline: Spring sale } }
steps:
  - id: ${NEWS_STEP}
    send: { template: news }
`;

/**
 * Publishes the news journey as `id` (version 1 of the delivery runtime's empty catalogue) unless
 * it is published already: the sender renders a request only from a version in the catalogue.
 */
export async function publishNewsJourney(local: LocalRuntime, id: string): Promise<void> {
  const catalogue = new JourneyCatalogue(local.doc, local.tableName, local.clock);
  if (await catalogue.current(id)) return;
  const source = newsJourneySource(id);
  await catalogue.publish({
    journey: journeySchema.parse(parse(source)),
    templates: NEWS_TEMPLATES,
    source,
    by: 'delivery-fixture',
    expectedVersion: 0,
  });
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
  const local = await startLocal({
    now: options.now,
    ports: 'random',
    // Only the fixture's journeys: the shipped ones would send on their own and take ids it uses.
    shippedJourneys: false,
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

/** A request of the news journey's send step, as the journey engine prepares it (version 1). */
export function newsRequest(customerId: string, overrides: Partial<SendRequest> = {}): SendRequest {
  const request = {
    customerId,
    campaignId: 'news',
    step: NEWS_STEP,
    period: '2026-W01',
    template: 'news',
    variables: { headline: 'Spring sale' },
    requestedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
  // One entry per period, entered when requested: the journey story's key for this send.
  return { ...request, journey: overrides.journey ?? { version: 1, entryId: request.period, enteredAt: request.requestedAt } };
}

/** Enqueues the requests as the journey engine does, each journey they name published first. */
export async function enqueue(local: LocalRuntime, requests: SendRequest[]): Promise<void> {
  for (const id of new Set(requests.map((request) => request.campaignId))) await publishNewsJourney(local, id);
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

/** What the customer's journey story says became of a send (the sender's last outcome). */
export async function sendOutcome(local: LocalRuntime, request: SendRequest) {
  const { Item } = await local.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: keys.journeySendOutcome(request.customerId, request.campaignId, request.journey.entryId, request.step),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The step's counters for one day (sent, delivered, unsubscribed …), as the report reads them. */
export async function stepCounters(local: LocalRuntime, journeyId: string, day: string, stepId = NEWS_STEP) {
  const { Item } = await local.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: keys.journeyStepResults(journeyId, day, stepId, undefined),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The journey's counters per send day, its steps and variants added up: what the report and the console read. */
export async function journeyDaysOf(local: LocalRuntime, journeyId: string) {
  return journeyDays(await new JourneyStepResults(local.doc, local.tableName).days(journeyId, '2000-01-01', '2099-12-31'));
}
