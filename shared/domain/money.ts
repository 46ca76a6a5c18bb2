// Money as integer milli-units of the program currency, so sums and refunds never drift the
// way binary floats do. Milli-units cover every ISO 4217 minor-unit size (0, 2 and 3 digits).

export type Milli = number;

export const MILLI_PER_UNIT = 1000;

const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code);
}

/** The number of decimals a currency allows (JPY 0, USD 2, KWD 3). */
export function currencyMinorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Parses a non-negative decimal ("19.99" or 19.99) into milli-units; undefined if not a plain decimal. */
export function decimalToMilli(value: number | string): Milli | undefined {
  const text = typeof value === 'number' ? numberToPlainDecimal(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > 3) return undefined;
  const milli = Number(whole) * MILLI_PER_UNIT + Number(fraction.padEnd(3, '0').slice(0, 3));
  return Number.isSafeInteger(milli) ? milli : undefined;
}

/** Decimals in the written amount, ignoring trailing zeros ("10.50" has 1). */
export function decimalPlaces(value: number | string): number {
  const text = typeof value === 'number' ? numberToPlainDecimal(value) : value.trim();
  const fraction = text.split('.')[1] ?? '';
  return fraction.replace(/0+$/, '').length;
}

function numberToPlainDecimal(value: number): string {
  if (!Number.isFinite(value) || value < 0) return 'invalid';
  // toString gives exponent notation for tiny/huge values; toFixed(3) is exact enough for
  // amounts we accept (at most 3 decimals), and the decimal check above rejects the rest.
  const plain = value.toString();
  return /e/i.test(plain) ? value.toFixed(20).replace(/\.?0+$/, '') : plain;
}

export function milliToDecimal(milli: Milli): number {
  return milli / MILLI_PER_UNIT;
}

// Building an Intl.NumberFormat costs far more than formatting with one (it was half of an email's
// render time); a process meets only a handful of (locale, currency) pairs.
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Formats an amount for a customer: `formatMoney(123450, 'USD', 'en-US')` -> "$123.45". */
export function formatMoney(milli: Milli, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  return format.format(milliToDecimal(milli));
}
