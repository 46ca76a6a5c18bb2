// Events the delivery pipeline emits on the marketing bus (source "loyalty-flows").
import * as z from 'zod';
import { isoInstant } from '../events/contracts.ts';

export const EMAIL_SENT = 'Email Sent';
export const CUSTOMER_SUPPRESSED = 'Customer Suppressed';
export const CUSTOMER_UNSUBSCRIBED = 'Customer Unsubscribed';

export const emailSentDetail = z.object({
  customerId: z.string().min(1),
  campaignId: z.string().min(1),
  step: z.string().optional(),
  period: z.string().min(1),
  template: z.string().min(1),
  locale: z.string().min(1),
  /** SES message id: joins this event to SES delivery/open/click/bounce events. */
  messageId: z.string().min(1),
  sentAt: isoInstant,
});
export type EmailSent = z.infer<typeof emailSentDetail>;

export const customerSuppressedDetail = z.object({
  customerId: z.string().min(1),
  reason: z.enum(['hard-bounce', 'complaint']),
  /** SES feedback id of the bounce/complaint that caused it. */
  feedbackId: z.string().optional(),
  suppressedAt: isoInstant,
});
export type CustomerSuppressed = z.infer<typeof customerSuppressedDetail>;

export const customerUnsubscribedDetail = z.object({
  customerId: z.string().min(1),
  source: z.string().min(1),
  unsubscribedAt: isoInstant,
});
export type CustomerUnsubscribed = z.infer<typeof customerUnsubscribedDetail>;
