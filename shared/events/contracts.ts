// The public inbound event contracts: one zod schema per (source, detail-type), types inferred.
// Producers put these on the `marketing` bus; README "Event contracts" documents the same shapes.
import { z } from 'zod';
import { isIanaTimeZone } from '../domain/local-time.ts';
import { currencyMinorDigits, decimalPlaces, decimalToMilli, isKnownCurrency } from '../domain/money.ts';

export const isoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

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

const decimalAmount = z.union([z.number(), z.string()]).refine((value) => decimalToMilli(value) !== undefined, {
  message: 'must be a non-negative decimal with at most 3 decimal places',
});

const currencyCode = z.string().refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code' });

const nonEmptyId = z.string().trim().min(1).max(128);

export const customerUpsertedDetail = z.strictObject({
  customerId: nonEmptyId,
  email: z.email({ message: 'must be an email address' }),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
  locale: bcp47Locale.optional(),
  timeZone: ianaTimeZone.optional(),
  birthday: birthday.optional(),
  marketingConsent: z.boolean(),
  attributes: z.record(z.string(), z.string()).optional(),
});
export type CustomerUpserted = z.infer<typeof customerUpsertedDetail>;

const lineItem = z.strictObject({
  sku: nonEmptyId,
  category: z.string().optional(),
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
    couponCode: z.string().max(64).optional(),
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
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;
