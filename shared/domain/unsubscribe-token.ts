// Signed, expiring unsubscribe tokens: HMAC-SHA256 over (customerId, hash of the address the
// email went to, expiry, and the email's campaign, step, variant and day, which the unsubscribe is
// counted on). Nothing in the token is secret, nothing in it can be changed without
// the key, and it names the address so a link stops working once the customer's address changes.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

const nonEmpty = z.string().min(1);

const unsubscribeClaims = z.object({
  customerId: nonEmpty,
  /** base64url SHA-256 of the lower-cased address, truncated: binds the link to that address. */
  emailHash: z.string(),
  /** Expiry, epoch seconds. */
  exp: z.number(),
  /**
   * The campaign whose email carried the link (signed like the rest, so it cannot be swapped);
   * absent in tokens issued before it existed, which stay valid.
   */
  campaignId: nonEmpty.optional(),
  /**
   * The journey send step, split variant and UTC day of the email that carried the link, so the
   * unsubscribe counts on that step's row of the day it was sent; absent in older tokens.
   */
  step: nonEmpty.optional(),
  variant: nonEmpty.optional(),
  sentOn: z.iso.date().optional(),
});
export type UnsubscribeClaims = z.infer<typeof unsubscribeClaims>;

/** The email a link came from, as far as the token names it. */
export type UnsubscribeOrigin = Pick<UnsubscribeClaims, 'campaignId' | 'step' | 'variant' | 'sentOn'>;

export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 22);
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('base64url');
}

/**
 * Tokens are one field per line after a version tag: nothing is escaped (JSON doubled a quote), so
 * the longest ids the boundaries accept still fit SES's header limit. The boundaries refuse control
 * characters in every id, so no field can hold a line feed. Tokens issued before were JSON.
 */
const LINES_TAG = 'u2';
const LINE_FIELDS = ['customerId', 'emailHash', 'exp', 'campaignId', 'step', 'variant', 'sentOn'] as const;

export function createUnsubscribeToken(
  input: { customerId: string; email: string; expiresAt: Date } & UnsubscribeOrigin,
  secret: string,
): string {
  const claims: Record<(typeof LINE_FIELDS)[number], string> = {
    customerId: input.customerId,
    emailHash: emailHash(input.email),
    exp: String(Math.floor(input.expiresAt.getTime() / 1000)),
    campaignId: input.campaignId ?? '',
    step: input.step ?? '',
    variant: input.variant ?? '',
    sentOn: input.sentOn ?? '',
  };
  const fields = LINE_FIELDS.map((name) => claims[name]);
  const bad = LINE_FIELDS.find((name) => /\p{Cc}/u.test(claims[name]));
  if (bad) throw new Error(`unsubscribe token: ${bad} ${JSON.stringify(claims[bad])} holds a control character`);
  const payload = Buffer.from([LINES_TAG, ...fields].join('\n'), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The claims of a signed payload, in the line format or the JSON of older tokens. */
function claimsOf(payload: string): unknown {
  const text = Buffer.from(payload, 'base64url').toString('utf8');
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const [tag, ...fields] = text.split('\n');
  if (tag !== LINES_TAG || fields.length !== LINE_FIELDS.length) return undefined;
  const claims = Object.fromEntries(
    LINE_FIELDS.flatMap((name, i) => (fields[i] ? [[name, fields[i]] as const] : [])),
  );
  return { ...claims, exp: /^\d+$/.test(claims.exp ?? '') ? Number(claims.exp) : undefined };
}

export type TokenCheck =
  | { valid: true; claims: UnsubscribeClaims }
  | { valid: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** Verifies signature (constant time) before reading anything, then expiry against `now`. */
export function verifyUnsubscribeToken(token: string, secret: string, now: Date): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { valid: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  // Node's decoder skips padding and stray characters, so `sig=`, `sig!!` or an inserted `*`
  // would verify: only the one canonical unpadded base64url spelling of each part is accepted.
  if (!isCanonicalBase64Url(payload) || !isCanonicalBase64Url(signature))
    return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(sign(payload, secret), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad-signature' };
  }
  const parsed = unsubscribeClaims.safeParse(claimsOf(payload));
  if (!parsed.success) return { valid: false, reason: 'malformed' };
  const claims = parsed.data;
  if (claims.exp * 1000 <= now.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, claims };
}

function isCanonicalBase64Url(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}
