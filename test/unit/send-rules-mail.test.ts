import { describe, expect, it } from 'vitest';
import { sentMailFromSesLocal } from '#shared/mail/ses-events.ts';
import { classifySesError, tagValue } from '#shared/mail/ses-mailer.ts';
import { ledgerRefText, parseLedgerRefText } from '#shared/store/ledger.ts';

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
    const text = ledgerRefText(ref);
    expect(text).not.toMatch(/[;\s]/);
    expect(parseLedgerRefText(text)).toEqual(ref);
    expect(parseLedgerRefText('not/a')).toBeUndefined();
  });

  it('give the campaign tag back for an email SES local stored', () => {
    const mail = sentMailFromSesLocal(
      {
        messageId: 'ses-1',
        destination: { to: ['a@example.com'] },
        headers: [{ name: 'X-Loyalty-Send', value: `${ledgerRefText(ref)}; attempt=abc` }],
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
