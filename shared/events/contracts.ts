// The public inbound event contracts: one zod schema per (source, detail-type), types inferred.
// Producers put these on the `marketing` bus; docs/events.md documents the same shapes.
import * as z from 'zod';
import { isIanaTimeZone } from '../domain/local-time.ts';
import { currencyMinorDigits, decimalPlaces, decimalToMilli, isKnownCurrency } from '../domain/money.ts';

export const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with a time zone',
});

const bcp47Locale = z.string().refine(
  (tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a BCP 47 language tag such as zh-CN or en-US' },
);

export const ianaTimeZone = z.string().refine(isIanaTimeZone, {
  message: 'must be an IANA time zone such as Asia/Shanghai',
});

/** `MM-DD` or `YYYY-MM-DD`, a real calendar day (02-29 allowed: it exists in leap years). */
const birthday = z.string().refine(
  (text) => {
    const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(text);
    if (!match) return false;
    const year = match[1] ? Number(match[1]) : 2000; // a leap year, so 02-29 is valid without a year
    const month = Number(match[2]);
    const day = Number(match[3]);
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  },
  { message: 'must be MM-DD or YYYY-MM-DD and a real calendar day' },
);

const DECIMAL_AMOUNT = 'must be a non-negative decimal with at most 3 decimal places';
const decimalAmount = z
  .union([z.number(), z.string()], { error: `${DECIMAL_AMOUNT}, as a number or a string` })
  .refine((value) => decimalToMilli(value) !== undefined, { message: DECIMAL_AMOUNT });

const currencyCode = z.string().refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code' });

/** Text that ends up in emails, headers and pages: NUL, line breaks and other controls are refused. */
function plainText(max: number) {
  return z
    .string()
    .max(max)
    .refine((text) => !/\p{Cc}/u.test(text), {
      message: 'must not contain control characters (NUL, line breaks, tabs)',
    });
}

/**
 * Ids (customers, orders, SKUs) are at most this many UTF-8 bytes: a customer id rides in every
 * email's headers, which SES caps at 870 characters (shared/mail/send-headers.ts), so the bound is
 * on bytes, the size an id has there, not on characters (42 Chinese characters fill it).
 */
export const ID_MAX_BYTES = 128;

export function boundedBytes(max: number) {
  return (text: string, ctx: z.RefinementCtx) => {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > max)
      ctx.addIssue({
        code: 'custom',
        input: text,
        message: `must be at most ${max} bytes in UTF-8 (it is ${bytes})`,
      });
  };
}

const nonEmptyId = plainText(ID_MAX_BYTES).trim().min(1).superRefine(boundedBytes(ID_MAX_BYTES));

/**
 * An address SMTP can deliver to: RFC 5321 §4.5.3.1 caps the local part at 64 octets and the
 * domain at 255, and the forward path (the address in angle brackets) at 256, so 254 in all.
 */
const emailAddress = z
  .email({ message: 'must be an email address' })
  .refine((address) => Buffer.byteLength(address.slice(0, address.lastIndexOf('@'))) <= 64, {
    message: 'has a local part (before @) longer than 64 octets (RFC 5321)',
  })
  .refine((address) => Buffer.byteLength(address) <= 254, {
    message: 'is longer than 254 octets (RFC 5321)',
  });

/** Attribute names that would reach an object's prototype instead of the map (never stored). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A string map from the shop. The reserved names are refused on the raw input: the record
 * parser would otherwise drop `__proto__` without a word.
 */
const attributes = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [name, input] of Object.entries(value)) {
      if (PROTOTYPE_KEYS.has(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          input,
          message: 'is a reserved name (__proto__, constructor, prototype)',
        });
    }
  })
  .pipe(
    z.record(
      z
        .string()
        .min(1)
        .max(64)
        .refine((name) => !/\p{Cc}/u.test(name), { message: 'must not contain control characters' }),
      plainText(1000),
    ),
  );

/**
 * How far ahead of our clock a business time (purchasedAt, refundedAt, answeredAt, updatedAt,
 * the event time of an upsert) may be: the clock skew AWS itself tolerates on signed requests.
 * Anything later is rejected, since a purchase dated next year would upgrade today and a date in
 * 9999 would silence win-back forever.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 15 * 60_000;

export const customerUpsertedDetail = z.strictObject({
  customerId: nonEmptyId,
  email: emailAddress,
  firstName: plainText(200).optional(),
  lastName: plainText(200).optional(),
  locale: bcp47Locale.optional(),
  timeZone: ianaTimeZone.optional(),
  birthday: birthday.optional(),
  marketingConsent: z.boolean(),
  attributes: attributes.optional(),
  /**
   * When the shop changed the profile, ISO 8601 with milliseconds: orders upserts that share an
   * event time (EventBridge times have whole seconds) before the event time does.
   */
  updatedAt: isoInstant.optional(),
});
export type CustomerUpserted = z.infer<typeof customerUpsertedDetail>;

const lineItem = z.strictObject({
  sku: nonEmptyId,
  category: plainText(128).optional(),
  quantity: z.number().int().positive(),
  unitPrice: decimalAmount,
});

/** Amounts may not carry more decimals than the currency has (no 10.001 USD, no 10.5 JPY). */
function withinCurrencyPrecision<T extends { amount: number | string; currency: string }>(
  detail: T,
  ctx: z.RefinementCtx,
): void {
  if (!isKnownCurrency(detail.currency)) return;
  const allowed = currencyMinorDigits(detail.currency);
  if (decimalPlaces(detail.amount) > allowed) {
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      input: detail.amount,
      message: `has more decimal places than ${detail.currency} allows (${allowed})`,
    });
  }
}

export const purchaseCompletedDetail = z
  .strictObject({
    orderId: nonEmptyId,
    customerId: nonEmptyId,
    amount: decimalAmount,
    currency: currencyCode,
    purchasedAt: isoInstant,
    items: z.array(lineItem).optional(),
    couponCode: plainText(64).optional(),
  })
  .superRefine(withinCurrencyPrecision);
export type PurchaseCompleted = z.infer<typeof purchaseCompletedDetail>;

export const orderRefundedDetail = z.strictObject({
  orderId: nonEmptyId,
  customerId: nonEmptyId,
  amount: decimalAmount,
  refundedAt: isoInstant,
});
export type OrderRefunded = z.infer<typeof orderRefundedDetail>;

export const surveyAnsweredDetail = z.strictObject({
  customerId: nonEmptyId,
  score: z.number().int().min(0).max(10),
  answeredAt: isoInstant,
});
export type SurveyAnswered = z.infer<typeof surveyAnsweredDetail>;

/** Every inbound event we accept, keyed the way EventBridge names them. */
export const inboundEvents = {
  'shop.customers': { 'Customer Upserted': customerUpsertedDetail },
  'shop.orders': { 'Purchase Completed': purchaseCompletedDetail, 'Order Refunded': orderRefundedDetail },
  'shop.surveys': { 'Survey Answered': surveyAnsweredDetail },
} as const;

/** The EventBridge envelope as a target (SQS body, Lambda event) receives it. */
export const eventEnvelope = z.looseObject({
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: isoInstant,
  detail: z.unknown().refine((detail) => detail !== undefined, { message: 'is missing' }),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/**
 * The envelope a bus rule delivers for one event, its time in whole seconds as EventBridge writes
 * it: built by the local bus and by events put straight onto a queue (delayed-events.ts).
 */
export function busEnvelope(id: string, event: { source: string; detailType: string; detail: unknown }, time: Date) {
  return {
    version: '0',
    id,
    'detail-type': event.detailType,
    source: event.source,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    resources: [],
    detail: event.detail,
  };
}
