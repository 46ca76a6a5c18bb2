// `send: { hour: best }` end to end: the purchase path keeps each customer's purchase-hour
// histogram on the profile, the birthday trigger fires at the customer's learned local hour, and a
// customer without enough history gets the journey's default hour.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { zonedTimeToUtc } from '#shared/domain/local-time.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { profileOf } from '../support/table.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';

const JOURNEY = `id: best-birthday
name: Birthday at the customer's best hour
trigger: { on: birthday }
send: { hour: best, defaultTimeZone: America/New_York }
steps:
  - id: greet
    send: { template: best-birthday }
`;
const ZONE = 'America/New_York';
const at = (day: string, hour: number) =>
  zonedTimeToUtc({ year: 2026, month: Number(day.slice(0, 2)), day: Number(day.slice(3)), hour, minute: 0 }, ZONE);
const plus = (instant: Date, minutes: number) => new Date(instant.getTime() + minutes * 60_000);

let local: LocalRuntime;
const greetings = async (address: string) =>
  (await subjectsTo(local, address)).filter((subject) => subject.startsWith('Happy birthday at'));

beforeAll(async () => {
  local = await startLocal({ now: '2026-02-01T12:00:00Z', ports: 'random' });
  const dir = await mkdtemp(path.join(tmpdir(), 'best-hour-'));
  await writeFile(path.join(dir, 'best-birthday.yaml'), JOURNEY);
  await writeTemplate(dir, 'best-birthday', { subject: 'Happy birthday at your hour, {{ customer.firstName }}', text: 'Happy birthday!' });
  await publishJourneyFile(local, path.join(dir, 'best-birthday.yaml'));
  const customer = (customerId: string, firstName: string) =>
    customerEvent({ customerId, email: `${customerId}@example.com`, firstName, locale: 'en-US', timeZone: ZONE, birthday: '1990-03-10' });
  local.putEvents([customer('evening', 'Eve'), customer('newbie', 'Nia')]);
  await local.drain();
  // Eve always buys at about 20:00 New York time; Nia has never bought.
  for (const [i, day] of ['02-03', '02-10', '02-17', '02-24'].entries()) {
    await local.advanceTo(plus(at(day, 20), 20));
    local.putEvents([
      purchaseEvent({ customerId: 'evening', orderId: `eve-${i}`, amount: '40.00', purchasedAt: plus(at(day, 20), 10).toISOString() }),
    ]);
    await local.drain();
  }
}, 180_000);
afterAll(() => local?.stop());

describe('send-time optimisation', () => {
  it('keeps the purchase-hour histogram on the profile, in the customer zone', async () => {
    const profile = await profileOf(local.doc, local.tableName, 'evening');
    const hours = (profile?.purchases as { purchaseHours?: { timeZone: string; counts: number[] } }).purchaseHours;
    expect(hours?.timeZone).toBe(ZONE);
    expect(hours?.counts[20]).toBe(4);
  });

  it('greets a customer who always buys at 20:00 local at 20:00, one without history at the default 9:00', async () => {
    await local.advanceTo(plus(at('03-10', 9), -5));
    expect(await greetings('newbie@example.com')).toEqual([]);
    await local.advanceTo(plus(at('03-10', 9), 30));
    expect(await greetings('newbie@example.com')).toEqual(['Happy birthday at your hour, Nia']);
    expect(await greetings('evening@example.com')).toEqual([]);
    await local.advanceTo(plus(at('03-10', 20), -5));
    expect(await greetings('evening@example.com')).toEqual([]);
    await local.advanceTo(plus(at('03-10', 20), 30));
    expect(await greetings('evening@example.com')).toEqual(['Happy birthday at your hour, Eve']);
    // Once a year each.
    await local.advanceTo(at('03-12', 12));
    expect(await greetings('evening@example.com')).toHaveLength(1);
    expect(await greetings('newbie@example.com')).toHaveLength(1);
  }, 180_000);
});
