import { createHmac } from 'node:crypto';
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

  it('carries the campaign, send step, variant and day of the email, signed with the rest', () => {
    const fromEmail = createUnsubscribeToken(
      {
        customerId: 'c1',
        email: 'ada@example.com',
        expiresAt: new Date('2026-06-01T00:00:00Z'),
        campaignId: 'win-back',
        step: 'day-90',
        variant: 'bigger-offer',
        sentOn: '2026-05-01',
      },
      secret,
    );
    const check = verifyUnsubscribeToken(fromEmail, secret, now);
    expect(check.valid && check.claims).toMatchObject({
      campaignId: 'win-back',
      step: 'day-90',
      variant: 'bigger-offer',
      sentOn: '2026-05-01',
    });
    // Any field changed (the step here) breaks the signature.
    const [payload, signature] = fromEmail.split('.') as [string, string];
    const swapped = Buffer.from(
      Buffer.from(payload, 'base64url').toString('utf8').replace('day-90', 'day-60'),
    ).toString('base64url');
    expect(verifyUnsubscribeToken(`${swapped}.${signature}`, secret, now)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
    const plain = verifyUnsubscribeToken(token, secret, now);
    expect(plain.valid && plain.claims).toEqual({ customerId: 'c1', emailHash: emailHash('ada@example.com'), exp: 1780272000 });
  });

  it('still accepts the JSON tokens issued before, with or without their campaign', () => {
    const jsonToken = (claims: object) => {
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
    };
    const claims = { customerId: 'c1', emailHash: emailHash('ada@example.com'), exp: 1780272000 };
    expect(verifyUnsubscribeToken(jsonToken(claims), secret, now)).toEqual({ valid: true, claims });
    const withCampaign = verifyUnsubscribeToken(jsonToken({ ...claims, campaignId: 'birthday' }), secret, now);
    expect(withCampaign.valid && withCampaign.claims).toEqual({ ...claims, campaignId: 'birthday' });
  });

  it('refuses a signed payload whose lines do not make a token', () => {
    const signed = (text: string) => {
      const payload = Buffer.from(text).toString('base64url');
      return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
    };
    const hash = emailHash('ada@example.com');
    expect(verifyUnsubscribeToken(signed(`u2\nc1\n${hash}\n1780272000\n\n\n\n`), secret, now).valid).toBe(true);
    for (const text of [
      `u2\nc1\n${hash}\n1780272000\n\n\n`, // a field short
      `u2\nc1\n${hash}\nsoon\n\n\n\n`, // expiry not a number
      `u2\nc1\n${hash}\n1780272000\n\n\n\nMay 1`, // day not YYYY-MM-DD
      `u3\nc1\n${hash}\n1780272000\n\n\n\n`, // unknown format
    ])
      expect(verifyUnsubscribeToken(signed(text), secret, now), text).toEqual({ valid: false, reason: 'malformed' });
  });

  it('refuses to sign a field holding a line break (the boundaries never let one in)', () => {
    expect(() =>
      createUnsubscribeToken(
        { customerId: 'c1', email: 'a@example.com', expiresAt: new Date('2026-06-01T00:00:00Z'), step: 'a\nb' },
        secret,
      ),
    ).toThrow(/step "a\\nb" holds a control character/);
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyUnsubscribeToken(token, 'other', now)).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('rejects a token whose claims were altered', () => {
    const [payload, signature] = token.split('.') as [string, string];
    const altered = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace('c1', 'c2')).toString('base64url');
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
