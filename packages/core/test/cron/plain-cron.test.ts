import { CronExpressionParser } from "cron-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeCronProblem } from "../../src/cron/cron.js";
import { readPlainCron } from "../../src/cron/plain-cron.js";

// cron-parser stays the reference: whatever the fast reader accepts, cron-parser must accept, with
// the same values, or validation and scheduling would disagree with the messages users get.
function reference(expression: string) {
  const { fields } = CronExpressionParser.parse(expression, { tz: "UTC", currentDate: 0 });
  return {
    seconds: [...fields.second.values],
    minutes: [...fields.minute.values],
    hours: [...fields.hour.values],
    months: [...fields.month.values],
  };
}

// Plain tokens within the field's range (ranges low-high, steps no longer than the field), then
// noise: out of range, backwards, listed twice, a step longer than the field, or not plain at all.
const plainToken = (min: number, max: number) => {
  const value = fc.integer({ min, max });
  const span = fc.tuple(value, value).map(([a, b]) => (a <= b ? `${a}-${b}` : `${b}-${a}`));
  // Weekdays: cron-parser reads 0-7, but 0 and 7 are one day, so the field has 7 values.
  const step = fc.integer({ min: 1, max: Math.min(max - min + 1, 7 * 60) - (max === 7 ? 1 : 0) });
  return fc.oneof(
    fc.constant("*"),
    value.map(String),
    span,
    fc.tuple(span, step).map(([range, by]) => `${range}/${by}`),
    step.map((by) => `*/${by}`),
  );
};
const noisyToken = (max: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: max + 2 }).map(String),
    fc.tuple(fc.nat(max + 2), fc.nat(max + 2)).map(([a, b]) => `${a}-${b}`),
    fc.constantFrom("L", "?", "MON", "1#2", "05", "", "5/10", "1-2-3", "*/0"),
    fc.integer({ min: max + 1, max: max + 70 }).map((by) => `*/${by}`),
  );
const field = (min: number, max: number) =>
  fc.oneof(
    { arbitrary: plainToken(min, max), weight: 8 },
    {
      arbitrary: fc.tuple(plainToken(min, max), plainToken(min, max)).map((items) => items.join(",")),
      weight: 1,
    },
    { arbitrary: noisyToken(max), weight: 1 },
  );
const fiveFields = [field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 7)] as const;
const expression = fc.oneof(
  fc.tuple(...fiveFields).map((parts) => parts.join(" ")),
  fc.tuple(field(0, 59), ...fiveFields).map((parts) => parts.join(" ")),
);

// The reader matches days itself when one day field is `*`; month `*` half the time, so most days count.
const oneDayFieldStar = fc
  .tuple(
    field(0, 59),
    field(0, 23),
    field(1, 31),
    fc.oneof(fc.constant("*"), field(1, 12)),
    field(0, 7),
    fc.boolean(),
  )
  .map(([minute, hour, day, month, weekday, starDay]) =>
    [minute, hour, starDay ? "*" : day, month, starDay ? weekday : "*"].join(" "),
  );

describe("readPlainCron", () => {
  it("accepts only what cron-parser accepts, with cron-parser's values", () => {
    let plain = 0;
    fc.assert(
      fc.property(expression, (text) => {
        const read = readPlainCron(text);
        if (read === undefined) return;
        plain++;
        const { anyDay: _, matchesDay: __, ...values } = read;
        expect(values).toEqual(reference(text));
      }),
      { numRuns: 3_000, seed: 20261125 },
    );
    // The generator must reach the fast path often, or the property says little.
    expect(plain).toBeGreaterThan(500);
  });

  // Our one rule beyond cron-parser's: it keeps only the first value of a step longer than the field
  // (`*/61` minutes runs hourly); validation rejects it, so the fast reader must not accept it either.
  it("agrees with validation: what it reads is valid, a step longer than its field is not", () => {
    fc.assert(
      fc.property(expression, (text) => {
        const fields = text.split(" ");
        if (fields.includes("")) return; // an empty token shifts the fields; other tests cover it
        const longStep = fields
          .slice(-5)
          .some((field, index) =>
            field
              .split(",")
              .some(
                (item) =>
                  Number(/\/(\d+)$/.exec(item)?.[1] ?? 0) >
                  ([60, 24, 31, 12, 7][index] ?? Number.POSITIVE_INFINITY),
              ),
          );
        if (readPlainCron(text) !== undefined) expect(describeCronProblem(text)).toBeUndefined();
        if (longStep) expect(describeCronProblem(text)).toMatch(/step \d+ in ".*" is out of range 1-\d+/);
      }),
      { numRuns: 3_000, seed: 20261125 },
    );
  });

  it.each([
    [
      "0 2 * * *",
      { seconds: [0], minutes: [0], hours: [2], months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    ],
    ["*/20 8-17/4 * 1,6 *", { seconds: [0], minutes: [0, 20, 40], hours: [8, 12, 16], months: [1, 6] }],
    ["30 0 2 * * *", { seconds: [30], minutes: [0], hours: [2] }],
  ])("reads %j", (text, expected) => {
    expect(readPlainCron(text)).toMatchObject(expected);
  });

  it("matches days as cron-parser does, where it matches them itself", () => {
    let decided = 0;
    fc.assert(
      fc.property(oneDayFieldStar, fc.integer({ min: 0, max: 3_000 }), (text, dayNumber) => {
        const read = readPlainCron(text);
        if (read?.matchesDay === undefined) return;
        const date = new Date(
          Date.UTC(2026, 0, 1 + dayNumber, read.hours[0] ?? 0, read.minutes[0] ?? 0, read.seconds[0] ?? 0),
        );
        // cron-parser also asks the month; the scheduler asks about days only in matching months.
        if (!read.months.includes(date.getUTCMonth() + 1)) return;
        decided++;
        const cron = CronExpressionParser.parse(text, { tz: "UTC", currentDate: 0 });
        expect(read.matchesDay(date)).toBe(cron.includesDate(date));
      }),
      { numRuns: 3_000, seed: 20261125 },
    );
    expect(decided).toBeGreaterThan(500);
  });

  it("leaves both day fields restricted to cron-parser's day-or-weekday rule", () => {
    expect(readPlainCron("0 2 1 * 1")?.matchesDay).toBeUndefined();
    expect(readPlainCron("0 2 1 * *")?.matchesDay?.(new Date("2026-03-01T02:00:00Z"))).toBe(true);
    expect(readPlainCron("0 2 * * 1")?.matchesDay?.(new Date("2026-03-02T02:00:00Z"))).toBe(true);
    expect(readPlainCron("0 2 * * 1")?.matchesDay?.(new Date("2026-03-03T02:00:00Z"))).toBe(false);
  });

  it("says every day matches only when both day fields are *", () => {
    expect(readPlainCron("0 2 * * *")?.anyDay).toBe(true);
    expect(readPlainCron("0 2 */1 * *")?.anyDay).toBe(false);
    expect(readPlainCron("0 2 * * 1-5")?.anyDay).toBe(false);
  });

  it.each([
    "0 2 * * MON", // names
    "0 2 L * *", // last day
    "0 2 * * 1#2", // nth weekday
    "0 2 * * 7", // Sunday written 7
    "0 2 30 2 *", // a day February lacks
    "0 2 31 1 *", // valid, but a chosen month might lack it: left to cron-parser
    "05 2 * * *", // leading zero
    "5/10 * * * *", // start with a step
    "*/0 * * * *", // step 0
    "*/61 * * * *", // a step longer than the field: an error, see cron.ts
    "0 */25 * * *",
    "5-3 * * * *", // backwards range
    "60 * * * *", // out of range
    "0 2 * *", // four fields
    "@daily",
  ])("leaves %j to cron-parser", (text) => {
    expect(readPlainCron(text)).toBeUndefined();
  });
});
