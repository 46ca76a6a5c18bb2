import { describe, expect, it } from 'vitest';
import { holdoutDraw, isHeldOut } from '#shared/domain/holdout.ts';

const customers = Array.from({ length: 20_000 }, (_, i) => `customer-${i}`);

describe('holdout groups', () => {
  it('holds out 10% of 20,000 customers within ±1 percentage point', () => {
    const held = customers.filter((id) => isHeldOut('birthday', id, 10)).length;
    expect(held / customers.length).toBeGreaterThan(0.09);
    expect(held / customers.length).toBeLessThan(0.11);
  });

  it('keeps the same customers held out every time (stable per customer and campaign)', () => {
    const first = customers.filter((id) => isHeldOut('win-back', id, 10));
    const second = customers.filter((id) => isHeldOut('win-back', id, 10));
    expect(second).toEqual(first);
  });

  it('draws independently per campaign: two 10% groups overlap about 1% of customers', () => {
    const both = customers.filter(
      (id) => isHeldOut('birthday', id, 10) && isHeldOut('win-back', id, 10),
    ).length;
    expect(both / customers.length).toBeGreaterThan(0.005);
    expect(both / customers.length).toBeLessThan(0.015);
  });

  it('grows the group by adding customers, never swapping them, when the percentage rises', () => {
    const at5 = customers.filter((id) => isHeldOut('birthday', id, 5));
    expect(at5.every((id) => isHeldOut('birthday', id, 10))).toBe(true);
  });

  it('holds out nobody at 0% and draws in [0, 1)', () => {
    expect(customers.some((id) => isHeldOut('birthday', id, 0))).toBe(false);
    const draws = customers.slice(0, 1000).map((id) => holdoutDraw('birthday', id));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});
