import { describe, expect, it } from "vitest";
import { describeCronProblem } from "../../src/config/cron.js";

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
