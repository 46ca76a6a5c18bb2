// Guardrail counting costs the same per SES event whatever the volume: one UpdateItem on the
// journey's hourly slot per send, bounce or complaint (the account's window is the journeys' slots
// added up when judged). A bounce is then judged: the catalogue's keys, one Query per journey
// partition, the account's state. Measured with the shipped journeys published (their real item
// sizes) and each sending 100 emails, at 1,000 and 10,000 prior birthday sends within the window.
import path from 'node:path';
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { documentClient } from '#functions/commons/runtime.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { SendGuardrails } from '#shared/flows/send-guardrails.ts';
import { publishShippedJourneys } from '#shared/journeys/shipped.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

const TABLE = 'bench-guardrails';
const HOUR_MS = 3_600_000;

export async function benchGuardrails(): Promise<BenchSection> {
  const meter = new DynamoMeter();
  const { engine, client } = await startDynamoWithTable(TABLE);
  meter.attach(client);
  const doc = documentClient(client);
  const published: unknown[] = [];
  const publisher: EventPublisher = { publish: async (events) => void published.push(...events) };
  const program = loadProgram({});
  const guardrails = new SendGuardrails(new GuardrailStore(doc, TABLE), publisher, program.guardrails);
  const start = Date.parse('2026-06-01T00:00:00Z');
  const now = new Date(start + 20 * HOUR_MS);
  // Sends spread over 20 hours of the window: every journey's ring holds that many hourly slots.
  const sendOver20Hours = async (journeyId: string, count: number) => {
    for (let sent = 0; sent < count; sent++) {
      await guardrails.count(journeyId, 'sends', new Date(start + Math.floor((sent * 20 * HOUR_MS) / count)));
    }
  };
  const rows: BenchSection['rows'] = [];
  try {
    const catalogue = new JourneyCatalogue(doc, TABLE, new ManualClock(new Date(start)));
    const { published: journeys } = await publishShippedJourneys(
      catalogue,
      path.resolve(import.meta.dirname, '../campaigns'),
      program,
      new Date(start),
    );
    const measured = 'birthday';
    for (const journeyId of journeys.filter((id) => id !== measured)) await sendOver20Hours(journeyId, 100);
    let prior = 0;
    for (const volume of [1_000, 10_000]) {
      await sendOver20Hours(measured, volume - prior);
      prior = volume;
      await guardrails.count(measured, 'sends', now); // this hour's slot is this hour's: steady state
      meter.reset();
      await guardrails.count(measured, 'sends', now);
      const perSend = { requests: meter.requests, wcu: meter.writeUnits };
      meter.reset();
      await guardrails.count(measured, 'hardBounces', now);
      await guardrails.check(measured, now);
      rows.push({
        'journeys published': journeys.length,
        'prior birthday sends in window': volume,
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
    title: "Guardrails: DynamoDB cost per SES event (the journey's slot; the account's window summed when judged)",
    rows,
    notes: [
      'Flat in volume: hourly slots on a 24-slot ring per journey. The judge reads the catalogue keys (units by whole item',
      "size, eventually consistent), one small partition per journey and the account's state: it grows with the journeys",
      'published, and runs only after a bounce or complaint. A journey\'s first event of a new hour costs one more request',
      '(the add\'s condition fails, the slot is reset).',
    ],
  };
}
