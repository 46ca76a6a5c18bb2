// Wall-clock time in a customer's IANA time zone, computed with Intl (no date library): a local
// date and hour -> the UTC instant, DST-correct, and an instant -> its local calendar date.
import { DAY_MS } from './clock.ts';

export interface LocalDate {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
}

/**
 * True for any IANA zone name Intl understands, aliases included: Intl.supportedValuesOf lists
 * only canonical names, so a set built from it would refuse Asia/Kolkata or Europe/Kyiv.
 */
export function isIanaTimeZone(zone: string): boolean {
  // Asked on every profile parse: building a formatter to find out is the cost, so remember it.
  let known = knownZones.get(zone);
  if (known === undefined) {
    known = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) && formatsIn(zone);
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}

const knownZones = new Map<string, boolean>();

function formatsIn(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock date and time an instant shows in a time zone. */
export function localDateTimeAt(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in milliseconds (Shanghai: +8h). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const local = localDateTimeAt(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const truncated = instant.getTime() - (((instant.getTime() % 60_000) + 60_000) % 60_000);
  return asUtc - truncated;
}

/**
 * The instant a local wall-clock time happens in a zone. Ambiguous times (the repeated hour when
 * clocks go back) resolve to the earlier instant; times skipped when clocks go forward move
 * forward by the gap (02:30 on a spring-forward night becomes 03:30) — the same choice as
 * Temporal's "compatible" disambiguation.
 */
export function zonedTimeToUtc(local: LocalDateTime, timeZone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // Candidate offsets: the zone's offset a day either side covers any single transition.
  const before = zoneOffsetMs(new Date(wall - DAY_MS), timeZone);
  const after = zoneOffsetMs(new Date(wall + DAY_MS), timeZone);
  const matches = [before, after]
    .map((offset) => wall - offset)
    .filter((candidate) => wall - zoneOffsetMs(new Date(candidate), timeZone) === candidate)
    .sort((a, b) => a - b);
  const earliest = matches[0];
  if (earliest !== undefined) return new Date(earliest);
  // In the gap: interpret with the offset before the transition, which lands after it.
  return new Date(wall - before);
}

/** The first instant after `now` at which the local clock in `timeZone` shows `hour`:00. */
export function nextLocalTimeOfDay(now: Date, hour: number, timeZone: string): Date {
  const today = localDateTimeAt(now, timeZone);
  const at = zonedTimeToUtc({ ...today, hour, minute: 0 }, timeZone);
  return at.getTime() > now.getTime() ? at : zonedTimeToUtc({ ...addDays(today, 1), hour, minute: 0 }, timeZone);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Calendar arithmetic on a local date (no zone involved: a date is a date). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}
