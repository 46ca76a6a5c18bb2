// `wait`: { days } | { hours } from when the step is reached, or { until: { hour } }, the next
// local time of day in the customer's zone. The run sits on the due index until then.
import { nextStepId, type Wait, type WaitStep } from '../../domain/journey.ts';
import { addDays, localDateTimeAt, nextLocalTimeOfDay, zonedTimeToUtc } from '../../domain/local-time.ts';
import type { StepModule } from './types.ts';

const HOUR_MS = 3_600_000;

/** `days` are calendar days in the customer's zone (same local time, across DST changes). */
export function waitUntil(wait: Wait, now: Date, timeZone: string): Date {
  if ('days' in wait) {
    const local = localDateTimeAt(now, timeZone);
    return zonedTimeToUtc({ ...addDays(local, wait.days), hour: local.hour, minute: local.minute }, timeZone);
  }
  if ('hours' in wait) return new Date(now.getTime() + wait.hours * HOUR_MS);
  return nextLocalTimeOfDay(now, wait.until.hour, timeZone);
}

export const waitStep: StepModule<WaitStep> = {
  async run({ version, step, state, now, facts }) {
    if (state.waitUntil) {
      if (Date.parse(state.waitUntil) <= now.getTime())
        return {
          kind: 'go',
          to: nextStepId(version.journey, step.id),
          outcome: 'waited',
          detail: `until ${state.waitUntil}`,
        };
      return {
        kind: 'wait',
        until: new Date(state.waitUntil),
        outcome: 'waiting',
        detail: `until ${state.waitUntil}`,
      };
    }
    const zone = (await facts())?.stored.profile.timeZone ?? version.journey.send.defaultTimeZone;
    const until = waitUntil(step.wait, now, zone);
    return { kind: 'wait', until, outcome: 'waiting', detail: `until ${until.toISOString()}` };
  },
};
