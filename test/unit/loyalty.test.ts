// The loyalty rules as a specification: tiers by rolling-365-day net spend, held until their
// anniversary, points at the tier held at purchase time, proportional refunds, debt and expiry.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { loadProgram, programFilePath, programJson, parseProgramYaml } from '#shared/config/program-file.ts';
import { addMonthsUtc, computeLoyalty } from '#shared/domain/loyalty.ts';
import { advanceLoyalty } from '#shared/domain/loyalty-changes.ts';
import { ProgramConfigError, type ProgramInput, parseProgram } from '#shared/domain/loyalty-program.ts';
import type { OrderRecord, RefundRecord } from '#shared/domain/purchase-history.ts';

const shippedYaml = readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
const program = parseProgramYaml(shippedYaml, 'campaigns/program.yaml');

const order = (orderId: string, amount: string, purchasedAt: string): OrderRecord => ({
  orderId,
  amountMilli: Math.round(Number(amount) * 1000),
  currency: 'USD',
  purchasedAt: new Date(purchasedAt).toISOString(),
});
const refund = (orderId: string, amount: string, refundedAt: string, key = refundedAt): RefundRecord => ({
  orderId,
  refundKey: key,
  amountMilli: Math.round(Number(amount) * 1000),
  refundedAt: new Date(refundedAt).toISOString(),
});
const at = (iso: string) => new Date(iso);

describe('loyalty program configuration', () => {
  it('ships Bronze 0, Silver 500, Gold 2000, Platinum 5000 with multipliers 1, 1.25, 1.5, 2', () => {
    expect(program.currency).toBe('USD');
    expect(program.tiers.map((tier) => [tier.id, tier.minSpend, tier.multiplier])).toEqual([
      ['Bronze', 0, 1],
      ['Silver', 500_000, 1.25],
      ['Gold', 2_000_000, 1.5],
      ['Platinum', 5_000_000, 2],
    ]);
    expect(program.tiers.every((tier) => tier.benefits['zh-CN'] && tier.benefits['en-US'])).toBe(true);
  });

  it('names the file, the field and the value when a threshold is not a number', () => {
    const broken = shippedYaml.replace('minSpend: 2000', 'minSpend: lots');
    expect(() => parseProgramYaml(broken, 'campaigns/program.yaml')).toThrowError(
      /campaigns\/program\.yaml: tiers\.2\.minSpend: "lots" must be a non-negative decimal amount/,
    );
  });

  it('refuses thresholds that do not climb and a first tier above zero', () => {
    const input = parseYamlObject();
    input.tiers[0] = { ...input.tiers[0], minSpend: 10 } as ProgramInput['tiers'][number];
    input.tiers[2] = { ...input.tiers[2], minSpend: 400 } as ProgramInput['tiers'][number];
    try {
      parseProgram(input, 'program.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProgramConfigError);
      expect((error as ProgramConfigError).rejections.map((r) => r.field)).toEqual([
        'tiers.0.minSpend',
        'tiers.2.minSpend',
      ]);
    }
  });

  it('refuses an unknown currency and a multiplier with three decimals', () => {
    const input = { ...parseYamlObject(), currency: 'XYZ' };
    input.tiers[1] = { ...input.tiers[1], multiplier: 1.255 } as ProgramInput['tiers'][number];
    expect(() => parseProgram(input, 'p.yaml')).toThrowError(
      /currency: "XYZ" must be an ISO 4217.*tiers\.1\.multiplier: 1\.255/,
    );
  });
});

function parseYamlObject(): ProgramInput & { tiers: ProgramInput['tiers'] } {
  // A fresh plain copy of the shipped program for tests that change it on purpose.
  return parseYaml(shippedYaml) as ProgramInput & { tiers: ProgramInput['tiers'] };
}

describe('loading the program file', () => {
  it('reads <CAMPAIGNS_DIR>/program.yaml, PROGRAM_FILE overriding it, and names the file in errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
    writeFileSync(path.join(dir, 'program.yaml'), shippedYaml.replace('currency: USD', 'currency: EUR'));
    expect(loadProgram({ CAMPAIGNS_DIR: dir }).currency).toBe('EUR');
    expect(programFilePath({ CAMPAIGNS_DIR: dir, PROGRAM_FILE: '/etc/other.yaml' })).toBe('/etc/other.yaml');
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, shippedYaml.replace('multiplier: 1.5', 'multiplier: -1'));
    expect(() => loadProgram({ PROGRAM_FILE: broken })).toThrowError(
      `${broken}: tiers.2.multiplier: -1 must be greater than 0`,
    );
  });

  it('writes the program as the JSON functions read, refusing at synth what would fail at cold start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
    writeFileSync(path.join(dir, 'program.yaml'), shippedYaml.replace('currency: USD', 'currency: EUR'));
    const json = path.join(dir, 'program.json');
    writeFileSync(json, programJson({ CAMPAIGNS_DIR: dir }).json);
    expect(deployedProgram({ PROGRAM_JSON: json })).toEqual(loadProgram({ CAMPAIGNS_DIR: dir }));
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, shippedYaml.replace('multiplier: 1.5', 'multiplier: -1'));
    expect(() => programJson({ PROGRAM_FILE: broken })).toThrowError(
      `${broken}: tiers.2.multiplier: -1 must be greater than 0`,
    );
  });

  it('validates the deployed JSON again at cold start, naming the file, field and value', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
    const edited = path.join(dir, 'program.json');
    writeFileSync(edited, JSON.stringify({ ...parseYamlObject(), currency: 'XYZ' }));
    expect(() => deployedProgram({ PROGRAM_JSON: edited })).toThrowError(
      `${edited}: currency: "XYZ" must be an ISO 4217 currency code`,
    );
    const truncated = path.join(dir, 'truncated.json');
    writeFileSync(truncated, '{"currency": "USD",');
    expect(() => deployedProgram({ PROGRAM_JSON: truncated })).toThrowError(`${truncated}: (file)`);
    expect(() => deployedProgram({})).toThrowError('PROGRAM_JSON');
  });
});

describe('tier by rolling-365-day net spend', () => {
  it('stays Bronze at 499.99 and reaches Silver at exactly 500.00', () => {
    const below = computeLoyalty(
      program,
      [order('a', '499.99', '2026-03-01T10:00:00Z')],
      [],
      at('2026-03-02T00:00:00Z'),
    );
    expect(below.tier).toBe('Bronze');
    expect(below.spendToNextTierMilli).toBe(10);
    const exactly = computeLoyalty(
      program,
      [order('a', '499.99', '2026-03-01T10:00:00Z'), order('b', '0.01', '2026-03-05T10:00:00Z')],
      [],
      at('2026-03-06T00:00:00Z'),
    );
    expect(exactly).toMatchObject({
      tier: 'Silver',
      tierSince: '2026-03-05T10:00:00.000Z',
      tierHeldUntil: '2027-03-05T10:00:00.000Z',
      rollingSpendMilli: 500_000,
      nextTier: 'Gold',
      spendToNextTierMilli: 1_500_000,
      recentTransitions: [
        { from: 'Bronze', to: 'Silver', reason: 'purchase', at: '2026-03-05T10:00:00.000Z' },
      ],
    });
  });

  it('jumps straight to the tier reached when one order crosses several thresholds', () => {
    const state = computeLoyalty(
      program,
      [order('big', '2500.00', '2026-04-01T00:00:00Z')],
      [],
      at('2026-04-02T00:00:00Z'),
    );
    expect(state.tier).toBe('Gold');
    expect(state.recentTransitions).toEqual([
      { from: 'Bronze', to: 'Gold', reason: 'purchase', at: '2026-04-01T00:00:00.000Z' },
    ]);
    expect(state.spendToNextTierMilli).toBe(2_500_000);
  });

  it('counts an order for 365 days: in at 364 days 23:59:59.999, out at exactly 365 days', () => {
    const orders = [order('a', '600.00', '2026-01-10T12:00:00Z')];
    const inside = computeLoyalty(program, orders, [], at('2027-01-10T11:59:59.999Z'));
    const outside = computeLoyalty(program, orders, [], at('2027-01-10T12:00:00.000Z'));
    expect(inside.rollingSpendMilli).toBe(600_000);
    expect(outside.rollingSpendMilli).toBe(0);
  });

  it('does not downgrade when spend ages out mid-year: the tier is held until its anniversary', () => {
    const orders = [
      order('a', '600.00', '2026-01-10T00:00:00Z'),
      order('b', '1500.00', '2026-06-01T00:00:00Z'),
    ];
    const afterAgeing = computeLoyalty(program, orders, [], at('2027-02-01T00:00:00Z'));
    expect(afterAgeing).toMatchObject({
      tier: 'Gold',
      qualifiedTier: 'Silver',
      rollingSpendMilli: 1_500_000,
    });
    expect(afterAgeing.tierHeldUntil).toBe('2027-06-01T00:00:00.000Z');
    const justBefore = computeLoyalty(program, orders, [], at('2027-05-31T23:59:59.999Z'));
    expect(justBefore.tier).toBe('Gold');
  });

  it('re-evaluates on the anniversary: lowered to the tier the rolling spend still reaches', () => {
    const orders = [
      order('a', '2000.00', '2026-06-01T00:00:00Z'),
      order('b', '600.00', '2026-09-01T00:00:00Z'),
    ];
    const reviewed = computeLoyalty(program, orders, [], at('2027-06-01T00:00:00Z'));
    expect(reviewed).toMatchObject({
      tier: 'Silver',
      tierSince: '2027-06-01T00:00:00.000Z',
      tierHeldUntil: '2028-06-01T00:00:00.000Z',
    });
    expect(reviewed.recentTransitions.at(-1)).toEqual({
      from: 'Gold',
      to: 'Silver',
      reason: 'anniversary-review',
      at: '2027-06-01T00:00:00.000Z',
    });
  });

  it('keeps the tier for another year when the spend still qualifies on the anniversary', () => {
    const orders = [
      order('a', '2000.00', '2026-06-01T00:00:00Z'),
      order('b', '2000.00', '2027-05-01T00:00:00Z'),
    ];
    const reviewed = computeLoyalty(program, orders, [], at('2027-07-01T00:00:00Z'));
    expect(reviewed).toMatchObject({
      tier: 'Gold',
      tierSince: '2026-06-01T00:00:00.000Z',
      tierHeldUntil: '2028-06-01T00:00:00.000Z',
    });
  });

  it('keeps the tier after a refund takes the rolling spend back under the threshold', () => {
    const orders = [order('a', '600.00', '2026-03-01T00:00:00Z')];
    const state = computeLoyalty(
      program,
      orders,
      [refund('a', '200.00', '2026-03-10T00:00:00Z')],
      at('2026-03-11T00:00:00Z'),
    );
    expect(state).toMatchObject({
      tier: 'Silver',
      qualifiedTier: 'Bronze',
      rollingSpendMilli: 400_000,
      spendToNextTierMilli: 1_600_000,
    });
  });

  it('does not upgrade when a refund dated before the next purchase keeps the spend under the threshold', () => {
    const orders = [
      order('a', '1800.00', '2026-03-01T00:00:00Z'),
      order('b', '300.00', '2026-03-20T00:00:00Z'),
    ];
    const withRefund = computeLoyalty(
      program,
      orders,
      [refund('a', '200.00', '2026-03-10T00:00:00Z')],
      at('2026-04-01T00:00:00Z'),
    );
    expect(withRefund.tier).toBe('Silver');
    const without = computeLoyalty(program, orders, [], at('2026-04-01T00:00:00Z'));
    expect(without.tier).toBe('Gold');
  });
});

describe('points', () => {
  it('earns at the multiplier of the tier held just before each order', () => {
    const orders = [
      order('a', '500.00', '2026-01-01T00:00:00Z'), // Bronze x1 -> 500, reaches Silver
      order('b', '100.00', '2026-01-02T00:00:00Z'), // Silver x1.25 -> 125
      order('c', '1400.00', '2026-01-03T00:00:00Z'), // Silver x1.25 -> 1750, reaches Gold
      order('d', '100.00', '2026-01-04T00:00:00Z'), // Gold x1.5 -> 150
      order('e', '2900.00', '2026-01-05T00:00:00Z'), // Gold x1.5 -> 4350, reaches Platinum
      order('f', '10.01', '2026-01-06T00:00:00Z'), // Platinum x2 -> 20 (20.02 floored)
    ];
    const state = computeLoyalty(program, orders, [], at('2026-01-07T00:00:00Z'));
    expect(state.tier).toBe('Platinum');
    expect(state.points).toBe(500 + 125 + 1750 + 150 + 4350 + 20);
    expect(state.pointsEarned).toBe(state.points);
  });

  it('reverses points in proportion to the refunded share of the order, partial or full', () => {
    const orders = [
      order('a', '300.00', '2026-02-01T00:00:00Z'),
      order('b', '80.00', '2026-02-02T00:00:00Z'),
    ];
    const partial = computeLoyalty(
      program,
      orders,
      [refund('a', '100.00', '2026-02-05T00:00:00Z')],
      at('2026-02-06T00:00:00Z'),
    );
    expect(partial).toMatchObject({ points: 280, pointsReversed: 100, rollingSpendMilli: 280_000 });
    const full = computeLoyalty(
      program,
      orders,
      [refund('a', '100.00', '2026-02-05T00:00:00Z'), refund('a', '250.00', '2026-02-07T00:00:00Z')],
      at('2026-02-08T00:00:00Z'),
    );
    // Over-refunds are capped at the order amount.
    expect(full).toMatchObject({ points: 80, pointsReversed: 300, rollingSpendMilli: 80_000, pointsDebt: 0 });
  });

  it('expires points the configured number of months after they were earned', () => {
    const orders = [
      order('a', '120.00', '2026-01-15T09:00:00Z'),
      order('b', '30.00', '2026-05-01T00:00:00Z'),
    ];
    const before = computeLoyalty(program, orders, [], at('2028-01-15T08:59:59.999Z'));
    expect(before).toMatchObject({
      points: 150,
      pointsExpired: 0,
      nextPointsExpiry: { at: '2028-01-15T09:00:00.000Z', points: 120 },
    });
    const after = computeLoyalty(program, orders, [], at('2028-01-15T09:00:00.000Z'));
    expect(after).toMatchObject({
      points: 30,
      pointsExpired: 120,
      nextPointsExpiry: { at: '2028-05-01T00:00:00.000Z', points: 30 },
    });
  });

  it('records a debt when a refund reverses points that already expired, repaid from the next earnings', () => {
    const shortExpiry = parseProgram(
      { ...parseYamlObject(), pointsExpiry: { monthsAfterEarning: 12 } },
      'p.yaml',
    );
    const orders = [order('a', '100.00', '2026-01-01T00:00:00Z')];
    const refunds = [refund('a', '100.00', '2027-02-01T00:00:00Z')];
    const inDebt = computeLoyalty(shortExpiry, orders, refunds, at('2027-02-02T00:00:00Z'));
    expect(inDebt).toMatchObject({ points: 0, pointsDebt: 100, pointsExpired: 100, pointsReversed: 100 });
    const repaid = computeLoyalty(
      shortExpiry,
      [...orders, order('b', '300.00', '2027-03-01T00:00:00Z')],
      refunds,
      at('2027-03-02T00:00:00Z'),
    );
    expect(repaid).toMatchObject({ points: 200, pointsDebt: 0, pointsEarned: 400 });
  });

  it('takes a reversal from the remaining balance before recording any debt', () => {
    const shortExpiry = parseProgram(
      { ...parseYamlObject(), pointsExpiry: { monthsAfterEarning: 12 } },
      'p.yaml',
    );
    const orders = [
      order('a', '100.00', '2026-01-01T00:00:00Z'),
      order('b', '40.00', '2026-12-01T00:00:00Z'),
    ];
    const state = computeLoyalty(
      shortExpiry,
      orders,
      [refund('a', '100.00', '2027-01-15T00:00:00Z')],
      at('2027-01-16T00:00:00Z'),
    );
    expect(state).toMatchObject({ points: 0, pointsDebt: 60 });
  });
});

describe('tier changes to announce', () => {
  it('numbers an upgrade once and carries it unchanged through recomputations that change nothing', () => {
    const computed = computeLoyalty(
      program,
      [order('a', '2500.00', '2026-04-01T00:00:00Z')],
      [],
      at('2026-04-01T00:00:01Z'),
    );
    const first = advanceLoyalty(program, undefined, computed, at('2026-04-01T00:00:01Z'));
    expect(first.changeSeq).toBe(1);
    expect(first.recentChanges).toEqual([
      expect.objectContaining({
        seq: 1,
        from: 'Bronze',
        to: 'Gold',
        direction: 'up',
        reason: 'purchase',
        occurredAt: '2026-04-01T00:00:00.000Z',
      }),
    ]);
    const again = advanceLoyalty(program, first, computed, at('2026-04-01T00:05:00Z'));
    expect(again.changeSeq).toBe(1);
    expect(again.recentChanges).toHaveLength(1);
  });

  it('explains a step down on the anniversary as a review even when a purchase the same instant lifts it part way', () => {
    const orders = [
      order('a', '2000.00', '2026-01-01T00:00:00Z'),
      order('b', '233.42', '2026-01-02T00:00:00Z'),
    ];
    const gold = advanceLoyalty(
      program,
      undefined,
      computeLoyalty(program, orders, [], at('2026-06-01T00:00:00Z')),
      at('2026-06-01T00:00:00Z'),
    );
    const withAnniversaryOrder = [...orders, order('c', '266.58', '2027-01-01T00:00:00Z')];
    const next = advanceLoyalty(
      program,
      gold,
      computeLoyalty(program, withAnniversaryOrder, [], at('2027-01-01T00:00:00Z')),
      at('2027-01-01T00:00:00Z'),
    );
    expect(next.recentChanges.at(-1)).toMatchObject({
      seq: 2,
      from: 'Gold',
      to: 'Silver',
      direction: 'down',
      reason: 'anniversary-review',
      occurredAt: '2027-01-01T00:00:00.000Z',
    });
  });

  it('calls a downgrade caused by a late event dated before the upgrade a correction', () => {
    const orders = [
      order('a', '1800.00', '2026-03-01T00:00:00Z'),
      order('b', '300.00', '2026-03-20T00:00:00Z'),
    ];
    const gold = advanceLoyalty(
      program,
      undefined,
      computeLoyalty(program, orders, [], at('2026-03-21T00:00:00Z')),
      at('2026-03-21T00:00:00Z'),
    );
    const late = computeLoyalty(
      program,
      orders,
      [refund('a', '200.00', '2026-03-10T00:00:00Z')],
      at('2026-03-22T00:00:00Z'),
    );
    const corrected = advanceLoyalty(program, gold, late, at('2026-03-22T00:00:00Z'));
    expect(corrected.recentChanges.at(-1)).toMatchObject({
      seq: 2,
      from: 'Gold',
      to: 'Silver',
      direction: 'down',
      reason: 'correction',
    });
  });
});

describe('calendar months', () => {
  it('clamps to the end of a shorter month', () => {
    expect(addMonthsUtc(at('2026-01-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addMonthsUtc(at('2028-02-29T00:00:00Z'), 12).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });
});
