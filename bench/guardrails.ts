// Guardrail counting costs the same per SES event whatever the journey's volume: one UpdateItem
// per scope (journey, account) for a send; a bounce adds one Query per scope to judge the window.
// Measured at 1,000 and 10,000 prior sends of one journey within the window.
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { documentClient } from '#functions/commons/runtime.ts';
import { guardrailSettingsSchema } from '#shared/domain/send-guardrails.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { SendGuardrails } from '#shared/flows/send-guardrails.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

const TABLE = 'bench-guardrails';

export async function benchGuardrails(): Promise<BenchSection> {
  const meter = new DynamoMeter();
  const { engine, client } = await startDynamoWithTable(TABLE);
  meter.attach(client);
  const published: unknown[] = [];
  const publisher: EventPublisher = { publish: async (events) => void published.push(...events) };
  const guardrails = new SendGuardrails(new GuardrailStore(documentClient(client), TABLE), publisher, guardrailSettingsSchema.parse(undefined));
  const rows: BenchSection['rows'] = [];
  const start = Date.parse('2026-06-01T00:00:00Z');
  let sent = 0;
  try {
    for (const [index, volume] of [1_000, 10_000].entries()) {
      const journey = `journey-${index}`;
      // Spread over 20 hours of the window: every hourly slot of the ring is in use.
      for (; sent < volume; sent++) {
        await guardrails.count(journey, 'sends', new Date(start + Math.floor((sent * 20 * 3_600_000) / volume)));
      }
      sent = 0;
      const now = new Date(start + 20 * 3_600_000);
      meter.reset();
      await guardrails.count(journey, 'sends', now);
      const perSend = { requests: meter.requests, wcu: meter.writeUnits };
      meter.reset();
      await guardrails.count(journey, 'hardBounces', now);
      await guardrails.check(journey, now);
      rows.push({
        'prior sends in window': volume,
        'requests per send event': perSend.requests,
        'WCU per send event': perSend.wcu,
        'requests per bounce event (count + judge)': meter.requests,
        'RCU per bounce event': meter.readUnits,
        'WCU per bounce event': meter.writeUnits,
      });
    }
  } finally {
    await engine.close();
  }
  return {
    title: 'Guardrails: DynamoDB cost per SES event (journey + account scopes)',
    rows,
    notes: [
      'Flat in volume: hourly slots on a 24-slot ring per scope; the judge reads one small partition per scope.',
      "A scope's first event of a new hour costs one more request (the add's condition fails, the slot is reset).",
    ],
  };
}
