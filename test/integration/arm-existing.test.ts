// A date-trigger journey published onto customers who are already stored: `campaigns publish`
// arms it for each of them (one Scan of the profiles, from the CLI), so a birthday journey
// published today greets the existing base on their birthdays, not only customers who change
// later — and disabling, re-enabling or re-publishing never arms anyone twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
const ids = ['old-1', 'old-2', 'old-3'];

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
  Promise.all(ids.map(async (id) => (await subjectsTo(local, `${id}@example.com`)).length));

describe('publishing a date-trigger journey onto stored customers', () => {
  it('arms it for every stored customer, who are then greeted on their birthday', async () => {
    const published = await loyalty(local, ['--json', 'campaigns', 'publish', 'campaigns/birthday.yaml']);
    expect(published.stderr).toBe('');
    expect(published.json()).toEqual([
      expect.objectContaining({ id: 'birthday', kind: 'published', version: 1, armed: { customers: 3 } }),
    ]);
    await local.advanceTo('2027-03-14T09:05:00Z');
    expect(await greeted()).toEqual([1, 1, 1]);
  });

  it('arms again when re-enabled, without greeting anyone twice', async () => {
    expect((await loyalty(local, ['campaigns', 'disable', 'birthday'])).code).toBe(0);
    const enabled = await loyalty(local, ['campaigns', 'enable', 'birthday']);
    expect(enabled.stdout).toContain('date trigger armed for 3 stored customer(s)');
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
    expect(await greeted()).toEqual([1, 1, 1]);
    // Each birthday is a fresh holdout draw: 2028's holds old-3 out (recorded, not greeted).
    expect(heldOutOfShipped('birthday', 'birthday#2027', ids)).toEqual([]);
    expect(heldOutOfShipped('birthday', 'birthday#2028', ids)).toEqual(['old-3']);
    await local.advanceTo('2028-03-14T09:05:00Z');
    expect(await greeted()).toEqual([2, 2, 1]);
  }, 120_000);
});
