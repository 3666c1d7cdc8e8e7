/**
 * Every JSON a command prints goes through here. With `--json`, stdout carries JSON only (one value, or
 * one object per line for streams) and everything for people goes to stderr; and every time in it is
 * ISO 8601 in UTC, whatever zone restic wrote it in (restic writes snapshot and lock times in the
 * machine's local zone, `…+05:30` with TZ=Asia/Kolkata).
 */

/** One JSON value, indented for a person who pipes it into a pager. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, utcTimes, 2)}\n`);
}

/** One compact JSON object per line, for a stream of events (`backup --json`, `run --json`). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, utcTimes)}\n`);
}

/** Time fields by name: `time` (restic's snapshots and locks), `at` and `…At` (ours). */
const TIME_KEY = /^(time|at|[a-z][A-Za-z]*At)$/;
/** RFC 3339 as restic and `Date#toJSON` write it; nanoseconds are kept. */
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * `2026-11-30T20:36:41.409046627+05:30` → `2026-11-30T15:06:41.409046627Z`. Only fields named as times
 * are touched: a path that happens to look like a time is data and stays as it is.
 */
export function toUtcTime(text: string): string {
  const match = RFC3339.exec(text);
  if (!match || match[3] === "Z") return text;
  const [, seconds, fraction = "", offset] = match;
  const utc = new Date(`${seconds}${offset}`);
  if (Number.isNaN(utc.getTime())) return text;
  return `${utc.toISOString().slice(0, 19)}${fraction}Z`;
}

function utcTimes(key: string, value: unknown): unknown {
  return typeof value === "string" && TIME_KEY.test(key) ? toUtcTime(value) : value;
}
