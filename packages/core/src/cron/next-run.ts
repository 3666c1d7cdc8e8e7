import { parseCronInUtc } from "./cron.js";
import { readPlainCron } from "./plain-cron.js";

/**
 * When a cron schedule runs, by one rule that also holds across daylight-saving changes. cron-parser
 * parses the expression and decides which days match, in UTC, where no clock ever jumps; this module
 * finds the matching local wall-clock times and turns each into an instant itself, as RFC 5545
 * (iCalendar, 3.3.5) and Temporal's "compatible" disambiguation do:
 *
 * - A wall time that does not exist (spring forward: 02:30 on 2026-03-29 in Berlin) is read with the
 *   offset before the gap, so it runs as much later as the clock jumped: 03:30 CEST. A daily job runs
 *   once that day, and a job due at 02:00 and 02:30 runs at 03:00 and 03:30.
 * - A wall time that exists twice (fall back: 02:30 on 2026-10-25 in Berlin) runs at its first
 *   occurrence only, so a daily job runs once, not twice. Except for schedules that run in every hour
 *   of the day (hour field `*`, as in `0 * * * *`): they run at both, because the second 02:00 is a
 *   distinct real hour, and skipping it would leave a two-hour gap in an hourly backup.
 *
 * cron-parser's own time-zone walk agrees when it starts well before the change, but its answer depends
 * on where it starts. Asked from 02:10 CET on the fall-back day it returns 02:30 CET, although 02:30
 * CEST has run: a second run for a daemon that restarted, or re-armed after a long backup, in that
 * hour. Stepping back, it yields both 02:30s of the fall-back day and skips the spring-forward day's
 * slot altogether, which would hide a missed run from catch-up. Here both directions see the same
 * slots, from any instant.
 */

export interface ScheduleOptions {
  /** IANA zone such as `Europe/Berlin`; the machine's local time when undefined. */
  readonly timezone?: string | undefined;
}

/** The next slot of `schedule` strictly after `after` (ms since the epoch). */
export function nextRunAfter(schedule: string, after: number, options: ScheduleOptions = {}): number {
  const cron = compile(schedule);
  const zone = zoneFor(options.timezone);
  // Just after a spring-forward change the next slot may be a skipped wall time, which lies before
  // after's own wall time; just before a fall-back change it may be a repeated one. Start from the
  // earliest wall time it could be.
  let wall = after + Math.min(...offsetsAround(zone, after));
  let best = Number.POSITIVE_INFINITY;
  for (;;) {
    wall = nextWallTime(cron, wall, schedule);
    const slot = instantsOf(zone, wall, cron.everyHour);
    for (const instant of slot.instants) {
      if (instant > after && instant < best) best = instant;
    }
    // Later wall times map to instants no earlier than this, so none of them can beat `best`.
    if (wall - slot.maxOffset >= best) return best;
  }
}

/**
 * The latest slot at or before `at`, for catch-up: did a slot pass while the daemon was not running?
 * Undefined when the schedule has no slot in the past decades.
 */
export function previousRunAtOrBefore(
  schedule: string,
  at: number,
  options: ScheduleOptions = {},
): number | undefined {
  const cron = compile(schedule);
  const zone = zoneFor(options.timezone);
  let wall: number | undefined = at + Math.max(...offsetsAround(zone, at));
  let best = Number.NEGATIVE_INFINITY;
  for (;;) {
    wall = previousWallTime(cron, wall);
    if (wall === undefined) return undefined;
    const slot = instantsOf(zone, wall, cron.everyHour);
    for (const instant of slot.instants) {
      if (instant <= at && instant > best) best = instant;
    }
    // Earlier wall times map to instants no later than this, so none of them can beat `best`.
    if (wall - slot.minOffset <= best) return best;
    wall -= 1_000;
  }
}

/**
 * A delay in [0, maxJitterMs) that is the same for a job name on every start, with no state stored:
 * jobs on the same schedule spread out instead of hitting one repository or link at once.
 */
export function stableJitterMs(jobName: string, maxJitterMs: number): number {
  if (!(maxJitterMs > 0)) return 0;
  return Math.floor((hashName(jobName) / 2 ** 32) * maxJitterMs);
}

/* ------------------------------------------------------------------------------------------------ */
/* Matching wall-clock times. A wall time is written as the epoch number Date.UTC gives for it.      */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// Day or month steps, about 50 years: far more than any valid schedule needs between two slots (the
// sparsest, Feb 29, waits 8 years across 2100), while a schedule that never matches still ends.
const SEARCH_LIMIT = 20_000;
const CACHE_LIMIT = 10_000;

interface CompiledSchedule {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  /** Day of month and weekday both `*`, so every day matches without asking cron-parser. */
  readonly everyDay: boolean;
  readonly everyHour: boolean;
  /**
   * Whether a day matches, given a time on it in UTC: cron-parser's answer (for `L`, `#` and the
   * day-or-weekday rule), or the plain reader's where it can tell alone.
   */
  readonly includesDate: (date: Date) => boolean;
}

// Keyed by expression alone: matching happens in wall-clock time, so the zone plays no part. Parsing
// costs about 30-50 µs, more than the rest of a lookup, and configs share a few schedules.
const compiled = new Map<string, CompiledSchedule>();

function compile(schedule: string): CompiledSchedule {
  const cached = compiled.get(schedule);
  if (cached !== undefined) return cached;

  // A plain expression needs cron-parser only when both day fields are restricted.
  const includesDate = (date: Date) => parseCronInUtc(schedule).includesDate(date);
  const plain = readPlainCron(schedule);
  let result: CompiledSchedule;
  if (plain) {
    result = {
      seconds: plain.seconds,
      minutes: plain.minutes,
      hours: plain.hours,
      months: new Set(plain.months),
      everyDay: plain.anyDay,
      everyHour: plain.hours.length === 24,
      includesDate: plain.matchesDay ?? includesDate,
    };
  } else {
    const { second, minute, hour, month, dayOfMonth, dayOfWeek } = parseCronInUtc(schedule).fields;
    result = {
      seconds: second.values as readonly number[],
      minutes: minute.values as readonly number[],
      hours: hour.values as readonly number[],
      months: new Set(month.values as readonly number[]),
      everyDay: dayOfMonth.isWildcard && dayOfWeek.isWildcard,
      everyHour: hour.values.length === 24,
      includesDate,
    };
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(schedule, result);
  return result;
}

function matchesDay(cron: CompiledSchedule, dayStart: number): boolean {
  if (cron.everyDay) return true;
  const time = ((cron.hours[0] ?? 0) * 3600 + (cron.minutes[0] ?? 0) * 60 + (cron.seconds[0] ?? 0)) * 1_000;
  return cron.includesDate(new Date(dayStart + time));
}

/** The first matching wall time strictly after `wall`. */
function nextWallTime(cron: CompiledSchedule, wall: number, schedule: string): number {
  // Slots fall on whole seconds.
  let candidate = Math.floor(wall / 1_000) * 1_000 + 1_000;
  for (let step = 0; step < SEARCH_LIMIT; step++) {
    const date = new Date(candidate);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    if (!cron.months.has(month + 1)) {
      candidate = Date.UTC(year, month + 1, 1);
      continue;
    }
    const dayStart = Date.UTC(year, month, date.getUTCDate());
    if (matchesDay(cron, dayStart)) {
      const time = firstTimeOfDay(cron, (candidate - dayStart) / 1_000);
      if (time !== undefined) return dayStart + time;
    }
    candidate = dayStart + DAY_MS;
  }
  throw new RangeError(`${JSON.stringify(schedule)} has no slot in the next 50 years`);
}

/** The last matching wall time at or before `wall`, or undefined when there is none for decades. */
function previousWallTime(cron: CompiledSchedule, wall: number): number | undefined {
  let candidate = Math.floor(wall / 1_000) * 1_000;
  for (let step = 0; step < SEARCH_LIMIT; step++) {
    const date = new Date(candidate);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    if (!cron.months.has(month + 1)) {
      candidate = Date.UTC(year, month, 1) - 1_000;
      continue;
    }
    const dayStart = Date.UTC(year, month, date.getUTCDate());
    if (matchesDay(cron, dayStart)) {
      const time = lastTimeOfDay(cron, (candidate - dayStart) / 1_000);
      if (time !== undefined) return dayStart + time;
    }
    candidate = dayStart - 1_000;
  }
  return undefined;
}

/** Milliseconds into the day of the first matching time at or after `secondOfDay`. */
function firstTimeOfDay(cron: CompiledSchedule, secondOfDay: number): number | undefined {
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  for (const h of cron.hours) {
    if (h < hour) continue;
    for (const m of cron.minutes) {
      if (h === hour && m < minute) continue;
      for (const s of cron.seconds) {
        if (h === hour && m === minute && s < second) continue;
        return (h * 3600 + m * 60 + s) * 1_000;
      }
    }
  }
  return undefined;
}

/** Milliseconds into the day of the last matching time at or before `secondOfDay`. */
function lastTimeOfDay(cron: CompiledSchedule, secondOfDay: number): number | undefined {
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  const { hours, minutes, seconds } = cron;
  for (let hi = hours.length - 1; hi >= 0; hi--) {
    const h = hours[hi] ?? 0;
    if (h > hour) continue;
    for (let mi = minutes.length - 1; mi >= 0; mi--) {
      const m = minutes[mi] ?? 0;
      if (h === hour && m > minute) continue;
      for (let si = seconds.length - 1; si >= 0; si--) {
        const s = seconds[si] ?? 0;
        if (h === hour && m === minute && s > second) continue;
        return (h * 3600 + m * 60 + s) * 1_000;
      }
    }
  }
  return undefined;
}

/* ------------------------------------------------------------------------------------------------ */
/* From wall-clock time to instants.                                                                 */

interface Zone {
  /** What to add to an instant to get its wall time, in ms (+3_600_000 for CET). */
  offset(instant: number): number;
}

interface WallTimeInstants {
  readonly instants: readonly number[];
  /** The offsets in force around this wall time, for bounding the search. */
  readonly minOffset: number;
  readonly maxOffset: number;
}

/**
 * The instants a matching wall time runs at, by the rules at the top of this file. Assumes a zone
 * changes its offset at most once in two days, which holds for every zone in the tz database.
 */
function instantsOf(zone: Zone, wall: number, everyHour: boolean): WallTimeInstants {
  // `wall ± a day`, read as an instant, lies safely on either side of any change affecting this wall time.
  const before = zone.offset(wall - DAY_MS);
  const after = zone.offset(wall + DAY_MS);
  if (before === after) return { instants: [wall - before], minOffset: before, maxOffset: before };

  const minOffset = Math.min(before, after);
  const maxOffset = Math.max(before, after);
  const underOld = wall - before;
  const underNew = wall - after;
  const oldHolds = zone.offset(underOld) === before;
  const newHolds = zone.offset(underNew) === after;
  if (oldHolds && newHolds) {
    // The wall time exists twice (fall back); `underOld` is the first occurrence.
    return { instants: everyHour ? [underOld, underNew] : [underOld], minOffset, maxOffset };
  }
  if (newHolds) return { instants: [underNew], minOffset, maxOffset };
  // Either an ordinary wall time before the change, or one the change skipped (spring forward): the
  // old offset moves it forward by the length of the gap.
  return { instants: [underOld], minOffset, maxOffset };
}

/**
 * The offsets whose wall times can land on `instant`'s side of a nearby change: its own, and the other
 * one when a change lies within their difference of it. Usually just one.
 */
function offsetsAround(zone: Zone, instant: number): number[] {
  const shift = Math.abs(zone.offset(instant - DAY_MS) - zone.offset(instant + DAY_MS));
  const own = zone.offset(instant);
  return shift === 0 ? [own] : [own, zone.offset(instant - shift), zone.offset(instant + shift)];
}

const LOCAL_ZONE: Zone = {
  offset: (instant) => -new Date(instant).getTimezoneOffset() * 60_000,
};

const zones = new Map<string, Zone>();

function zoneFor(timezone: string | undefined): Zone {
  if (timezone === undefined) return LOCAL_ZONE;
  let zone = zones.get(timezone);
  if (zone === undefined) {
    zone = createIanaZone(timezone);
    zones.set(timezone, zone);
  }
  return zone;
}

function createIanaZone(timeZone: string): Zone {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const exact = (instant: number): number => {
    const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const { type, value } of format.formatToParts(instant)) part[type] = Number(value);
    const wall = Date.UTC(
      part.year ?? 0,
      (part.month ?? 1) - 1,
      part.day ?? 1,
      part.hour ?? 0,
      part.minute ?? 0,
      part.second ?? 0,
    );
    return wall - Math.floor(instant / 1_000) * 1_000;
  };

  // formatToParts costs about 10 µs, a lookup needs several, and a 10,000-job config asks about the
  // same few hours over and over; so remember the offset at each whole hour, and for the rare hour
  // that contains a change, the instant of the change.
  const atHour = new Map<number, number>();
  const changes = new Map<number, { readonly at: number; readonly before: number; readonly after: number }>();
  const remember = <V>(map: Map<number, V>, key: number, compute: () => V): V => {
    let value = map.get(key);
    if (value === undefined) {
      value = compute();
      if (map.size >= CACHE_LIMIT) map.clear();
      map.set(key, value);
    }
    return value;
  };
  return {
    offset(instant) {
      const hour = Math.floor(instant / HOUR_MS);
      const before = remember(atHour, hour, () => exact(hour * HOUR_MS));
      const after = remember(atHour, hour + 1, () => exact((hour + 1) * HOUR_MS));
      // Changes are days apart, so equal offsets at both ends of the hour mean none happened inside it.
      if (before === after) return before;
      const change = remember(changes, hour, () => {
        // Changes fall on whole seconds; find the first second of the hour under the new offset.
        let low = hour * HOUR_MS;
        let high = (hour + 1) * HOUR_MS;
        while (high - low > 1_000) {
          const middle = low + Math.floor((high - low) / 2_000) * 1_000;
          if (exact(middle) === before) low = middle;
          else high = middle;
        }
        return { at: high, before, after };
      });
      return instant < change.at ? change.before : change.after;
    },
  };
}

/* ------------------------------------------------------------------------------------------------ */

const utf8 = new TextEncoder();

/** FNV-1a over the UTF-8 bytes, then murmur3's finalizer, as an unsigned 32-bit number. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(name)) hash = Math.imul(hash ^ byte, 0x01000193);
  // FNV-1a alone spreads names that differ only in a trailing counter ("job-1", "job-2") unevenly over
  // the range; the finalizer mixes every input bit into the high bits the jitter is scaled from.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
