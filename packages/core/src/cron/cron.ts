import { type CronExpression, CronExpressionParser } from "cron-parser";
import { readPlainCron } from "./plain-cron.js";

const FIVE_FIELDS = ["minute", "hour", "day", "month", "weekday"] as const;
const SIX_FIELDS = ["second", ...FIVE_FIELDS] as const;

type FieldName = (typeof SIX_FIELDS)[number];

/**
 * How many distinct values each field has, and so the longest step that still means something.
 * cron-parser accepts any step and keeps only the range's first value, so `*\/61` in the minutes would
 * quietly run at the top of each hour; a step longer than the field is always a mistake.
 */
const CRON_FIELD_SPANS: Readonly<Record<FieldName, number>> = {
  second: 60,
  minute: 60,
  hour: 24,
  day: 31,
  month: 12,
  weekday: 7,
};

/**
 * Explains why a cron expression cannot be scheduled, in words a user can act on, or returns
 * undefined when it is valid. Accepts 5 fields, 6 with seconds first, or a cron-parser `@` shortcut.
 */
export function describeCronProblem(expression: string): string | undefined {
  // A large config repeats its schedules, and each verdict costs at least one parse.
  if (cronVerdicts.has(expression)) return cronVerdicts.get(expression);
  const verdict = findCronProblem(expression);
  if (cronVerdicts.size >= CACHE_LIMIT) cronVerdicts.clear();
  cronVerdicts.set(expression, verdict);
  return verdict;
}

const CACHE_LIMIT = 10_000;
const cronVerdicts = new Map<string, string | undefined>();

function findCronProblem(expression: string): string | undefined {
  const invalid = `${JSON.stringify(expression)} is not a valid cron expression`;
  const fields = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== "");

  if (fields.length === 1 && fields[0]?.startsWith("@")) {
    return parseError(expression) === undefined
      ? undefined
      : `${invalid} (unknown shortcut ${fields[0]}; use @hourly, @daily, @weekly, @monthly or @yearly)`;
  }
  // cron-parser fills missing fields with `*`, so "0 2" would silently mean "every day at 02:00".
  if (fields.length !== 5 && fields.length !== 6) {
    return `${invalid}: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields.length}; e.g. "0 2 * * *" runs every day at 02:00`;
  }

  const names = fields.length === 6 ? SIX_FIELDS : FIVE_FIELDS;
  for (const [index, name] of names.entries()) {
    const problem = stepProblem(name, fields[index] ?? "");
    if (problem !== undefined) return `${invalid} (${problem})`;
  }

  if (readPlainCron(expression) !== undefined) return undefined;
  const whole = parseError(expression);
  if (whole === undefined) return undefined;

  // cron-parser does not say which field failed; parse each field alone to find it.
  for (const [index, name] of names.entries()) {
    const value = fields[index] ?? "";
    const probe = names.map((_, other) => (other === index ? value : "*")).join(" ");
    const error = parseError(probe);
    if (error !== undefined) return `${invalid} (${explainFieldError(name, value, error)})`;
  }
  if (/day of month/i.test(whole))
    return `${invalid} (that day never occurs in that month, so it would never run)`;
  return `${invalid} (${lowerFirst(whole)})`;
}

/** A step longer than its field, in any item of the field's list (`*\/61`, `0-59/61`, `10/61`, `1,*\/61`). */
function stepProblem(name: FieldName, field: string): string | undefined {
  const span = CRON_FIELD_SPANS[name];
  for (const item of field.split(",")) {
    const step = /\/(\d+)$/.exec(item)?.[1];
    if (step === undefined || Number(step) <= span) continue;
    return `${name} step ${Number(step)} in "${item}" is out of range 1-${span}: a step longer than the field's ${span} values would only ever match its first value`;
  }
  return undefined;
}

function parseError(expression: string): string | undefined {
  try {
    parseCronInUtc(expression);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const parsedInUtc = new Map<string, CronExpression>();

/**
 * cron-parser's parse in UTC from the epoch, remembered: validation and the scheduler both need it,
 * and a large config repeats its schedules. Validity depends on neither the zone nor the start date,
 * and UTC skips the local-zone setup that makes a local parse ~70 % slower. The result is shared, so
 * use only `fields` and `includesDate` on it, never its iterator.
 * @throws what cron-parser throws for an invalid expression
 */
export function parseCronInUtc(expression: string): CronExpression {
  let cron = parsedInUtc.get(expression);
  if (cron === undefined) {
    cron = CronExpressionParser.parse(expression, { tz: "UTC", currentDate: 0 });
    if (parsedInUtc.size >= CACHE_LIMIT) parsedInUtc.clear();
    parsedInUtc.set(expression, cron);
  }
  return cron;
}

/** Rewrites cron-parser's messages, which name neither the field nor the fix. */
function explainFieldError(name: string, value: string, message: string): string {
  const outOfRange = /got value (\S+) expected range (\S+)/.exec(message);
  if (outOfRange) return `${name} ${outOfRange[1]} is out of range ${outOfRange[2]}`;
  const rangeOutOfRange = /got range (\S+) expected range (\S+)/.exec(message);
  if (rangeOutOfRange && !rangeOutOfRange[1]?.includes("NaN")) {
    return `${name} range ${rangeOutOfRange[1]} is out of range ${rangeOutOfRange[2]}`;
  }
  const backwards = /range: (\S+?),? min\(\d+\) > max\(\d+\)/.exec(message);
  if (backwards) return `${name} range ${backwards[1]} runs backwards; write it low-high`;
  if (/occurrence number/.test(message))
    return `${name} "${value}" asks for a weekday occurrence outside #1-#5`;
  if (/repeat at every 0/.test(message)) return `${name} step 0 never advances; use a step of 1 or more`;
  return `${name} "${value}" is not a number, range (1-5), list (1,3) or step (*/15)`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
