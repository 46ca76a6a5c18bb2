// The shipped birthday journey end to end on the embedded engines: profiles arrive on the bus, the
// journeys function arms the birthday trigger, the scheduler fires it on the simulated clock's
// 5-minute schedule, the real sender delivers to SES local.

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { keys } from '#shared/store/keys.ts';
import { customerEvent } from '../support/fixtures.ts';
import { subjectsTo, textsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2027-02-26T00:00:00Z', ports: 'random', shippedJourneys: ['birthday'] });
}, 60_000);
afterAll(() => local?.stop());

async function upsert(
  customerId: string,
  fields: { timeZone?: string; birthday: string; locale?: string },
  time?: string,
) {
  local.putEvents([
    customerEvent(
      {
        customerId,
        email: `${customerId}@example.com`,
        firstName: 'Alex',
        locale: fields.locale ?? 'en-US',
        timeZone: fields.timeZone,
        birthday: fields.birthday,
      },
      time ? new Date(time) : undefined,
    ),
  ]);
  await local.drain();
}

const greeting = 'Happy birthday, Alex! A gift of $5.00 inside';

describe('birthday journey', () => {
  it('greets a Feb 29 birthday on Feb 28 at 09:00 in a common year', async () => {
    await upsert('leap-1', { timeZone: 'UTC', birthday: '2000-02-29' });
    await local.advanceTo('2027-02-28T08:55:00Z');
    expect(await subjectsTo(local, 'leap-1@example.com')).toEqual([]);
    await local.advanceTo('2027-02-28T09:00:00Z');
    expect(await subjectsTo(local, 'leap-1@example.com')).toEqual([greeting]);
    await local.advanceTo('2027-03-02T00:00:00Z');
    expect(await subjectsTo(local, 'leap-1@example.com')).toEqual([greeting]);
  });

  it('greets at 09:00 in each customer time zone: Shanghai, New York on its DST switch day, Kiritimati (+14), the default zone', async () => {
    await upsert('zone-sh', { timeZone: 'Asia/Shanghai', birthday: '1990-03-14', locale: 'zh-CN' });
    await upsert('zone-ny', { timeZone: 'America/New_York', birthday: '03-14' });
    await upsert('zone-ki', { timeZone: 'Pacific/Kiritimati', birthday: '1985-03-15' });
    await upsert('zone-default', { birthday: '03-14' }); // program default: America/New_York
    const sent = async () =>
      Object.fromEntries(
        await Promise.all(
          ['zone-sh', 'zone-ny', 'zone-ki', 'zone-default'].map(async (id) => [
            id,
            (await subjectsTo(local, `${id}@example.com`)).length,
          ]),
        ),
      );

    await local.advanceTo('2027-03-14T00:55:00Z');
    expect(await sent()).toEqual({ 'zone-sh': 0, 'zone-ny': 0, 'zone-ki': 0, 'zone-default': 0 });
    await local.advanceTo('2027-03-14T01:00:00Z'); // 09:00 in Shanghai
    expect(await subjectsTo(local, 'zone-sh@example.com')).toEqual(['Alex，生日快乐！送您 US$5.00 生日礼券']);
    await local.advanceTo('2027-03-14T12:55:00Z'); // 08:55 EDT (clocks went forward at 02:00)
    expect(await sent()).toEqual({ 'zone-sh': 1, 'zone-ny': 0, 'zone-ki': 0, 'zone-default': 0 });
    await local.advanceTo('2027-03-14T13:00:00Z'); // 09:00 EDT
    expect(await sent()).toEqual({ 'zone-sh': 1, 'zone-ny': 1, 'zone-ki': 0, 'zone-default': 1 });
    await local.advanceTo('2027-03-14T18:55:00Z');
    expect((await sent())['zone-ki']).toBe(0);
    await local.advanceTo('2027-03-14T19:00:00Z'); // 09:00 on Mar 15 in Kiritimati
    expect(await subjectsTo(local, 'zone-ki@example.com')).toEqual([greeting]);

    await local.advanceTo('2027-03-16T00:00:00Z');
    expect(await sent()).toEqual({ 'zone-sh': 1, 'zone-ny': 1, 'zone-ki': 1, 'zone-default': 1 });
  });

  it('shows a unique stored coupon with the tier value and a 30-day expiry', async () => {
    const [text] = await textsTo(local, 'zone-ny@example.com');
    const code = /Coupon code: (BDAY27-[0-9A-Z]{8})/.exec(text ?? '')?.[1];
    expect(code).toBeDefined();
    expect(text).toContain('Value:       $5.00 off your next order');
    expect(text).toContain('Valid until: April 13, 2027');
    const { Item } = await local.doc.send(
      new GetCommand({ TableName: local.tableName, Key: keys.coupon(code ?? '') }),
    );
    expect(Item).toMatchObject({
      customerId: 'zone-ny',
      campaignId: 'birthday',
      period: 'birthday#2027#greeting',
      tier: 'Bronze',
      valueMilli: 5000,
    });
    const [otherText] = await textsTo(local, 'zone-default@example.com');
    expect(otherText).not.toContain(code ?? '');
  });

  it('greets once a year even when the time zone and the birthday are edited on the day', async () => {
    await upsert('edit-1', { timeZone: 'Asia/Shanghai', birthday: '03-16' }, '2027-03-15T00:00:00Z');
    await local.advanceTo('2027-03-16T01:00:00Z'); // 09:00 in Shanghai: greeted
    expect(await subjectsTo(local, 'edit-1@example.com')).toEqual([greeting]);
    // Moving to New York, where Mar 16 09:00 is still ahead (13:00Z) ...
    await upsert('edit-1', { timeZone: 'America/New_York', birthday: '03-16' }, '2027-03-16T02:00:00Z');
    await local.advanceTo('2027-03-16T14:00:00Z');
    // ... and then to a birthday tomorrow.
    await upsert('edit-1', { timeZone: 'America/New_York', birthday: '03-17' }, '2027-03-16T15:00:00Z');
    await local.advanceTo('2027-03-18T00:00:00Z');
    expect(await subjectsTo(local, 'edit-1@example.com')).toEqual([greeting]);
  });

  it('greets again the next year, on Feb 29 in a leap year', async () => {
    await local.advanceTo('2028-02-29T08:55:00Z');
    expect(await subjectsTo(local, 'leap-1@example.com')).toHaveLength(1);
    await local.advanceTo('2028-02-29T09:00:00Z');
    expect(await subjectsTo(local, 'leap-1@example.com')).toEqual([greeting, greeting]);
    expect((await textsTo(local, 'leap-1@example.com'))[1]).toMatch(/Coupon code: BDAY28-/);
  }, 120_000);
});
