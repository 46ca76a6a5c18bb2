import { describe, expect, it } from 'vitest';
import { DEFAULT_FREQUENCY_CAP, reserveCapSlot } from '#shared/domain/frequency-cap.ts';
import { DEFAULT_QUIET_HOURS, nextSendableInstant, parseQuietHours } from '#shared/domain/quiet-hours.ts';
import { decideSend, queueDelaySeconds, type Recipient } from '#shared/domain/send-rules.ts';

const config = { quietHours: DEFAULT_QUIET_HOURS, defaultTimeZone: 'UTC' };
const ada: Recipient = { email: 'ada@example.com', consentGranted: true, timeZone: 'Asia/Shanghai' };
const at = (iso: string) => new Date(iso);

describe('quiet hours (21:00-08:00 in the customer zone)', () => {
  it('lets a send through at 10:00 Shanghai time', () => {
    expect(nextSendableInstant(at('2026-03-02T02:00:00Z'), 'Asia/Shanghai', DEFAULT_QUIET_HOURS)).toEqual(
      at('2026-03-02T02:00:00Z'),
    );
  });

  it('defers a 22:30 Shanghai send to 08:00 the next local morning', () => {
    expect(nextSendableInstant(at('2026-03-02T14:30:00Z'), 'Asia/Shanghai', DEFAULT_QUIET_HOURS)).toEqual(
      at('2026-03-03T00:00:00Z'),
    );
  });

  it('defers a 05:00 send to 08:00 the same local day', () => {
    expect(nextSendableInstant(at('2026-03-01T21:00:00Z'), 'Asia/Shanghai', DEFAULT_QUIET_HOURS)).toEqual(
      at('2026-03-02T00:00:00Z'),
    );
  });

  it('finds 08:00 New York across the spring-forward night (EST evening -> EDT morning)', () => {
    // 2026-03-07 23:00 EST = 04:00Z on the 8th; DST starts 02:00 local on the 8th.
    expect(nextSendableInstant(at('2026-03-08T04:00:00Z'), 'America/New_York', DEFAULT_QUIET_HOURS)).toEqual(
      at('2026-03-08T12:00:00Z'),
    );
  });

  it('is at 08:00 in Kiritimati (UTC+14) on its own calendar day', () => {
    // 2026-03-01 10:00Z is 2026-03-02 00:00 in Kiritimati.
    expect(
      nextSendableInstant(at('2026-03-01T10:00:00Z'), 'Pacific/Kiritimati', DEFAULT_QUIET_HOURS),
    ).toEqual(at('2026-03-01T18:00:00Z'));
  });

  it('parses a configured window and "off"', () => {
    expect(parseQuietHours('22:30-07:15')).toEqual({ startMinute: 1350, endMinute: 435 });
    expect(parseQuietHours('off')).toBeUndefined();
    expect(() => parseQuietHours('9pm-8am')).toThrow(/21:00-08:00/);
  });
});

describe('send-time decision', () => {
  const now = at('2026-03-02T02:00:00Z');

  it('sends to a consenting customer with an address outside quiet hours', () => {
    expect(decideSend(ada, {}, now, config)).toEqual({ kind: 'send' });
  });

  it('skips unknown, unconsented, opted-out, suppressed and address-less customers', () => {
    expect(decideSend(undefined, {}, now, config)).toEqual({ kind: 'skip', reason: 'unknown-customer' });
    expect(decideSend({ ...ada, consentGranted: false }, {}, now, config)).toEqual({
      kind: 'skip',
      reason: 'no-consent',
    });
    expect(
      decideSend(
        { ...ada, optedOut: { at: '2026-01-01T00:00:00Z', source: 'unsubscribe-link' } },
        {},
        now,
        config,
      ),
    ).toEqual({
      kind: 'skip',
      reason: 'opted-out',
    });
    expect(
      decideSend({ ...ada, suppressed: { at: '2026-01-01T00:00:00Z', reason: 'bounce' } }, {}, now, config),
    ).toEqual({
      kind: 'skip',
      reason: 'suppressed',
    });
    expect(decideSend({ ...ada, email: undefined }, {}, now, config)).toEqual({
      kind: 'skip',
      reason: 'no-email',
    });
  });

  it('defers rather than drops inside quiet hours, using the program zone when the customer has none', () => {
    const late = at('2026-03-02T22:00:00Z');
    expect(decideSend({ ...ada, timeZone: undefined }, {}, late, config)).toEqual({
      kind: 'defer',
      until: at('2026-03-03T08:00:00Z'),
      reason: 'quiet-hours',
    });
  });

  it('holds a request until its notBefore', () => {
    expect(decideSend(ada, { notBefore: '2026-03-02T05:00:00Z' }, now, config)).toEqual({
      kind: 'defer',
      until: at('2026-03-02T05:00:00Z'),
      reason: 'not-before',
    });
  });

  it('caps a queue delay at the SQS maximum of 15 minutes', () => {
    expect(queueDelaySeconds(at('2026-03-02T10:00:00Z'), now)).toBe(900);
    expect(queueDelaySeconds(at('2026-03-02T02:01:00.5Z'), now)).toBe(61);
  });
});

describe('frequency cap (2 marketing emails per 7 days)', () => {
  const now = at('2026-03-10T12:00:00Z');

  it('allows the first two sends in a window and counts a retried send only once', () => {
    const first = reserveCapSlot({}, 'a', now, DEFAULT_FREQUENCY_CAP);
    expect(first.allowed).toBe(true);
    if (!first.allowed) return;
    const again = reserveCapSlot(first.recent, 'a', now, DEFAULT_FREQUENCY_CAP);
    expect(again).toEqual(first);
    const second = reserveCapSlot(first.recent, 'b', now, DEFAULT_FREQUENCY_CAP);
    expect(second.allowed && Object.keys(second.recent)).toEqual(['a', 'b']);
  });

  it('defers a third send until the oldest one leaves the window', () => {
    const recent = { a: '2026-03-05T09:00:00.000Z', b: '2026-03-08T09:00:00.000Z' };
    expect(reserveCapSlot(recent, 'c', now, DEFAULT_FREQUENCY_CAP)).toEqual({
      allowed: false,
      freesAt: at('2026-03-12T09:00:01Z'),
    });
  });

  it('forgets sends older than the window', () => {
    const recent = { a: '2026-03-01T09:00:00.000Z', b: '2026-03-08T09:00:00.000Z' };
    const decision = reserveCapSlot(recent, 'c', now, DEFAULT_FREQUENCY_CAP);
    expect(decision.allowed && Object.keys(decision.recent)).toEqual(['b', 'c']);
  });
});
