// `on: churn-risk`: at send.hour local time on the first day the customer's P(alive) is below
// `pAliveBelow` with no purchase since. P(alive) only decays between purchases, so the day is
// computed once from the profile's predictions (closed form, shared/domain/bgnbd.ts) whenever a
// purchase re-arms the timer — no polling. Each lapse (last purchase day) is its own entry; a
// refit that moved the day is honoured when the timer fires (next() is asked again then).
import { pAliveCrossingAge } from '../../domain/bgnbd.ts';
import { DAY_MS } from '../../domain/clock.ts';
import { zonedTimeToUtc } from '../../domain/local-time.ts';
import { occasionHourOf } from '../../domain/journey.ts';
import type { DateTriggerModule } from './types.ts';

export const churnRiskTrigger: DateTriggerModule<{ on: 'churn-risk'; churnRisk: { pAliveBelow: number } }> = {
  kind: 'churn-risk',
  next({ trigger, journey, profile, now, entered, lateBy }) {
    const predictions = profile.profile.predictions;
    if (!predictions) return undefined;
    const { summary, model } = predictions;
    const threshold = trigger.churnRisk.pAliveBelow;
    const crossing = pAliveCrossingAge(model.bgnbd, summary, threshold);
    // No repeat purchase yet: BG/NBD keeps P(alive) at 1, so there is no crossing to wait for.
    if (crossing === undefined) return undefined;
    const firstDay = Date.parse(`${summary.firstPurchaseDay}T00:00:00Z`);
    const lastPurchaseDay = new Date(firstDay + summary.tx * DAY_MS).toISOString().slice(0, 10);
    const entryId = `churn-risk#${lastPurchaseDay}`;
    if (entered.includes(entryId)) return undefined;
    // The first whole day (T in days since the first purchase) with P(alive) strictly below.
    const day = new Date(firstDay + (Math.floor(crossing) + 1) * DAY_MS);
    const zone = profile.profile.timeZone ?? journey.send.defaultTimeZone;
    const hour = occasionHourOf(journey, profile.profile.purchases?.purchaseHours, zone, now);
    let dueAt = zonedTimeToUtc(
      { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour, minute: 0 },
      zone,
    );
    if (dueAt.getTime() < now.getTime() - lateBy) {
      // Arming (lateBy 0) a crossing long past — an import of old purchases — enters nobody.
      // Firing a timer armed for a future crossing that a weekly refit has since moved into the
      // past: the customer did lapse while we waited, so they enter now.
      if (lateBy === 0) return undefined;
      dueAt = now;
    }
    return {
      dueAt,
      entryId,
      detail: { occasion: 'churn-risk', pAliveBelow: threshold, lastPurchaseDay, fittedAt: predictions.fittedAt },
    };
  },
};
