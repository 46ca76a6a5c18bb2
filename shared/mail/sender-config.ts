// The sender's settings, read from the environment once per cold start and validated: rate
// (the SES quota), quiet hours, frequency cap, lease, addresses and the unsubscribe endpoint.
import * as z from 'zod';
import { DAY_MS } from '../domain/clock.ts';
import { parseQuietHours } from '../domain/quiet-hours.ts';
import { ianaTimeZone } from '../events/contracts.ts';
import type { SenderConfig } from '../flows/send-email.ts';
import { assertHeaderBudget } from './send-headers.ts';

export const senderEnv = z.object({
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
  UNSUBSCRIBE_TOKEN_TTL_DAYS: z.coerce.number().positive().default(90),
  UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** The unsubscribe Function URL (AWS); locally PUBLIC_BASE_URL + /unsubscribe. */
  FUNCTION_URL_UNSUBSCRIBE: z.url().optional(),
  PUBLIC_BASE_URL: z.url().optional(),
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
  };
}
