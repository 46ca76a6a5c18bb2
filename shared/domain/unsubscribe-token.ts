// Signed, expiring unsubscribe tokens: HMAC-SHA256 over (customerId, hash of the address the
// email went to, expiry). Nothing in the token is secret, nothing in it can be changed without
// the key, and it names the address so a link stops working once the customer's address changes.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeClaims {
  customerId: string;
  /** base64url SHA-256 of the lower-cased address, truncated: binds the link to that address. */
  emailHash: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /**
   * The campaign whose email carried the link (signed like the rest, so it cannot be swapped);
   * absent in tokens issued before it existed, which stay valid.
   */
  campaignId?: string;
}

export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 22);
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('base64url');
}

export function createUnsubscribeToken(
  input: { customerId: string; email: string; expiresAt: Date; campaignId?: string },
  secret: string,
): string {
  const claims: UnsubscribeClaims = {
    customerId: input.customerId,
    emailHash: emailHash(input.email),
    exp: Math.floor(input.expiresAt.getTime() / 1000),
    ...(input.campaignId ? { campaignId: input.campaignId } : {}),
  };
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
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
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (!isClaims(claims)) return { valid: false, reason: 'malformed' };
  if (claims.exp * 1000 <= now.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, claims };
}

function isCanonicalBase64Url(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}

function isClaims(value: unknown): value is UnsubscribeClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    typeof claims.customerId === 'string' &&
    claims.customerId.length > 0 &&
    typeof claims.emailHash === 'string' &&
    typeof claims.exp === 'number' &&
    Number.isFinite(claims.exp) &&
    (claims.campaignId === undefined ||
      (typeof claims.campaignId === 'string' && claims.campaignId.length > 0))
  );
}
