// The headers every email carries, each within SES's limits by construction (a value is printable
// ASCII and at most 870 characters): RFC 2369/8058 List-Unsubscribe (the signed one-click link and
// a mailto) and X-Loyalty-Send, our reference that lets an SES "Send" event confirm a ledger claim.
// What goes into them is bounded where it enters: customer ids by the event contracts
// (ID_MAX_BYTES), campaign, step, variant and period by the send request, and the configured URL and mailto are
// checked against what is left when the sender starts (assertHeaderBudget).
import { createUnsubscribeToken, type UnsubscribeOrigin } from '../domain/unsubscribe-token.ts';
import { ID_MAX_BYTES } from '../events/contracts.ts';
import type { LedgerRef } from '../store/ledger.ts';

/** SES v2 MessageHeader: a value of at most 870 printable ASCII characters. */
export const SES_HEADER_VALUE_MAX = 870;
export const SEND_REFERENCE_HEADER = 'X-Loyalty-Send';
/** A send request's campaign (a journey id), step and split variant (step ids), and ledger period, in UTF-8 bytes. */
export const CAMPAIGN_ID_MAX_BYTES = 64;
export const STEP_ID_MAX_BYTES = 64;
export const PERIOD_MAX_BYTES = 256;

export interface UnsubscribeSettings {
  url: string;
  mailto: string | undefined;
  secret: string;
}

/**
 * The one-click link: the endpoint with a signed token naming the customer, the address and the
 * email's campaign, step, variant and day (so unsubscribes count per campaign and per send step).
 * The id is not repeated beside the token.
 */
export function unsubscribeLink(
  claims: { customerId: string; email: string; campaignId: string; expiresAt: Date } & UnsubscribeOrigin,
  settings: Pick<UnsubscribeSettings, 'url' | 'secret'>,
): string {
  const url = new URL(settings.url);
  url.searchParams.set('t', createUnsubscribeToken(claims, settings.secret));
  return url.toString();
}

/** The mailto does not repeat the token (a reply identifies itself by its sender). */
export function listUnsubscribe(unsubscribeUrl: string, mailto: string | undefined): string {
  const targets = [`<${unsubscribeUrl}>`];
  if (mailto) targets.push(`<mailto:${mailto}?subject=unsubscribe>`);
  return targets.join(', ');
}

/** A journey email's send step, split variant and send day: what its SES events are counted under. */
export interface SentStep {
  step: string;
  variant?: string | undefined;
  /** yyyy-mm-dd (UTC) the email was sent. */
  day: string;
}

/**
 * `<ref>; attempt=<id>[; step=<id>[; variant=<id>]; day=<yyyy-mm-dd>]`, the ref being base64url of
 * customer, campaign and period joined by line feeds (no id can hold one: every boundary refuses
 * control characters). base64url grows any id by 4/3, where percent-encoding grew a Chinese one
 * ninefold. A journey email carries its step (journey step ids are slugs), so SES feedback counts
 * its results without reading the ledger; left out when it would not fit SES's header limit.
 */
export function sendReference(ref: LedgerRef, attemptId: string, sentStep?: SentStep): string {
  const text = [ref.customerId, ref.campaignId, ref.period].join('\n');
  const base = `${Buffer.from(text, 'utf8').toString('base64url')}; attempt=${attemptId}`;
  if (!sentStep) return base;
  const withStep = `${base}; step=${sentStep.step}${sentStep.variant ? `; variant=${sentStep.variant}` : ''}; day=${sentStep.day}`;
  return withStep.length <= SES_HEADER_VALUE_MAX && REFERENCE.test(withStep) ? withStep : base;
}

const REFERENCE =
  /^([\w-]+); attempt=([\w-]+)(?:; step=([a-z0-9-]+)(?:; variant=([a-z0-9-]+))?; day=(\d{4}-\d{2}-\d{2}))?$/;

/** What an email's send reference names: its ledger entry, the attempt and (journeys) the step sent. */
export interface SendReference {
  ref: LedgerRef;
  attemptId: string;
  sentStep?: SentStep;
}

export function parseSendReference(value: string): SendReference | undefined {
  const match = REFERENCE.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  const parts = Buffer.from(match[1], 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
  const [customerId, campaignId, period] = parts as [string, string, string];
  const [, , , step, variant, day] = match;
  return {
    ref: { customerId, campaignId, period },
    attemptId: match[2],
    ...(step && day ? { sentStep: { step, ...(variant ? { variant } : {}), day } } : {}),
  };
}

export function sendHeaders(
  unsubscribeUrl: string,
  mailto: string | undefined,
  ref: LedgerRef,
  attemptId: string,
  sentStep?: SentStep,
): { name: string; value: string }[] {
  return [
    { name: 'List-Unsubscribe', value: listUnsubscribe(unsubscribeUrl, mailto) },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    { name: SEND_REFERENCE_HEADER, value: sendReference(ref, attemptId, sentStep) },
  ];
}

/**
 * An id of `bytes` UTF-8 bytes as the token holds it: one field per line, nothing escaped, so its
 * size there is its size (a quote is one byte, as in the JSON tokens before it was two).
 */
const longestId = (bytes: number) => '"'.repeat(bytes);

/** The longest List-Unsubscribe any accepted customer and send request can produce with these settings. */
function longestListUnsubscribe(settings: Pick<UnsubscribeSettings, 'url' | 'mailto'>): number {
  const link = unsubscribeLink(
    {
      customerId: longestId(ID_MAX_BYTES),
      email: 'any@example.com',
      campaignId: longestId(CAMPAIGN_ID_MAX_BYTES),
      step: longestId(STEP_ID_MAX_BYTES),
      variant: longestId(STEP_ID_MAX_BYTES),
      sentOn: '9999-12-31',
      // Twelve digits of expiry: later than any real token's.
      expiresAt: new Date('9999-12-31T23:59:59Z'),
    },
    { url: settings.url, secret: 'any' },
  );
  return listUnsubscribe(link, settings.mailto).length;
}

/**
 * The header budget rule, checked at synth (infra/aws/config.ts) and when the sender starts: by how
 * many characters an unsubscribe URL and mailto make List-Unsubscribe pass SES's limit beside the
 * token of the longest customer id and campaign the contracts accept; 0 when it fits.
 */
export function headerBudgetOverrun(settings: Pick<UnsubscribeSettings, 'url' | 'mailto'>): number {
  return Math.max(0, longestListUnsubscribe(settings) - SES_HEADER_VALUE_MAX);
}

/** Refuses, when the sender starts, settings over the header budget, saying by how much. */
export function assertHeaderBudget(settings: Pick<UnsubscribeSettings, 'url' | 'mailto'>): void {
  const overrun = headerBudgetOverrun(settings);
  if (overrun > 0) {
    throw new Error(
      `invalid sender configuration: the unsubscribe URL (${settings.url.length} characters) and UNSUBSCRIBE_MAILTO ` +
        `(${settings.mailto?.length ?? 0}) make List-Unsubscribe up to ${SES_HEADER_VALUE_MAX + overrun} characters for the longest ` +
        `customer id, over SES's ${SES_HEADER_VALUE_MAX}: shorten them by ${overrun}`,
    );
  }
}
