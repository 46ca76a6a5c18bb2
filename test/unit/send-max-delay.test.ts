import { describe, expect, it } from 'vitest';
import { journeySchema, sendRulesOf } from '#shared/domain/journey.ts';
import { lateness } from '#shared/journeys/steps/send.ts';

const journey = (send: Record<string, unknown> = {}, trigger: Record<string, unknown> = { on: 'event', event: 'Tier Changed' }) =>
  journeySchema.parse({
    id: 'j',
    name: 'J',
    trigger,
    send,
    steps: [{ id: 'hello', send: { template: 't' } }],
  });
const at = (iso: string) => new Date(iso);

describe('send.maxDelay', () => {
  it('defaults to 2 days; a step may override the journey', () => {
    const plain = journey();
    const step = plain.steps[0];
    if (!step || !('send' in step)) throw new Error('send step');
    expect(sendRulesOf(plain, step.send).maxDelay).toBe('2d');
    expect(sendRulesOf(journey({ maxDelay: '36h' }), step.send).maxDelay).toBe('36h');
    expect(sendRulesOf(plain, { ...step.send, maxDelay: '5d' }).maxDelay).toBe('5d');
  });

  it('refuses a delay it cannot read, naming the value', () => {
    expect(() => journey({ maxDelay: '2 weeks' })).toThrow(/must be a number of days or hours/);
  });

  it('skips an event-triggered send more than maxDelay after the event, saying how late', () => {
    const { trigger } = journey();
    const state = { enteredAt: '2026-03-01T10:00:00.000Z' };
    expect(lateness(trigger, state, at('2026-03-03T10:00:00Z'), '2d')).toBeUndefined();
    expect(lateness(trigger, state, at('2026-03-03T10:00:01Z'), '2d')).toBe(
      'too late: due since the Tier Changed event at 2026-03-01T10:00:00.000Z, 2 days ago — more than send.maxDelay 2d',
    );
    expect(lateness(trigger, state, at('2026-03-01T20:00:00Z'), '6h')).toMatch(/10 hours ago — more than send.maxDelay 6h$/);
  });

  it('counts from the end of the wait before the send, not from the event', () => {
    const { trigger } = journey();
    const state = { enteredAt: '2026-03-01T10:00:00.000Z', dueSince: '2026-03-08T10:00:00.000Z' };
    expect(lateness(trigger, state, at('2026-03-09T10:00:00Z'), '2d')).toBeUndefined();
    expect(lateness(trigger, state, at('2026-03-11T10:00:00Z'), '2d')).toMatch(/^too late: due since the end of the wait/);
  });

  it('leaves date triggers to their own catch-up window', () => {
    const { trigger } = journey({}, { on: 'birthday' });
    expect(lateness(trigger, { enteredAt: '2025-01-01T00:00:00.000Z' }, at('2026-03-01T00:00:00Z'), '2d')).toBeUndefined();
  });
});
