// The sender's sustained send rate against an SES quota, through the local runtime: SES local sits
// behind a proxy that enforces the quota the way SES does (excess -> 429), the sender is told the
// same MAX_SEND_RATE, and we measure accepted emails per second and throttling responses. Target:
// at least 95% of the quota with zero throttling. Plus the CPU cost of rendering one email.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { parse } from 'yaml';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { startLocal } from '#infra/local/runtime.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { TemplateRenderer } from '#shared/mail/render.ts';
import { type SendRequest, SqsSendQueue } from '#shared/mail/send-request.ts';
import { JourneyCatalogue, type JourneyTemplates } from '#shared/store/journeys.ts';
import { startSesProxy } from '../test/integration/sender-ses-proxy.ts';
import type { BenchSection } from './report.ts';

const OFFER_TEMPLATES: JourneyTemplates = {
  offer: {
    'en-US': {
      subject: '{{ customer.firstName | default: "Hi" }}, {{ offer | money }} off until {{ expiresAt | date }}',
      html: '<html><body><h1>Hello {{ customer.firstName }}</h1>{% for item in items %}<p>{{ item.name }}: {{ item.priceMilli | money }}</p>{% endfor %}<p>Use {{ coupon }} by {{ expiresAt | date }}.</p></body></html>',
      text: 'Hello {{ customer.firstName }}\n{% for item in items %}{{ item.name }}: {{ item.priceMilli | money }}\n{% endfor %}Use {{ coupon }} by {{ expiresAt | date }}.',
    },
  },
};

// Switched off: the bench enqueues the send step's requests itself, as the engine would.
const BENCH_JOURNEY = `id: bench
name: Sender bench
enabled: false
trigger: { on: event, event: Customer Upserted }
steps:
  - id: offer
    send: { template: offer }
`;

const variables = {
  offer: 10_000,
  coupon: 'BDAY-7Q2X',
  expiresAt: '2026-02-01T00:00:00Z',
  items: [
    { name: 'Tea <green>', priceMilli: 12_500 },
    { name: 'Cup', priceMilli: 8_000 },
    { name: 'Pot', priceMilli: 45_000 },
  ],
};

/** One run: `quotaPerSecond` emails/s allowed by the SES stand-in and told to the sender. */
async function measureRate(quotaPerSecond: number, seconds: number, enforceQuota: boolean) {
  const upstream = { ses: '' };
  const proxy = await startSesProxy(() => upstream.ses, enforceQuota ? { quotaPerSecond } : {});
  const local = await startLocal({
    now: '2026-01-05T10:00:00Z',
    env: { MAX_SEND_RATE: String(quotaPerSecond) },
    shippedJourneys: false,
    wrapRuntime: (name, runtime) =>
      name === 'sender'
        ? {
            ...runtime,
            ses: new SESv2Client({
              region: LOCAL_REGION,
              credentials: LOCAL_CREDENTIALS,
              endpoint: proxy.endpoint,
            }),
          }
        : runtime,
  });
  upstream.ses = local.endpoints.ses;
  try {
    // Every send renders from its journey's published version.
    await new JourneyCatalogue(local.doc, local.tableName, local.clock).publish({
      journey: journeySchema.parse(parse(BENCH_JOURNEY)),
      templates: OFFER_TEMPLATES,
      source: BENCH_JOURNEY,
      by: 'bench',
    });
    const count = Math.round(quotaPerSecond * seconds);
    const ids = Array.from({ length: count }, (_, i) => `bench-${i}`);
    for (let i = 0; i < ids.length; i += 100) {
      local.putEvents(
        ids.slice(i, i + 100).map((customerId) => ({
          source: 'shop.customers',
          detailType: 'Customer Upserted',
          detail: {
            customerId,
            email: `${customerId}@example.com`,
            firstName: 'Ada',
            marketingConsent: true,
          },
        })),
      );
    }
    await local.drain();

    const requests: SendRequest[] = ids.map((customerId) => ({
      customerId,
      campaignId: 'bench',
      step: 'offer',
      period: '1',
      template: 'offer',
      variables,
      requestedAt: '2026-01-05T10:00:00Z',
      journey: { version: 1, entryId: '1', enteredAt: '2026-01-05T10:00:00Z' },
    }));
    const started = performance.now();
    await new SqsSendQueue(local.runtimeFor('sender').sqs, local.queueUrl('send-requests')).enqueue(requests);
    await local.drain();
    const wall = (performance.now() - started) / 1000;
    const accepted = proxy.acceptedAt;
    // Steady state: from the end of the first second's worth of emails (cold start, JIT) to the last.
    const warm = Math.min(
      enforceQuota ? Math.ceil(quotaPerSecond) : Math.floor(accepted.length / 10),
      accepted.length - 2,
    );
    const span = ((accepted.at(-1) ?? 0) - (accepted[warm] ?? 0)) / 1000;
    const sustained = span > 0 ? (accepted.length - 1 - warm) / span : 0;

    return {
      'quota/s': enforceQuota ? quotaPerSecond : `${quotaPerSecond} (uncapped SES)`,
      emails: accepted.length,
      'sustained/s': Math.round(sustained * 100) / 100,
      '% of quota': enforceQuota ? Math.round((sustained / quotaPerSecond) * 1000) / 10 : '-',
      'throttled (429)': proxy.stats.throttled,
      'wall s': Math.round(wall * 100) / 100,
    };
  } finally {
    await local.stop();
    await proxy.close();
  }
}

async function renderCost(): Promise<number> {
  const renderer = new TemplateRenderer(OFFER_TEMPLATES, loadProgram({}));
  const input = {
    template: 'offer',
    customer: { customerId: 'c', email: 'c@example.com', firstName: 'Ada <b>', locale: 'en-US' },
    unsubscribeUrl: 'https://u.example/unsubscribe?c=c&t=x',
    variables,
    timeZone: 'America/New_York',
    currency: 'USD',
  };
  await renderer.render(input); // parse + cache, as a warm Lambda has
  const renders = 2000;
  const started = performance.now();
  for (let i = 0; i < renders; i++) await renderer.render(input);
  return (performance.now() - started) / renders;
}

/**
 * Quotas 14/s (a new SES account's default) and 25/s, then an uncapped run showing what the whole
 * local pipeline (dynalite, SES local, bus, all in one process) can do on this machine.
 */
export async function benchSender({ quotas = [14, 25], seconds = 8 } = {}): Promise<BenchSection> {
  const rows: BenchSection['rows'] = [];
  for (const quota of quotas) rows.push(await measureRate(quota, seconds, true));
  rows.push(await measureRate(1000, 0.4, false));
  const renderMs = await renderCost();
  return {
    title: 'Sender: sustained rate against the SES quota (SES local behind a quota-enforcing proxy)',
    rows,
    notes: [
      "sustained = emails per second between the end of the first second's worth (warm-up) and the last acceptance;",
      'target >= 95% of quota with 0 throttled (429).',
      'All concurrent senders share the quota through a DynamoDB token bucket (200 ms slices); MAX_SEND_RATE = quota.',
      'The uncapped row is the local pipeline ceiling on this machine, not a property of Lambda.',
      `Render (subject + html + text, warm templates): ${renderMs.toFixed(3)} ms per email.`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatSection } = await import('./report.ts');
  console.log(formatSection(await benchSender()));
}
