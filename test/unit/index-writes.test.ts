// The bench's count of index writes (dynalite reports none; AWS bills them): the rules of the
// DynamoDB developer guide for global secondary indexes, on the table's two ALL-projection indexes.
import { describe, expect, it } from 'vitest';
import { indexWriteUnits, itemBytes } from '../../bench/index-writes.ts';

const timer = (bucket: string, extra: Record<string, unknown> = {}) => ({
  PK: 'CUSTOMER#c-1',
  SK: 'JOURNEY#TRIGGERS',
  GSI1PK: bucket,
  GSI1SK: `${bucket}#c-1`,
  version: 1,
  ...extra,
});
const profile = (email: string, extra: Record<string, unknown> = {}) => ({
  PK: 'CUSTOMER#c-1',
  SK: 'PROFILE',
  GSI2PK: `EMAIL#${email}`,
  GSI2SK: 'CUSTOMER#c-1',
  ...extra,
});

describe('index writes of one item write', () => {
  it('costs nothing for an item in no index before or after', () => {
    expect(indexWriteUnits(undefined, { PK: 'CUSTOMER#c-1', SK: 'PURCHASE#o-1', amount: 42 })).toBe(0);
    expect(indexWriteUnits({ PK: 'a', SK: 'b', n: 1 }, { PK: 'a', SK: 'b', n: 2 })).toBe(0);
  });

  it('puts an entry for a new indexed item, deletes one for an item leaving the index, both when the key moves', () => {
    expect(indexWriteUnits(undefined, timer('DUE#2027-03-11T15#3'))).toBe(1);
    const { GSI1PK: _pk, GSI1SK: _sk, ...disarmed } = timer('DUE#2027-03-11T15#3');
    expect(indexWriteUnits(timer('DUE#2027-03-11T15#3'), disarmed)).toBe(1);
    expect(indexWriteUnits(timer('DUE#2027-03-11T15#3'), timer('DUE#2027-09-14T13#3'))).toBe(2);
  });

  it('rewrites the entry when only a projected attribute changes, and not when nothing does', () => {
    expect(indexWriteUnits(timer('DUE#x', { version: 1 }), timer('DUE#x', { version: 2 }))).toBe(1);
    expect(indexWriteUnits(timer('DUE#x'), timer('DUE#x'))).toBe(0);
  });

  it('charges a KB-sized entry by its size: a 1.5 KB profile whose aggregates change costs 2 in byEmail', () => {
    const padding = 'x'.repeat(1_400);
    const before = profile('c-1@example.com', { purchases: { orderCount: 1 }, padding });
    const after = profile('c-1@example.com', { purchases: { orderCount: 2 }, padding });
    expect(itemBytes(after)).toBeGreaterThan(1024);
    expect(indexWriteUnits(before, after)).toBe(2);
  });
});

describe('item size as DynamoDB counts it', () => {
  it('adds names and values: UTF-8 strings, numbers by significant digits, maps and lists with their overhead', () => {
    expect(itemBytes({ a: 'bc' })).toBe(3);
    expect(itemBytes({ s: '中' })).toBe(4);
    expect(itemBytes({ n: 12345 })).toBe(1 + 1 + 3);
    expect(itemBytes({ m: { x: 1 } })).toBe(1 + 3 + 1 + 1 + 2);
    expect(itemBytes({ l: [true, null] })).toBe(1 + 3 + 2 + 2);
  });
});
