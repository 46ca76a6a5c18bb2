// Helpers for the time-based campaign tests: who got which email, and a scheduler outage.
import type { LocalRuntime } from '#infra/local/runtime.ts';

/** Subjects of the emails SES local holds for one address, oldest first. */
export async function subjectsTo(local: LocalRuntime, address: string): Promise<string[]> {
  return (await local.emails())
    .filter((email) => email.destination.to.includes(address))
    .map((email) => email.subject);
}

/** Plain-text bodies of the emails for one address, oldest first. */
export async function textsTo(local: LocalRuntime, address: string): Promise<string[]> {
  return (await local.emails())
    .filter((email) => email.destination.to.includes(address))
    .map((email) => email.body.text ?? '');
}

/**
 * Moves the clock to `until` with the scheduler switched off (no ticks at all, as if its
 * EventBridge schedule or function were down), then switches it back on at that instant.
 */
export async function advanceWithSchedulerDown(local: LocalRuntime, until: string): Promise<void> {
  const index = local.schedules.findIndex((schedule) => schedule.name === 'scheduler');
  const [scheduler] = local.schedules.splice(index, 1);
  if (!scheduler) throw new Error('no local scheduler schedule');
  await local.advanceTo(until);
  scheduler.nextAt = Date.parse(until);
  scheduler.quietUntil = undefined;
  local.schedules.push(scheduler);
}
