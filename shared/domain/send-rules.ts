// The send-time rules every campaign obeys, decided from what the profile says NOW (not when the
// campaign enqueued the request): consent, a sticky opt-out, suppression, an address, quiet hours.
import { nextSendableInstant, type QuietHours } from './quiet-hours.ts';

export interface Recipient {
  email?: string;
  consentGranted: boolean;
  /** Set by the unsubscribe link; only an explicit re-opt-in clears it (upserts do not). */
  optedOut?: { at: string; source: string };
  /** Set by a hard bounce or complaint on the profile or on the address. */
  suppressed?: { at: string; reason: string };
  timeZone?: string;
}

export type SkipReason = 'unknown-customer' | 'no-consent' | 'opted-out' | 'suppressed' | 'no-email';

export type SendDecision =
  | { kind: 'send' }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'defer'; until: Date; reason: 'not-before' | 'quiet-hours' };

export interface SendRulesConfig {
  quietHours: QuietHours | undefined;
  /** The program's zone for customers without one. */
  defaultTimeZone: string;
}

export function decideSend(
  recipient: Recipient | undefined,
  request: { notBefore?: string | undefined },
  now: Date,
  config: SendRulesConfig,
): SendDecision {
  if (!recipient) return { kind: 'skip', reason: 'unknown-customer' };
  if (recipient.suppressed) return { kind: 'skip', reason: 'suppressed' };
  if (recipient.optedOut) return { kind: 'skip', reason: 'opted-out' };
  if (!recipient.consentGranted) return { kind: 'skip', reason: 'no-consent' };
  if (!recipient.email) return { kind: 'skip', reason: 'no-email' };
  if (request.notBefore && Date.parse(request.notBefore) > now.getTime()) {
    return { kind: 'defer', until: new Date(request.notBefore), reason: 'not-before' };
  }
  const sendable = nextSendableInstant(now, recipient.timeZone ?? config.defaultTimeZone, config.quietHours);
  if (sendable.getTime() > now.getTime()) return { kind: 'defer', until: sendable, reason: 'quiet-hours' };
  return { kind: 'send' };
}

/** SQS delays are capped at 15 minutes; a longer deferral hops through the queue in steps. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export function queueDelaySeconds(until: Date, now: Date): number {
  return Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil((until.getTime() - now.getTime()) / 1000)));
}
