import { describe, expect, it } from 'vitest';
import { functionSettings } from '#functions/commons/runtime.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import {
  EMAIL_HISTORY_DEFAULT_DAYS,
  emailHistoryEnv,
  expiresAfter,
  HISTORY_READERS,
  historyTooShort,
  MESSAGE_LIFETIME_DAYS,
} from '#shared/domain/email-history.ts';
import { REPORT_LOOKBACK_DAYS, standardPeriods } from '#shared/domain/report-periods.ts';
import { senderEnv } from '#shared/mail/sender-config.ts';

const longest = Math.max(...HISTORY_READERS.map((reader) => reader.days));

describe('email history retention', () => {
  it('expires an item the retention after its instant, in epoch seconds', () => {
    expect(expiresAfter(new Date('2027-01-01T09:30:00.900Z'), 400)).toBe(Date.parse('2028-02-05T09:30:00Z') / 1000);
  });

  it("reaches back as far as the report's oldest standard period, any day of a year", () => {
    for (let day = 0; day < 366; day++) {
      const now = new Date(Date.UTC(2027, 0, 1) + day * DAY_MS + 13 * 3_600_000);
      const oldest = Math.min(...standardPeriods(now).map((period) => period.from.getTime()));
      expect(now.getTime() - oldest, now.toISOString()).toBeLessThanOrEqual(REPORT_LOOKBACK_DAYS * DAY_MS);
    }
  });

  it('accepts the default, and no less than the longest window a reader needs', () => {
    expect(longest).toBe(REPORT_LOOKBACK_DAYS);
    expect(historyTooShort(EMAIL_HISTORY_DEFAULT_DAYS)).toBeUndefined();
    expect(historyTooShort(longest)).toBeUndefined();
    expect(historyTooShort(longest - 1)).toBe(
      `must be at least ${longest} days: the weekly report's longest standard period (three calendar months and this one's days), whose sends, holdouts and conversions it counts`,
    );
  });

  it("rejects a function's too short EMAIL_HISTORY_DAYS naming the variable and its value", () => {
    expect(functionSettings('journeys', emailHistoryEnv, {}).EMAIL_HISTORY_DAYS).toBe(400);
    expect(functionSettings('journeys', emailHistoryEnv, { EMAIL_HISTORY_DAYS: '200' }).EMAIL_HISTORY_DAYS).toBe(200);
    expect(() => functionSettings('journeys', emailHistoryEnv, { EMAIL_HISTORY_DAYS: '90' })).toThrow(
      /^invalid journeys configuration: EMAIL_HISTORY_DAYS must be at least 124 days: the weekly report's .* \(is "90"\)$/,
    );
    expect(() => functionSettings('journeys', emailHistoryEnv, { EMAIL_HISTORY_DAYS: 'a year' })).toThrow(
      /EMAIL_HISTORY_DAYS .*\(is "a year"\)/,
    );
  });

  it("holds the sender's retention to its own frequency cap and unsubscribe link windows", () => {
    const sender = (env: Record<string, string>) => () => functionSettings('sender', senderEnv, env);
    expect(sender({ EMAIL_HISTORY_DAYS: '200', FREQUENCY_CAP_DAYS: '30', UNSUBSCRIBE_TOKEN_TTL_DAYS: '180' })()).toMatchObject({
      EMAIL_HISTORY_DAYS: 200,
    });
    expect(sender({ EMAIL_HISTORY_DAYS: '200', UNSUBSCRIBE_TOKEN_TTL_DAYS: '365' })).toThrow(
      "EMAIL_HISTORY_DAYS must be at least 365 days: an unsubscribe link's validity (UNSUBSCRIBE_TOKEN_TTL_DAYS) (is \"200\")",
    );
    const capDays = 200 - MESSAGE_LIFETIME_DAYS + 1;
    const deferred = `a request deferred up to ${capDays} days (FREQUENCY_CAP_DAYS, quiet hours, LEDGER_LEASE_SECONDS) and then dead-lettered, read again`;
    expect(sender({ EMAIL_HISTORY_DAYS: '200', FREQUENCY_CAP_DAYS: String(capDays) })).toThrow(
      `EMAIL_HISTORY_DAYS must be at least 201 days: ${deferred} (is "200")`,
    );
    expect(sender({ EMAIL_HISTORY_DAYS: '200', LEDGER_LEASE_SECONDS: String(capDays * 86_400) })).toThrow(deferred);
  });
});
