// What `Tier Changed` says about when a tier was reached and until when it is held is what the
// profile stores and what the review timer is set to, even when late or concurrent orders move
// those dates after the change was first announced: the change is announced again, same changeId,
// a higher revision, carrying the stored dates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { type TierChanged, tierChangedDetail } from '#shared/events/emitted.ts';
import { aroundPutEvents } from '../support/faults.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { customerItems, profileOf } from '../support/table.ts';
import { textsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;
/** Every Tier Changed the loyalty functions got onto the bus, in the order the bus accepted them. */
const published: TierChanged[] = [];

beforeAll(async () => {
  local = await startLocal({
    now: '2027-06-01T00:00:00Z',
    wrapRuntime: (name, runtime) =>
      name !== 'ingest-orders' && name !== 'scheduler'
        ? runtime
        : aroundPutEvents(runtime, async (command, put) => {
            const result = await put();
            for (const entry of command.input.Entries ?? []) {
              if (entry.DetailType === 'Tier Changed')
                published.push(tierChangedDetail.parse(JSON.parse(entry.Detail ?? '')));
            }
            return result;
          }),
  });
}, 60_000);
afterAll(() => local?.stop());

/** Per change, the announcement a consumer keeps: the highest revision. */
function latestAnnouncements(customerId: string): Map<string, TierChanged> {
  const latest = new Map<string, TierChanged>();
  for (const change of published.filter((event) => event.customerId === customerId)) {
    const kept = latest.get(change.changeId);
    if (!kept || (change.revision ?? 0) >= (kept.revision ?? 0)) latest.set(change.changeId, change);
  }
  return latest;
}

async function storedState(customerId: string) {
  const items = await customerItems(local.doc, local.tableName, customerId);
  const profile = await profileOf(local.doc, local.tableName, customerId);
  const loyalty = profile?.loyalty as {
    tier: string;
    tierSince: string | null;
    tierHeldUntil: string | null;
    changeSeq: number;
  };
  const review = items.find((item) => item.SK === 'TIMER#tier-review');
  return { loyalty, reviewAt: review?.dueAt as string | undefined };
}

const order = (customerId: string, orderId: string, amount: string, purchasedAt: string) =>
  purchaseEvent({ customerId, orderId, amount, purchasedAt });

describe('Tier Changed says what is stored', () => {
  it('after a late-arriving older order: the event, tierHeldUntil and the review timer give one until date', async () => {
    local.putEvents([
      customerEvent({ customerId: 'late-1', email: 'late-1@example.com', timeZone: 'Asia/Shanghai' }),
    ]);
    local.putEvents([
      order('late-1', 'late-1-a', '300.00', '2027-01-01T10:00:00Z'),
      order('late-1', 'late-1-b', '300.00', '2027-03-01T10:00:00Z'),
    ]);
    await local.drain();
    const first = [...latestAnnouncements('late-1').values()];
    expect(first).toMatchObject([
      { to: 'Silver', tierSince: '2027-03-01T10:00:00.000Z', tierHeldUntil: '2028-03-01T10:00:00.000Z' },
    ]);

    // An order from December arrives late: Silver was reached on January 1, and is held until then.
    local.putEvents([order('late-1', 'late-1-c', '250.00', '2026-12-01T10:00:00Z')]);
    await local.drain();
    const { loyalty, reviewAt } = await storedState('late-1');
    expect(loyalty).toMatchObject({
      tier: 'Silver',
      tierSince: '2027-01-01T10:00:00.000Z',
      tierHeldUntil: '2028-01-01T10:00:00.000Z',
    });
    expect(reviewAt).toBe(loyalty.tierHeldUntil);
    const announced = [...latestAnnouncements('late-1').values()];
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({
      changeId: first[0]?.changeId,
      to: 'Silver',
      direction: 'up',
      revision: 1,
      tierSince: loyalty.tierSince,
      tierHeldUntil: loyalty.tierHeldUntil,
    });
  });

  it('after a burst of 200 concurrent purchases for one customer in shuffled time order, the latest announcement of each change carries the stored dates', async () => {
    local.putEvents([
      customerEvent({ customerId: 'burst-1', email: 'burst-1@example.com', timeZone: 'Asia/Shanghai' }),
    ]);
    await local.drain();
    // Deterministic shuffle: order i is dated i hours into 2027, delivered in a scrambled order.
    const orders = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200).map((i) =>
      order(
        'burst-1',
        `burst-1-${i}`,
        `${20 + (i % 9) * 5}.00`,
        new Date(Date.parse('2027-01-01T00:00:00Z') + i * 3_600_000).toISOString(),
      ),
    );
    for (let i = 0; i < orders.length; i += 10) local.putEvents(orders.slice(i, i + 10));
    await local.drain();

    const { loyalty, reviewAt } = await storedState('burst-1');
    expect(loyalty.tier).not.toBe('Bronze');
    expect(reviewAt).toBe(loyalty.tierHeldUntil);
    const latest = latestAnnouncements('burst-1');
    const current = latest.get(`burst-1#${loyalty.changeSeq}`);
    expect(current).toMatchObject({
      to: loyalty.tier,
      tierSince: loyalty.tierSince,
      tierHeldUntil: loyalty.tierHeldUntil,
    });
  });

  it('the tier-upgrade email, sent after the late order, promises the stored hold', async () => {
    // 01:00 in London: inside the sender's quiet hours (21:00-08:00 local), so the email waits.
    local.putEvents([
      customerEvent({
        customerId: 'late-mail',
        email: 'late-mail@example.com',
        firstName: 'Lin',
        locale: 'en-US',
        timeZone: 'Europe/London',
      }),
    ]);
    local.putEvents([
      order('late-mail', 'late-mail-a', '300.00', '2027-01-01T10:00:00Z'),
      order('late-mail', 'late-mail-b', '300.00', '2027-05-31T23:00:00Z'),
    ]);
    await local.drain();
    // Before the email goes out, a December order arrives: Silver since January 1, held until 2028-01-01.
    local.putEvents([order('late-mail', 'late-mail-c', '250.00', '2026-12-20T10:00:00Z')]);
    await local.drain();
    await local.advanceTo('2027-06-01T08:00:00Z');

    const { loyalty, reviewAt } = await storedState('late-mail');
    expect(loyalty.tierHeldUntil).toBe('2028-01-01T10:00:00.000Z');
    expect(reviewAt).toBe(loyalty.tierHeldUntil);
    const [announced] = [...latestAnnouncements('late-mail').values()];
    expect(announced?.tierHeldUntil).toBe(loyalty.tierHeldUntil);
    // One tier-upgrade email (the revision is the same change), promising what is stored.
    const upgrades = (await customerItems(local.doc, local.tableName, 'late-mail'))
      .filter((item) => String(item.SK).startsWith('SEND#tier-upgrade#'))
      .map((item) => item.status);
    expect(upgrades).toEqual(['sent']);
    const promises = (await textsTo(local, 'late-mail@example.com')).flatMap(
      (text) => /yours until at least ([^.]+)\./.exec(text)?.[1] ?? [],
    );
    expect(promises).toEqual(['January 1, 2028']);
  });
});
