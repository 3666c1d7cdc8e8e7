import { describe, expect, it } from "vitest";
import { describeCronProblem } from "../../src/cron/cron.js";

describe("describeCronProblem", () => {
  it.each([
    "0 2 * * *",
    "*/15 * * * *",
    "0 2 * * MON-FRI",
    "0 3 1,15 * *",
    "0 0 * * 7",
    "30 0 2 * * *",
    "0 */5 * * * *",
    "  0   2 * * *  ",
    "@daily",
    "@hourly",
  ])("accepts %j", (expression) => {
    expect(describeCronProblem(expression)).toBeUndefined();
  });

  it.each([
    ["61 * * * *", "minute 61 is out of range 0-59"],
    ["0 24 * * *", "hour 24 is out of range 0-23"],
    ["0 2 32 * *", "day 32 is out of range 1-31"],
    ["0 2 0 * *", "day 0 is out of range 1-31"],
    ["0 2 * 13 *", "month 13 is out of range 1-12"],
    ["0 2 * * 8", "weekday 8 is out of range 0-7"],
    ["60 0 2 * * *", "second 60 is out of range 0-59"],
    ["0 61 2 * * *", "minute 61 is out of range 0-59"],
    ["1,2,99 * * * *", "minute 99 is out of range 0-59"],
    ["0 1-30 * * *", "hour range 1-30 is out of range 0-23"],
    ["0 5-1 * * *", "hour range 5-1 runs backwards; write it low-high"],
    ["*/0 * * * *", "minute step 0 never advances; use a step of 1 or more"],
    ["abc * * * *", 'minute "abc" is not a number, range (1-5), list (1,3) or step (*/15)'],
    ["0 2 * * 1#6", 'weekday "1#6" asks for a weekday occurrence outside #1-#5'],
    ["0 2 30 2 *", "that day never occurs in that month, so it would never run"],
  ])("explains %j: %s", (expression, reason) => {
    expect(describeCronProblem(expression)).toBe(
      `${JSON.stringify(expression)} is not a valid cron expression (${reason})`,
    );
  });

  // Out of range is an error in every form a field takes: a value, a range, a step, a list. cron-parser
  // accepts a step longer than the field and keeps its first value (`*/61` would run hourly).
  const longStep = (name: string, step: number, item: string, span: number) =>
    `${name} step ${step} in "${item}" is out of range 1-${span}: a step longer than the field's ${span} values would only ever match its first value`;
  it.each([
    ["*/61 * * * *", longStep("minute", 61, "*/61", 60)],
    ["0-59/61 * * * *", longStep("minute", 61, "0-59/61", 60)],
    ["10/61 * * * *", longStep("minute", 61, "10/61", 60)],
    ["1,*/61 * * * *", longStep("minute", 61, "*/61", 60)],
    ["*/1000 * * * *", longStep("minute", 1000, "*/1000", 60)],
    ["*/61 0 2 * * *", longStep("second", 61, "*/61", 60)],
    ["0 */25 * * *", longStep("hour", 25, "*/25", 24)],
    ["0 0 */32 * *", longStep("day", 32, "*/32", 31)],
    ["0 0 * */13 *", longStep("month", 13, "*/13", 12)],
    ["0 0 * JAN/13 *", longStep("month", 13, "JAN/13", 12)],
    ["0 0 * * */8", longStep("weekday", 8, "*/8", 7)],
    ["0 0 32 * *", "day 32 is out of range 1-31"],
    ["0 0 1-32 * *", "day range 1-32 is out of range 1-31"],
    ["0 0 1,32 * *", "day 32 is out of range 1-31"],
    ["1,5-3 * * * *", "minute range 5-3 runs backwards; write it low-high"],
    ["1,*/0 * * * *", "minute step 0 never advances; use a step of 1 or more"],
    ["0-10/0 * * * *", "minute step 0 never advances; use a step of 1 or more"],
  ])("rejects %j in every field form: %s", (expression, reason) => {
    expect(describeCronProblem(expression)).toBe(
      `${JSON.stringify(expression)} is not a valid cron expression (${reason})`,
    );
  });

  it.each(["*/60 * * * *", "0 */24 * * *", "0 0 */31 * *", "0 0 * */12 *", "0 0 * * */7", "*/60 0 2 * * *"])(
    "accepts %j: a step as long as its field is still one value per cycle",
    (expression) => {
      expect(describeCronProblem(expression)).toBeUndefined();
    },
  );

  // cron-parser itself would fill in missing fields, so "0 2" would quietly mean "every day at 02:00".
  it.each([
    ["", 0],
    ["0 2", 2],
    ["0 2 *", 3],
    ["0 2 * *", 4],
    ["0 0 2 * * * 2026", 7],
  ])("rejects %j for having %i fields", (expression, count) => {
    expect(describeCronProblem(expression)).toBe(
      `${JSON.stringify(expression)} is not a valid cron expression: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${count}; e.g. "0 2 * * *" runs every day at 02:00`,
    );
  });

  it("rejects an unknown @ shortcut", () => {
    expect(describeCronProblem("@nightly")).toBe(
      '"@nightly" is not a valid cron expression (unknown shortcut @nightly; use @hourly, @daily, @weekly, @monthly or @yearly)',
    );
  });
});
