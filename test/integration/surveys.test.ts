// Survey Answered end to end on the embedded engines: bus -> survey-events queue -> ingest-surveys
// -> dynalite. Redeliveries and late answers must change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEvent, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerItems, profileOf } from '../support/table.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2026-11-01T00:00:00Z', ports: 'random' });
}, 60_000);
afterAll(() => local?.stop());

const answered = (detail: Record<string, unknown>): LocalEvent => ({
  source: 'shop.surveys',
  detailType: 'Survey Answered',
  detail,
});
const surveys = async (customerId: string) =>
  (await customerItems(local.doc, local.tableName, customerId)).filter((item) =>
    String(item.SK).startsWith('SURVEY#'),
  );

describe('survey ingestion', () => {
  it('stores the answer and the latest score on the profile', async () => {
    local.putEvents([answered({ customerId: 's-1', score: 9, answeredAt: '2026-10-30T08:00:00+08:00' })]);
    await local.drain();
    expect((await surveys('s-1')).map((item) => [item.SK, item.score])).toEqual([
      ['SURVEY#2026-10-30T00:00:00.000Z', 9],
    ]);
    expect((await profileOf(local.doc, local.tableName, 's-1'))?.survey).toEqual({
      score: 9,
      answeredAt: '2026-10-30T00:00:00.000Z',
    });
  });

  it('records a duplicate delivery once', async () => {
    const event = answered({ customerId: 's-2', score: 4, answeredAt: '2026-10-30T10:00:00Z' });
    local.putEvents([event, event]);
    await local.drain();
    local.putEvents([event]);
    await local.drain();
    expect(await surveys('s-2')).toHaveLength(1);
    expect((await profileOf(local.doc, local.tableName, 's-2'))?.survey?.score).toBe(4);
  });

  it('keeps the newest answer on the profile when an older one arrives late', async () => {
    local.putEvents([answered({ customerId: 's-3', score: 10, answeredAt: '2026-10-31T10:00:00Z' })]);
    await local.drain();
    local.putEvents([answered({ customerId: 's-3', score: 2, answeredAt: '2026-10-01T10:00:00Z' })]);
    await local.drain();
    expect(await surveys('s-3')).toHaveLength(2);
    expect((await profileOf(local.doc, local.tableName, 's-3'))?.survey).toEqual({
      score: 10,
      answeredAt: '2026-10-31T10:00:00.000Z',
    });
  });

  it('does not invent consent for a customer first seen through a survey', async () => {
    local.putEvents([answered({ customerId: 's-4', score: 7, answeredAt: '2026-10-31T10:00:00Z' })]);
    await local.drain();
    expect((await profileOf(local.doc, local.tableName, 's-4'))?.consent?.granted).toBe(false);
  });

  it('dead-letters an out-of-range score with field, value and reason', async () => {
    local.putEvents([answered({ customerId: 's-5', score: 11, answeredAt: '2026-10-31T10:00:00Z' })]);
    await local.drain();
    const dead = local.deadLetters().filter((letter) => letter.rejectedBy === 'ingest-surveys');
    expect(dead).toHaveLength(1);
    expect(JSON.stringify(dead[0]?.rejections)).toContain('detail.score');
    expect(await surveys('s-5')).toHaveLength(0);
  });
});
