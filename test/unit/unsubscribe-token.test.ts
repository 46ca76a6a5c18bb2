import { describe, expect, it } from 'vitest';
import {
  createUnsubscribeToken,
  emailHash,
  verifyUnsubscribeToken,
} from '#shared/domain/unsubscribe-token.ts';

const secret = 'test-secret';
const now = new Date('2026-05-01T00:00:00Z');
const token = createUnsubscribeToken(
  { customerId: 'c1', email: 'Ada@Example.com', expiresAt: new Date('2026-06-01T00:00:00Z') },
  secret,
);

describe('unsubscribe token', () => {
  it('verifies a token it signed and names the customer and address', () => {
    const check = verifyUnsubscribeToken(token, secret, now);
    expect(check).toEqual({
      valid: true,
      claims: { customerId: 'c1', emailHash: emailHash('ada@example.com'), exp: 1780272000 },
    });
  });

  it('carries the campaign when given, signed with the rest; a token without one stays valid', () => {
    const withCampaign = createUnsubscribeToken(
      {
        customerId: 'c1',
        email: 'ada@example.com',
        expiresAt: new Date('2026-06-01T00:00:00Z'),
        campaignId: 'birthday',
      },
      secret,
    );
    const check = verifyUnsubscribeToken(withCampaign, secret, now);
    expect(check.valid && check.claims.campaignId).toBe('birthday');
    const [payload, signature] = withCampaign.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const swapped = Buffer.from(JSON.stringify({ ...claims, campaignId: 'win-back' })).toString('base64url');
    expect(verifyUnsubscribeToken(`${swapped}.${signature}`, secret, now)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
    const legacy = verifyUnsubscribeToken(token, secret, now);
    expect(legacy.valid && legacy.claims.campaignId).toBeUndefined();
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyUnsubscribeToken(token, 'other', now)).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('rejects a token whose claims were altered', () => {
    const [payload, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, customerId: 'c2' })).toString('base64url');
    expect(verifyUnsubscribeToken(`${altered}.${signature}`, secret, now)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('rejects an expired token', () => {
    expect(verifyUnsubscribeToken(token, secret, new Date('2026-06-01T00:00:00Z'))).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('rejects garbage', () => {
    expect(verifyUnsubscribeToken('not-a-token', secret, now)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyUnsubscribeToken('a.b.c', secret, now)).toEqual({ valid: false, reason: 'malformed' });
  });
});
