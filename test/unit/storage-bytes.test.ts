// The cost model's storage lines size each item as DynamoDB bills it: names and values, numbers
// by their digits, list and map overhead, 100 bytes per item, and once more per index entry.
import { describe, expect, it } from 'vitest';
import { retainedKind, storedBytes } from '../../bench/storage.ts';

describe('storedBytes', () => {
  it('adds names, values and the 100-byte item overhead', () => {
    // PK 2+10, SK 2+7, n 1 + (5 digits: 3 + 1)
    expect(storedBytes({ PK: 'CUSTOMER#a', SK: 'PROFILE', n: 12345 })).toBe(126);
    // a map: 3 + per entry 1 + name + value; a list: 3 + per element 1 + value
    expect(storedBytes({ PK: 'X', SK: 'Y', m: { a: 'xy' }, l: ['ab', 'c'] })).toBe(100 + 3 + 3 + (1 + 3 + 4) + (1 + 3 + 3 + 2));
  });

  it('counts an item again for each index it is on (both project every attribute)', () => {
    const item = { PK: 'CUSTOMER#a', SK: 'ADDRESS#a@x.example', GSI2PK: 'EMAIL#a@x.example', GSI2SK: 'CUSTOMER#a' };
    expect(storedBytes(item)).toBe(2 * (100 + 2 + 10 + 2 + 19 + 6 + 17 + 6 + 10));
    // The same attributes under names no index keys on: the table's copy only.
    expect(storedBytes({ PK: 'CUSTOMER#a', SK: 'ADDRESS#a@x.example', XXXXXX: 'EMAIL#a@x.example', GSI2SK: 'CUSTOMER#a' })).toBe(172);
  });
});

describe('retainedKind', () => {
  it('groups the per-email history (ledger, outcome, holdout, unsubscribe count) apart from coupons, markers and customers', () => {
    const kind = (PK: string, SK: string) => retainedKind({ PK, SK });
    expect(kind('CUSTOMER#a', 'SEND#birthday#birthday#2027#greeting')).toBe('emails');
    expect(kind('CUSTOMER#a', 'JOURNEY#birthday#SEND#birthday#2027#greeting')).toBe('emails');
    expect(kind('CUSTOMER#a', 'HOLDOUT#birthday#birthday#2027')).toBe('emails');
    expect(kind('UNSUBCOUNT#a', 'birthday')).toBe('emails');
    expect(kind('COUPON#BDAY27-X', 'COUPON')).toBe('coupons');
    expect(kind('SESMSG#m', 'delivered')).toBe('sesMarkers');
    expect(kind('CUSTOMER#a', 'PURCHASE#o-1')).toBe('purchases');
    expect(kind('CUSTOMER#a', 'JOURNEY#birthday#STATE')).toBe('customers');
    expect(kind('STEPRESULTS#birthday', 'DAY#2027-01-01#greeting#-')).toBe('shared');
  });
});
