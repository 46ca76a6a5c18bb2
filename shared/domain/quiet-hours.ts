// Quiet hours: marketing email waits until morning in the customer's own time zone. A send that
// falls inside the window is deferred to the window's end (never dropped); DST is handled by
// resolving the end's wall-clock time in the zone, not by adding hours.
import { localDateTimeAt, zonedTimeToUtc } from './local-time.ts';

export interface QuietHours {
  /** Minutes after local midnight the quiet window starts (21:00 -> 1260). */
  startMinute: number;
  /** Minutes after local midnight it ends (08:00 -> 480); may be "before" start (wraps midnight). */
  endMinute: number;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60 };

/** Parses "21:00-08:00"; an empty string or "off" disables quiet hours. */
export function parseQuietHours(text: string): QuietHours | undefined {
  if (text.trim() === '' || text.trim() === 'off') return undefined;
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`quiet hours "${text}" must look like 21:00-08:00 (or "off")`);
  const [sh, sm, eh, em] = match.slice(1).map(Number) as [number, number, number, number];
  if (sh > 23 || eh > 23 || sm > 59 || em > 59)
    throw new Error(`quiet hours "${text}" is not a valid time range`);
  return { startMinute: sh * 60 + sm, endMinute: eh * 60 + em };
}

/** When a send requested at `now` may go out: `now` itself, or the end of the quiet window. */
export function nextSendableInstant(now: Date, timeZone: string, quiet: QuietHours | undefined): Date {
  if (!quiet || quiet.startMinute === quiet.endMinute) return now;
  const local = localDateTimeAt(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  const wraps = quiet.startMinute > quiet.endMinute;
  const inside = wraps
    ? minute >= quiet.startMinute || minute < quiet.endMinute
    : minute >= quiet.startMinute && minute < quiet.endMinute;
  if (!inside) return now;
  // The window ends today if we are before its end, otherwise tomorrow (local calendar).
  const endsTomorrow = wraps && minute >= quiet.startMinute;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (endsTomorrow ? 1 : 0)));
  return zonedTimeToUtc(
    {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      hour: Math.floor(quiet.endMinute / 60),
      minute: quiet.endMinute % 60,
    },
    timeZone,
  );
}
