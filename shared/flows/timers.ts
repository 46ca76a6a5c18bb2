// Arming the customer timers: the birthday timer follows the profile's birthday and time zone;
// the win-back timer follows the last purchase. Read -> pure decision -> conditional write,
// retried on a lost race; a timer armed close to now nudges the scheduler.
import { type BirthdayConfig, nextBirthdayDue } from '../domain/birthday.ts';
import type { CustomerProfile } from '../domain/customer.ts';
import {
  armedDueAt,
  type BirthdayTimerData,
  needsNudge,
  type Timer,
  type TimerData,
  type TimerRef,
  type WinBackTimerData,
} from '../domain/timers.ts';
import { firstWinBackDue, type WinBackConfig } from '../domain/win-back.ts';
import type { TimerStore } from '../store/timers.ts';

const MAX_RACE_RETRIES = 8;

export type ArmDecision<D extends TimerData> = { data: D; dueAt: Date | undefined } | 'unchanged';

/** Applies a decision to a customer's timer with an optimistic version check. */
export async function armTimer<D extends TimerData>(
  store: TimerStore,
  customerId: string,
  ref: TimerRef,
  now: Date,
  decide: (current: Timer | undefined) => ArmDecision<D>,
): Promise<ArmDecision<D>> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const current = await store.get(customerId, ref);
    const decision = decide(current);
    if (decision === 'unchanged') return decision;
    const dueAt = decision.dueAt && armedDueAt(decision.dueAt, now);
    const same =
      current &&
      current.dueAt === dueAt?.toISOString() &&
      JSON.stringify(current.data) === JSON.stringify(decision.data);
    if (same) return 'unchanged';
    if (await store.save(customerId, decision.data, dueAt, current?.version ?? 0)) {
      if (dueAt) await store.markSchedulerStart(now);
      if (dueAt && needsNudge(dueAt, now)) await store.nudge(dueAt);
      return { data: decision.data, dueAt };
    }
  }
  throw new Error(`${ref.kind} timer of customer ${customerId} kept changing under us; retrying`);
}

/** The birthday timer a profile calls for, keeping the once-a-year guard. */
export function decideBirthday(
  profile: Pick<CustomerProfile, 'birthday' | 'timeZone'>,
  current: Timer | undefined,
  now: Date,
  config: BirthdayConfig,
): ArmDecision<BirthdayTimerData> {
  const greetedYear = current?.data.kind === 'birthday' ? current.data.greetedYear : null;
  const due =
    config.enabled && profile.birthday
      ? nextBirthdayDue({
          birthday: profile.birthday,
          timeZone: profile.timeZone ?? config.defaultTimeZone,
          now,
          config,
          greetedYear: greetedYear ?? undefined,
        })
      : undefined;
  if (!due && !current) return 'unchanged';
  return { data: { kind: 'birthday', year: due?.year ?? null, greetedYear }, dueAt: due?.dueAt };
}

/**
 * Called after every applied (or redelivered) upsert: converges the birthday timer on the profile.
 * No shortcut on "birthday unchanged": a crash between the profile write and this arm is then
 * repaired by the redelivery or the next upsert.
 */
export async function armBirthday(
  store: TimerStore,
  config: BirthdayConfig,
  profile: Pick<CustomerProfile, 'customerId' | 'birthday' | 'timeZone'>,
  now: Date,
): Promise<void> {
  await armTimer(store, profile.customerId, { kind: 'birthday' }, now, (current) =>
    decideBirthday(profile, current, now, config),
  );
}

/** The win-back timer for a (possibly new) last purchase: a newer purchase starts a new lapse. */
export function decideWinBack(
  lastPurchaseAt: string | null | undefined,
  timeZone: string | undefined,
  current: Timer | undefined,
  now: Date,
  config: WinBackConfig,
): ArmDecision<WinBackTimerData> {
  if (!lastPurchaseAt || !config.enabled) return 'unchanged';
  const lapseStart = new Date(lastPurchaseAt).toISOString();
  if (current?.data.kind === 'win-back' && Date.parse(current.data.lapseStart) >= Date.parse(lapseStart))
    return 'unchanged';
  const due = firstWinBackDue(lapseStart, timeZone ?? config.defaultTimeZone, now, config);
  return {
    data: { kind: 'win-back', lapseStart, stepIndex: due?.stepIndex ?? config.steps.length },
    dueAt: due?.dueAt,
  };
}

/** Called after a purchase is recorded: moves the customer's win-back series to the new lapse. */
export async function armWinBack(
  store: TimerStore,
  config: WinBackConfig,
  customer: { customerId: string; lastPurchaseAt: string | null | undefined; timeZone: string | undefined },
  now: Date,
): Promise<void> {
  if (!customer.lastPurchaseAt) return;
  await armTimer(store, customer.customerId, { kind: 'win-back' }, now, (current) =>
    decideWinBack(customer.lastPurchaseAt, customer.timeZone, current, now, config),
  );
}
