import { describe, expect, it } from 'vitest';
import { currencyMinorDigits, decimalPlaces, decimalToMilli, formatMoney } from '#shared/domain/money.ts';

describe('money in milli-units', () => {
  it.each([
    ['19.99', 19_990],
    [19.99, 19_990],
    ['0', 0],
    ['1234567.125', 1_234_567_125],
    [0.1 + 0.2, undefined], // 0.30000000000000004 is not a price
    ['1e3', undefined],
    ['-1', undefined],
    [-0.5, undefined],
    ['12.3456', undefined],
    ['12.3400', 12_340],
  ])('reads %j as %j', (input, expected) => {
    expect(decimalToMilli(input)).toBe(expected);
  });

  it('adds without binary-float drift', () => {
    const total = ['0.10', '0.20', '0.30'].reduce((sum, amount) => sum + (decimalToMilli(amount) ?? 0), 0);
    expect(total).toBe(600);
  });

  it('knows each currency’s decimals', () => {
    expect([currencyMinorDigits('USD'), currencyMinorDigits('JPY'), currencyMinorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(decimalPlaces('10.50')).toBe(1);
  });

  it('formats for the customer’s locale', () => {
    expect(formatMoney(1_234_500, 'USD', 'en-US')).toBe('$1,234.50');
    expect(formatMoney(1_234_500, 'CNY', 'zh-CN')).toBe('¥1,234.50');
  });
});
