// A date-trigger journey published onto customers who are already stored: `campaigns publish`
// arms it for each of them (one Scan of the profiles, from the CLI), so a birthday journey
// published today greets the existing base on their birthdays, not only customers who change
// later — and disabling, re-enabling or re-publishing never arms anyone twice. The CLI then asks
// the journey-arming function for its delayed pass, which arms a customer stored while a journeys
// function's catalogue cache still held the version before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { pastArmingStart } from '../support/console.ts';
import { customerEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
const ids = ['old-1', 'old-2', 'old-3'];
/** Stored 10 s after the publish, by a journeys function whose catalogue cache still held no journey. */
const late = 'late-1';

beforeAll(async () => {
  // No journey yet: the customers arrive first, as in an upgrade or an import before publishing.
  local = await startLocal({ now: '2027-03-01T00:00:00Z', ports: 'random', shippedJourneys: false });
  local.putEvents(
    ids.map((customerId) =>
      customerEvent({
        customerId,
        email: `${customerId}@example.com`,
        firstName: 'Ada',
        locale: 'en-US',
        timeZone: 'UTC',
        birthday: '1990-03-14',
      }),
    ),
  );
  await local.drain();
}, 60_000);
afterAll(() => local?.stop());

const greeted = async () =>
  Promise.all([...ids, late].map(async (id) => (await subjectsTo(local, `${id}@example.com`)).length));
/** The late customer's birthday emails over these entries: one each, unless its holdout draw holds them out. */
const lateGreetings = (entries: string[]) =>
  entries.filter((entry) => heldOutOfShipped('birthday', entry, [late]).length === 0).length;
const birthdayArmed = async (id: string) => {
  const timer = await new TimerStore(local.doc, local.tableName).get(id, { kind: 'journey-triggers' });
  return timer?.data.kind === 'journey-triggers' && timer.data.journeys.birthday !== undefined;
};

describe('publishing a date-trigger journey onto stored customers', () => {
  it('arms it for every stored customer, and for one stored just after by a stale catalogue; all are greeted on their birthday', async () => {
    const published = await loyalty(local, ['--json', 'campaigns', 'publish', 'campaigns/birthday.yaml']);
    expect(published.stderr).toBe('');
    expect(published.json()).toEqual([
      expect.objectContaining({
        id: 'birthday',
        kind: 'published',
        version: 1,
        armed: { customers: 3, secondPassAfterSeconds: 35 },
      }),
    ]);
    // Inside the catalogue cache's 30 s a customer is stored: the journeys function reacting to the
    // profile still holds the catalogue it read before the publish, and the CLI's Scan is over.
    await local.advanceTo('2027-03-01T00:00:10Z');
    local.putEvents([
      customerEvent({ customerId: late, email: `${late}@example.com`, firstName: 'Lea', locale: 'en-US', timeZone: 'UTC', birthday: '1991-03-14' }),
    ]);
    await local.drain();
    expect(await birthdayArmed(late)).toBe(false);
    // The journey-arming function's pass, 35 s after the publish, arms them.
    await pastArmingStart(local);
    expect(await birthdayArmed(late)).toBe(true);
    await local.advanceTo('2027-03-14T09:05:00Z');
    expect(await greeted()).toEqual([1, 1, 1, lateGreetings(['birthday#2027'])]);
  });

  it('arms again when re-enabled, without greeting anyone twice', async () => {
    expect((await loyalty(local, ['campaigns', 'disable', 'birthday'])).code).toBe(0);
    const enabled = await loyalty(local, ['campaigns', 'enable', 'birthday']);
    expect(enabled.stdout).toContain('date trigger armed for 4 stored customer(s)');
    // An unchanged trigger re-published arms nothing: the run is the same journey.
    const again = await loyalty(local, [
      '--json',
      'campaigns',
      'publish',
      'campaigns/birthday.yaml',
      '--note',
      'again',
    ]);
    expect(again.json<{ armed?: unknown }[]>()[0]?.armed).toBeUndefined();
    await local.advanceTo('2027-03-20T00:00:00Z');
    expect(await greeted()).toEqual([1, 1, 1, lateGreetings(['birthday#2027'])]);
    // Each birthday is a fresh holdout draw: 2028's holds old-3 out (recorded, not greeted).
    expect(heldOutOfShipped('birthday', 'birthday#2027', ids)).toEqual([]);
    expect(heldOutOfShipped('birthday', 'birthday#2028', ids)).toEqual(['old-3']);
    await local.advanceTo('2028-03-14T09:05:00Z');
    expect(await greeted()).toEqual([2, 2, 1, lateGreetings(['birthday#2027', 'birthday#2028'])]);
  }, 120_000);
});
