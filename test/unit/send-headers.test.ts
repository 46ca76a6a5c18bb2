// Every header an email carries fits SES's limit (870 printable ASCII characters) for the longest
// ids the contracts accept; settings that would leave too little room are refused up front.
import { describe, expect, it } from 'vitest';
import { customerUpsertedDetail, ID_MAX_BYTES } from '#shared/events/contracts.ts';
import {
  assertHeaderBudget,
  CAMPAIGN_ID_MAX_BYTES,
  PERIOD_MAX_BYTES,
  parseSendReference,
  SES_HEADER_VALUE_MAX,
  STEP_ID_MAX_BYTES,
  sendHeaders,
  unsubscribeLink,
} from '#shared/mail/send-headers.ts';
import { senderConfig, senderEnv } from '#shared/mail/sender-config.ts';
import { sendRequestSchema } from '#shared/mail/send-request.ts';

/** A Chinese id of exactly `bytes` UTF-8 bytes (3 per character, ASCII to make up the rest). */
const chinese = (bytes: number) => '客'.repeat(Math.floor(bytes / 3)) + 'x'.repeat(bytes % 3);
const FUNCTION_URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-4.on.aws/';

describe('email headers for the longest ids the contracts accept', () => {
  for (const [name, customerId] of [
    ['Chinese', chinese(ID_MAX_BYTES)],
    ['quotes (doubled in the token)', '"'.repeat(ID_MAX_BYTES)],
  ] as const) {
    it(`stay printable ASCII within ${SES_HEADER_VALUE_MAX} characters: ${name}`, () => {
      const ref = {
        customerId,
        campaignId: 'c'.repeat(CAMPAIGN_ID_MAX_BYTES),
        period: chinese(PERIOD_MAX_BYTES),
      };
      const link = unsubscribeLink(
        {
          customerId,
          email: 'longest@example.com',
          campaignId: '"'.repeat(CAMPAIGN_ID_MAX_BYTES),
          step: chinese(STEP_ID_MAX_BYTES),
          variant: '"'.repeat(STEP_ID_MAX_BYTES),
          sentOn: '2026-12-31',
          expiresAt: new Date('2027-01-01T00:00:00Z'),
        },
        { url: FUNCTION_URL, secret: 's' },
      );
      const headers = sendHeaders(
        link,
        'unsubscribe@mail.example.com',
        ref,
        '6f1c1a4e-2b8f-4c38-9a53-0f3f5d3b9e11',
      );
      for (const header of headers) {
        expect(header.value).toMatch(/^[ -~]+$/);
        expect(header.value.length).toBeLessThanOrEqual(SES_HEADER_VALUE_MAX);
      }
      const reference = headers.find((header) => header.name === 'X-Loyalty-Send')?.value ?? '';
      expect(parseSendReference(reference)?.ref).toEqual(ref);
    });
  }

  it('refuses a customer id one byte over the bound, naming the field and its size', () => {
    const parsed = customerUpsertedDetail.safeParse({
      customerId: chinese(ID_MAX_BYTES + 1),
      email: 'c@example.com',
      marketingConsent: true,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({
        path: ['customerId'],
        message: `must be at most ${ID_MAX_BYTES} bytes in UTF-8 (it is 129)`,
      }),
    ]);
    expect(
      customerUpsertedDetail.safeParse({
        customerId: chinese(ID_MAX_BYTES),
        email: 'c@example.com',
        marketingConsent: true,
      }).success,
    ).toBe(true);
  });

  it('refuses a send request whose campaign, step, variant or period would not fit or holds a line break', () => {
    const request = {
      customerId: 'c',
      campaignId: 'news',
      step: 'send',
      period: '2027',
      template: 'news',
      requestedAt: '2027-01-01T00:00:00Z',
      journey: { version: 1, entryId: 'e', enteredAt: '2027-01-01T00:00:00Z' },
    };
    expect(sendRequestSchema.safeParse(request).success).toBe(true);
    const tooLong = sendRequestSchema.safeParse({
      ...request,
      campaignId: 'c'.repeat(65),
      step: chinese(STEP_ID_MAX_BYTES + 1),
      period: chinese(PERIOD_MAX_BYTES + 1),
      journey: { version: 1, entryId: 'e', enteredAt: '2027-01-01T00:00:00Z', variant: 'v\nw' },
    });
    expect(tooLong.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'campaignId: must be at most 64 bytes in UTF-8 (it is 65)',
      'step: must be at most 64 bytes in UTF-8 (it is 65)',
      'period: must be at most 256 bytes in UTF-8 (it is 257)',
      'journey.variant: must not contain control characters',
    ]);
  });
});

describe('sender settings', () => {
  it('refuse an unsubscribe URL and mailto that leave no room for the longest token, saying by how much', () => {
    expect(() =>
      assertHeaderBudget({ url: FUNCTION_URL, mailto: 'unsubscribe@mail.example.com' }),
    ).not.toThrow();
    const env = senderEnv.parse({
      FUNCTION_URL_UNSUBSCRIBE: `${FUNCTION_URL}${'p'.repeat(300)}`,
      UNSUBSCRIBE_MAILTO: 'unsubscribe@mail.example.com',
    });
    expect(() => senderConfig(env, 'secret')).toThrow(
      /List-Unsubscribe up to \d+ characters .* over SES's 870: shorten them by \d+/,
    );
  });
});
