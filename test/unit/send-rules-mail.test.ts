import { describe, expect, it } from 'vitest';
import { sentMailFromSesLocal } from '#shared/mail/ses-events.ts';
import { classifySesError, tagValue } from '#shared/mail/ses-mailer.ts';
import { parseSendReference, sendReference } from '#shared/mail/send-headers.ts';

describe('SES error handling', () => {
  it('treats 429 and throttling codes as throttling, 5xx as server errors, other 4xx as rejections', () => {
    expect(classifySesError({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })).toBe(
      'throttled',
    );
    expect(classifySesError({ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } })).toBe(
      'throttled',
    );
    expect(classifySesError({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })).toBe('server');
    expect(classifySesError({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } })).toBe(
      'rejected',
    );
  });

  it('calls a network error or timeout unknown: SES may have taken the email', () => {
    expect(classifySesError(new Error('socket hang up'))).toBe('unknown');
  });

  it('keeps tag values within the characters SES accepts', () => {
    expect(tagValue('win-back day_60')).toBe('win-back_day_60');
    expect(tagValue('Gold#2026-11-01T00:00:00.000Z')).toBe('Gold_2026-11-01T00_00_00_000Z');
    expect(tagValue('')).toBe('_');
  });
});

describe('send references', () => {
  const ref = { customerId: 'c/1;x', campaignId: 'tier-upgrade', period: 'Gold#2026-11-01T00:00:00.000Z' };

  it('round-trip through the header text whatever the ids contain', () => {
    for (const customerId of ['c/1;x', '客'.repeat(42), 'a=b; attempt=c', '"\\']) {
      const value = sendReference({ ...ref, customerId }, 'abc-1');
      expect(value).toMatch(/^[\w-]+; attempt=abc-1$/);
      expect(parseSendReference(value)).toEqual({ ref: { ...ref, customerId }, attemptId: 'abc-1' });
    }
    expect(parseSendReference('not/a; attempt=1')).toBeUndefined();
    expect(
      parseSendReference(`${Buffer.from('only\ntwo').toString('base64url')}; attempt=1`),
    ).toBeUndefined();
  });

  it("carry a journey email's step, variant and send day, and leave them out when they would not fit", () => {
    const sentStep = { step: 'day-60', variant: 'b', day: '2026-11-30' };
    const value = sendReference(ref, 'abc-1', sentStep);
    expect(value).toMatch(/; step=day-60; variant=b; day=2026-11-30$/);
    expect(parseSendReference(value)).toEqual({ ref, attemptId: 'abc-1', sentStep });
    const noVariant = sendReference(ref, 'abc-1', { step: 'greeting', day: '2026-11-30' });
    expect(parseSendReference(noVariant)?.sentStep).toEqual({ step: 'greeting', day: '2026-11-30' });
    // A step id so long the header would pass SES's 870 characters: the reference alone goes out.
    const long = sendReference(ref, 'abc-1', { step: 'x'.repeat(900), day: '2026-11-30' });
    expect(long).toBe(sendReference(ref, 'abc-1'));
    expect(parseSendReference(long)).toEqual({ ref, attemptId: 'abc-1' });
  });

  it('give the campaign tag back for an email SES local stored', () => {
    const mail = sentMailFromSesLocal(
      {
        messageId: 'ses-1',
        destination: { to: ['a@example.com'] },
        headers: [{ name: 'X-Loyalty-Send', value: sendReference(ref, 'abc') }],
      },
      undefined,
    );
    expect(mail).toMatchObject({
      messageId: 'ses-1',
      to: 'a@example.com',
      tags: { campaign: 'tier-upgrade' },
    });
  });
});
