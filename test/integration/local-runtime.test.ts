// The local runtime's own AWS stand-ins answer like AWS does where a client depends on it:
// PutEvents per entry, and the dead-letter listing paged with bodies cut to a preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { LOCAL_CONFIGURATION_SET } from '#infra/local/ses-simulator.ts';
import { sesEvent } from '#shared/mail/ses-events.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { purchaseEvent } from '../support/fixtures.ts';
import { customerItems } from '../support/table.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2026-11-01T00:00:00Z', ports: 'random' });
}, 60_000);
afterAll(() => local?.stop());

const putEvents = (entries: unknown[]) =>
  fetch(`${local.endpoints.aws}/`, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ Entries: entries }),
  });

const sdkEntry = (orderId: string, overrides: Record<string, unknown> = {}) => ({
  EventBusName: local.busName,
  Source: 'shop.orders',
  DetailType: 'Purchase Completed',
  Detail: JSON.stringify(
    purchaseEvent({ customerId: 'put-1', orderId, purchasedAt: '2026-10-01T10:00:00Z' }).detail,
  ),
  ...overrides,
});

describe('PutEvents', () => {
  it('answers an invalid entry on its own (FailedEntryCount), so retrying it duplicates nothing', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => sdkEntry(`put-1-${i}`));
    entries[4] = sdkEntry('put-1-4', { Time: 'next tuesday' });
    entries[7] = sdkEntry('put-1-7', { Detail: '[1, 2]' });
    const response = await putEvents(entries);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { FailedEntryCount: number; Entries: Record<string, string>[] };
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries[4]).toMatchObject({ ErrorCode: 'InvalidArgument' });
    expect(result.Entries[7]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(result.Entries.filter((entry) => entry.EventId)).toHaveLength(8);

    // The client retries exactly the failed entries, corrected.
    const retry = await putEvents([sdkEntry('put-1-4'), sdkEntry('put-1-7')]);
    expect(((await retry.json()) as { FailedEntryCount: number }).FailedEntryCount).toBe(0);
    await local.drain();
    const orders = (await customerItems(local.doc, local.tableName, 'put-1')).filter((item) =>
      String(item.SK).startsWith('PURCHASE#'),
    );
    expect(orders).toHaveLength(10);
  });
});

describe('dead letters', () => {
  it('lists them a page at a time with bodies cut to a preview, the whole body one request away', async () => {
    const huge = 'x'.repeat(200_000);
    local.putEvents(
      Array.from({ length: 5 }, (_, i) =>
        purchaseEvent({ customerId: `dead-${i}`, orderId: `dead-${i}`, note: huge }),
      ),
    );
    await local.drain();

    const response = await fetch(`${local.endpoints.aws}/_local/dead-letters?limit=2`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text.length).toBeLessThan(20_000);
    const page = JSON.parse(text) as {
      total: number;
      nextOffset: number | null;
      deadLetters: {
        messageId: string;
        bodyPreview: string;
        bodyChars: number;
        href: string;
        rejections: { value: string }[];
      }[];
    };
    expect(page).toMatchObject({ total: 5, nextOffset: 2 });
    expect(page.deadLetters).toHaveLength(2);
    const [first] = page.deadLetters;
    expect(first?.bodyChars).toBeGreaterThan(200_000);
    expect(first?.rejections[0]?.value).toMatch(/… \(200002 characters\)$/);

    const last = (await (
      await fetch(`${local.endpoints.aws}/_local/dead-letters?offset=4&limit=2`)
    ).json()) as typeof page;
    expect(last).toMatchObject({ nextOffset: null });
    expect(last.deadLetters).toHaveLength(1);

    const whole = (await (await fetch(`${local.endpoints.aws}${first?.href}`)).json()) as { body: string };
    expect(whole.body).toContain(huge);
    expect((await fetch(`${local.endpoints.aws}/_local/dead-letters?limit=0`)).status).toBe(400);
  });
});

describe('SES events on the default bus', () => {
  const bounce = (address: string, configurationSet: string) => ({
    ...sesEvent(
      'bounce',
      { messageId: `m-${configurationSet}`, to: address, configurationSet },
      local.clock.now(),
    ),
    busName: 'default',
  });
  const suppression = (address: string) =>
    new SuppressionStore(local.doc, local.tableName).addressSuppression(address);

  it("reach ses-feedback only from this product's configuration set, as the deployed rule's content filter does", async () => {
    local.putEvents([bounce('other-app@example.com', 'someone-elses-transactional-set')]);
    await local.drain();
    expect(await suppression('other-app@example.com')).toBeUndefined();

    local.putEvents([bounce('ours@example.com', LOCAL_CONFIGURATION_SET)]);
    await local.drain();
    expect(await suppression('ours@example.com')).toMatchObject({ reason: 'hard-bounce' });
  });

  it('are what SES emits: the simulated bounce names the configuration set in mail.tags', async () => {
    await local.sesEvents.feedback('bounce', 'simulated@example.com');
    await local.drain();
    expect(await suppression('simulated@example.com')).toMatchObject({ reason: 'hard-bounce' });
  });
});
