import { describeValue } from "./problems.js";

const UNITS = [
  ["w", 7 * 24 * 3_600_000],
  ["d", 24 * 3_600_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

// Units in descending order, each at most once. `m(?!s)` keeps "5ms" from reading as 5 minutes and an "s".
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Reads a duration such as `"90s"`, `"1h30m"`, `"2d"` or `"500ms"` as milliseconds. Units: w, d, h, m, s,
 * ms, largest first, no spaces. Returns undefined for anything else, bare numbers included: a bare
 * `"30"` could mean seconds or minutes, and guessing wrong delays a retry by a factor of 60.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === "") return undefined;

  let total = 0;
  for (const [index, [, unitMs]] of UNITS.entries()) {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * unitMs;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Writes milliseconds in the config's syntax, for parseDuration to read back, largest units first:
 * `"1h30m"`, `"45s"`, `"0s"`. For people, `formatHumanDuration` (format/duration.ts) writes `"1h 30m"`.
 */
export function formatConfigDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot format ${ms} as a duration`);

  let rest = Math.round(ms);
  let text = "";
  for (const [unit, unitMs] of UNITS) {
    const count = Math.floor(rest / unitMs);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * unitMs;
    }
  }
  return text === "" ? "0s" : text;
}

/** What a duration looks like, said in every error about one. */
export const DURATION_FORMAT =
  'a duration such as "90s", "5m", "1h30m" or "2d" (whole numbers with units w, d, h, m, s or ms, largest first, no spaces)';

/**
 * Why `value` is not a duration, with the duration that was probably meant (`"2 days"` → `"2d"`), or
 * undefined when it is one. A bare number gets no guess: seconds or minutes differ by a factor of 60.
 */
export function describeDurationProblem(value: unknown): string | undefined {
  if (typeof value === "string" && parseDuration(value) !== undefined) return undefined;
  const got = describeValue(value);
  const bare = typeof value === "number" || (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value));
  if (bare) {
    const number = String(value).trim();
    return `expected ${DURATION_FORMAT}, got ${got}; a number alone has no unit: write "${number}s" for seconds or "${number}m" for minutes`;
  }
  const suggestion = typeof value === "string" ? suggestDuration(value) : undefined;
  const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
  return `expected ${DURATION_FORMAT}, got ${got}${hint}`;
}

const UNIT_WORDS: Readonly<Record<string, number>> = {
  ...unitWords(["w", "wk", "wks", "week", "weeks"], 7 * 24 * 3_600_000),
  ...unitWords(["d", "day", "days"], 24 * 3_600_000),
  ...unitWords(["h", "hr", "hrs", "hour", "hours"], 3_600_000),
  ...unitWords(["m", "min", "mins", "minute", "minutes"], 60_000),
  ...unitWords(["s", "sec", "secs", "second", "seconds"], 1_000),
  ...unitWords(["ms", "msec", "msecs", "millisecond", "milliseconds"], 1),
};

/** Reads what a person writes (`"2 days"`, `"1.5h"`, `"1 hour, 30 minutes"`, `"30m1h"`) as a duration. */
function suggestDuration(text: string): string | undefined {
  const parts = readNumbersWithUnits(text);
  if (parts === undefined) return undefined;
  let total = 0;
  for (const { amount, unit } of parts) {
    const unitMs = UNIT_WORDS[unit];
    if (unitMs === undefined) return undefined;
    total += amount * unitMs;
  }
  if (!Number.isSafeInteger(total) || total === 0) return undefined;
  return formatConfigDuration(total);
}

/** `"2 days and 3h"` → [{2, "days"}, {3, "h"}], or undefined when the text is not only that. */
function readNumbersWithUnits(text: string): { amount: number; unit: string }[] | undefined {
  const cleaned = text
    .toLowerCase()
    .replace(/\band\b|,/g, " ")
    .trim();
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  const parts: { amount: number; unit: string }[] = [];
  while (part.lastIndex < cleaned.length) {
    const match = part.exec(cleaned);
    if (match === null) return undefined;
    parts.push({ amount: Number(match[1]), unit: match[2] ?? "" });
  }
  return parts.length === 0 ? undefined : parts;
}

/** What restic's --keep-within reads: calendar units, so it is not a duration in milliseconds. */
export const KEEP_WITHIN_FORMAT =
  'a duration such as "2y5m7d3h": whole numbers followed by y (years), m (months), d (days) or h (hours), no spaces';

export const KEEP_WITHIN = /^(\d+[ymdh])+$/;

const WITHIN_UNITS: Readonly<Record<string, { unit: "y" | "m" | "d" | "h"; times: number }>> = {
  ...unitWords(["y", "yr", "yrs", "year", "years"], { unit: "y", times: 1 }),
  ...unitWords(["m", "mo", "mon", "month", "months"], { unit: "m", times: 1 }),
  ...unitWords(["w", "wk", "wks", "week", "weeks"], { unit: "d", times: 7 }),
  ...unitWords(["d", "day", "days"], { unit: "d", times: 1 }),
  ...unitWords(["h", "hr", "hrs", "hour", "hours"], { unit: "h", times: 1 }),
};

/** Why `value` is not a keep-within duration, with the one probably meant (`"2 years"` → `"2y"`). */
export function describeKeepWithinProblem(value: unknown): string | undefined {
  if (typeof value === "string" && KEEP_WITHIN.test(value)) return undefined;
  const suggestion = typeof value === "string" ? suggestKeepWithin(value) : undefined;
  const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
  return `expected ${KEEP_WITHIN_FORMAT}, got ${describeValue(value)}${hint}`;
}

function suggestKeepWithin(text: string): string | undefined {
  const parts = readNumbersWithUnits(text);
  if (parts === undefined) return undefined;
  const totals = { y: 0, m: 0, d: 0, h: 0 };
  for (const { amount, unit } of parts) {
    const known = WITHIN_UNITS[unit];
    if (known === undefined || !Number.isInteger(amount)) return undefined;
    totals[known.unit] += amount * known.times;
  }
  const written = Object.entries(totals)
    .filter(([, count]) => count > 0)
    .map(([unit, count]) => `${count}${unit}`)
    .join("");
  return written === "" ? undefined : written;
}

function unitWords<T>(words: readonly string[], value: T): Record<string, T> {
  return Object.fromEntries(words.map((word) => [word, value]));
}
