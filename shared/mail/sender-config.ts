// The sender's settings, read from the environment once per cold start and validated: rate
// (the SES quota), quiet hours, frequency cap, lease, addresses, the unsubscribe endpoint and how
// long the ledger entries it writes are kept.
import * as z from 'zod';
import { DAY_MS } from '../domain/clock.ts';
import {
  EMAIL_HISTORY_DEFAULT_DAYS,
  emailHistoryDays,
  historyExpiry,
  historyTooShort,
  MESSAGE_LIFETIME_DAYS,
  UNSUBSCRIBE_LINK_DEFAULT_DAYS,
} from '../domain/email-history.ts';
import { parseQuietHours } from '../domain/quiet-hours.ts';
import { ianaTimeZone } from '../events/contracts.ts';
import type { SenderConfig } from '../flows/send-email.ts';
import { assertHeaderBudget } from './send-headers.ts';

export const senderEnv = z
  .object({
  SENDER_ADDRESS: z.string().min(3).default('loyalty-flows <no-reply@loyalty.example>'),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Emails per second across all concurrent senders: the SES account's maximum send rate. */
  MAX_SEND_RATE: z.coerce.number().positive().default(14),
  QUIET_HOURS: z.string().default('21:00-08:00'),
  DEFAULT_TIME_ZONE: ianaTimeZone.default('UTC'),
  FREQUENCY_CAP_MAX: z.coerce.number().int().positive().default(2),
  FREQUENCY_CAP_DAYS: z.coerce.number().positive().default(7),
  /** Comma-separated cap classes that bypass the cap, e.g. "tier-upgrade". */
  FREQUENCY_CAP_EXEMPT: z.string().default(''),
  PROGRAM_CURRENCY: z.string().length(3).default('USD'),
  LEDGER_LEASE_SECONDS: z.coerce.number().int().positive().default(600),
  SES_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  UNSUBSCRIBE_TOKEN_TTL_DAYS: z.coerce.number().positive().default(UNSUBSCRIBE_LINK_DEFAULT_DAYS),
  UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** The unsubscribe Function URL (AWS); locally PUBLIC_BASE_URL + /unsubscribe. */
  FUNCTION_URL_UNSUBSCRIBE: z.url().optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  /** How long each ledger entry is kept (shared/domain/email-history.ts). */
  EMAIL_HISTORY_DAYS: emailHistoryDays.default(EMAIL_HISTORY_DEFAULT_DAYS),
})
  // This sender's own windows: a deferred request hops through the queue without reading the
  // ledger until its time (the frequency cap's window, the end of quiet hours, a claim's lease),
  // and a replayed unsubscribe link is honoured for the link's validity.
  .superRefine((env, ctx) => {
    const deferralDays = Math.ceil(Math.max(env.FREQUENCY_CAP_DAYS, 1, env.LEDGER_LEASE_SECONDS / 86_400));
    const tooShort = historyTooShort(env.EMAIL_HISTORY_DAYS, [
      {
        days: deferralDays + MESSAGE_LIFETIME_DAYS,
        reads: `a request deferred up to ${deferralDays} days (FREQUENCY_CAP_DAYS, quiet hours, LEDGER_LEASE_SECONDS) and then dead-lettered, read again`,
      },
      { days: Math.ceil(env.UNSUBSCRIBE_TOKEN_TTL_DAYS), reads: 'an unsubscribe link\'s validity (UNSUBSCRIBE_TOKEN_TTL_DAYS)' },
    ]);
    if (tooShort) ctx.addIssue({ code: 'custom', path: ['EMAIL_HISTORY_DAYS'], message: tooShort });
  });
export type SenderEnv = z.output<typeof senderEnv>;

export function unsubscribeEndpoint(
  env: Pick<SenderEnv, 'FUNCTION_URL_UNSUBSCRIBE' | 'PUBLIC_BASE_URL'>,
): string {
  if (env.FUNCTION_URL_UNSUBSCRIBE) return env.FUNCTION_URL_UNSUBSCRIBE;
  if (env.PUBLIC_BASE_URL) return `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/unsubscribe`;
  throw new Error(
    'set FUNCTION_URL_UNSUBSCRIBE (AWS) or PUBLIC_BASE_URL (local) so emails can carry an unsubscribe link',
  );
}

export function senderConfig(env: SenderEnv, secret: string): SenderConfig {
  const unsubscribe = { url: unsubscribeEndpoint(env), mailto: env.UNSUBSCRIBE_MAILTO };
  // A URL and mailto too long for the longest customer id's List-Unsubscribe fail here, at cold start.
  assertHeaderBudget(unsubscribe);
  return {
    rules: { quietHours: parseQuietHours(env.QUIET_HOURS), defaultTimeZone: env.DEFAULT_TIME_ZONE },
    cap: {
      maxSends: env.FREQUENCY_CAP_MAX,
      windowMs: env.FREQUENCY_CAP_DAYS * DAY_MS,
      exempt: new Set(
        env.FREQUENCY_CAP_EXEMPT.split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    },
    leaseMs: env.LEDGER_LEASE_SECONDS * 1000,
    from: env.SENDER_ADDRESS,
    configurationSet: env.SES_CONFIGURATION_SET,
    currency: env.PROGRAM_CURRENCY,
    unsubscribe: {
      ...unsubscribe,
      secret,
      tokenTtlMs: env.UNSUBSCRIBE_TOKEN_TTL_DAYS * DAY_MS,
    },
    historyExpiry: historyExpiry(env.EMAIL_HISTORY_DAYS),
  };
}
