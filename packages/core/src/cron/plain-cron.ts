/**
 * Reads the cron expressions most configs use — numbers, `*`, ranges, lists and steps — without
 * cron-parser. Its parse costs ~40-80 µs and, the first time, ~25 ms of luxon setting up the locale,
 * which a one-shot `backup` pays before restic can start and a 10,000-job config pays thousands of
 * times. Anything else (names, `L`, `#`, `?`, leading zeros, a day that some chosen month lacks)
 * returns undefined and goes to cron-parser, whose verdict and messages stay the reference: what this
 * accepts is a subset of what cron-parser accepts, with the same values (a property test holds both).
 * One rule is ours, not cron-parser's: a step longer than its field (`*\/61` minutes) is refused here
 * and by validation, where cron-parser would quietly keep the field's first value.
 */
export interface PlainCron {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  /** Day of month and weekday both written `*`: every day matches. */
  readonly anyDay: boolean;
  /**
   * Whether a day matches (its UTC date and weekday), when one of the two day fields is `*` and the
   * other decides alone. Undefined when both are restricted: cron's rule for that (either one, unless a
   * field starts with `*`) is cron-parser's to apply.
   */
  readonly matchesDay: ((date: Date) => boolean) | undefined;
}

type SixFields = [string, string, string, string, string, string];

interface FieldRange {
  readonly min: number;
  readonly max: number;
}

const SECOND: FieldRange = { min: 0, max: 59 };
const MINUTE: FieldRange = { min: 0, max: 59 };
const HOUR: FieldRange = { min: 0, max: 23 };
const DAY_OF_MONTH: FieldRange = { min: 1, max: 31 };
const MONTH: FieldRange = { min: 1, max: 12 };
// 7 (another Sunday) is left to cron-parser, which folds it into 0.
const WEEKDAY: FieldRange = { min: 0, max: 6 };

// Every month has 28 days; a later day with chosen months may never occur, which cron-parser rejects.
const DAY_EVERY_MONTH_HAS = 28;

/** The expression's values when it is plain (see above), else undefined. */
export function readPlainCron(expression: string): PlainCron | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 5) fields.unshift("0");
  if (fields.length !== 6) return undefined;
  const [second, minute, hour, day, month, weekday] = fields as SixFields;

  const seconds = readField(second, SECOND);
  const minutes = readField(minute, MINUTE);
  const hours = readField(hour, HOUR);
  const days = readField(day, DAY_OF_MONTH);
  const months = readField(month, MONTH);
  const weekdays = readField(weekday, WEEKDAY);
  if (!seconds || !minutes || !hours || !days || !months || !weekdays) return undefined;
  if (day !== "*" && month !== "*" && days.some((value) => value > DAY_EVERY_MONTH_HAS)) return undefined;
  return {
    seconds,
    minutes,
    hours,
    months,
    anyDay: day === "*" && weekday === "*",
    matchesDay: dayMatcher(day, days, weekday, weekdays),
  };
}

function dayMatcher(day: string, days: readonly number[], weekday: string, weekdays: readonly number[]) {
  if (day === "*") {
    const allowed = new Set(weekdays);
    return (date: Date) => allowed.has(date.getUTCDay());
  }
  if (weekday === "*") {
    const allowed = new Set(days);
    return (date: Date) => allowed.has(date.getUTCDate());
  }
  return undefined;
}

/** Sorted distinct values of one field, or undefined when it is not plain or not valid. */
function readField(text: string, range: FieldRange): number[] | undefined {
  // The common field is one item, whose values come out sorted and distinct: no marking needed.
  const items = text.split(",");
  const listed = items.length > 1 ? new Uint8Array(range.max + 1) : undefined;
  const values: number[] = [];
  for (const item of items) {
    const [span, stepText, extra] = item.split("/");
    if (span === undefined || extra !== undefined) return undefined;
    const step = stepText === undefined ? 1 : readNumber(stepText);
    // A step longer than the field is a mistake that validation names (cron.ts), not a plain field.
    if (step === undefined || step < 1 || step > range.max - range.min + 1) return undefined;

    let from: number | undefined;
    let to: number | undefined;
    if (span === "*") {
      from = range.min;
      to = range.max;
    } else {
      // `5/10` (a start with a step) is left to cron-parser.
      if (stepText !== undefined && !span.includes("-")) return undefined;
      const [low, high, rest] = span.split("-");
      if (rest !== undefined) return undefined;
      from = readNumber(low);
      to = high === undefined ? from : readNumber(high);
    }
    if (from === undefined || to === undefined) return undefined;
    if (from < range.min || to > range.max || from > to) return undefined;
    for (let value = from; value <= to; value += step) {
      if (listed) {
        // cron-parser rejects a value listed twice ("1,1", "*/5,10").
        if (listed[value]) return undefined;
        listed[value] = 1;
      } else {
        values.push(value);
      }
    }
  }
  if (!listed) return values;
  for (let value = range.min; value <= range.max; value++) if (listed[value]) values.push(value);
  return values;
}

function readNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^(0|[1-9]\d{0,2})$/.test(text) ? Number(text) : undefined;
}
