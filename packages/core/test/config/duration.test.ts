import { describe, expect, it } from "vitest";
import {
  describeDurationProblem,
  describeKeepWithinProblem,
  formatConfigDuration,
  parseDuration,
} from "../../src/config/duration.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it.each([
    ["90s", 90 * SECOND],
    ["5m", 5 * MINUTE],
    ["1h", HOUR],
    ["26h", 26 * HOUR],
    ["1h30m", HOUR + 30 * MINUTE],
    ["2d", 2 * DAY],
    ["500ms", 500],
    ["1w", 7 * DAY],
    ["0s", 0],
    ["1m5ms", MINUTE + 5],
    ["1w2d3h4m5s6ms", 7 * DAY + 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND + 6],
  ])("reads %j as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["", "empty"],
    ["30", "a bare number: seconds or minutes?"],
    ["-5m", "negative"],
    ["1.5h", "a fraction"],
    ["1h 30m", "whitespace"],
    [" 5m", "leading whitespace"],
    ["30m1h", "units out of order"],
    ["1h1h", "a unit twice"],
    ["5M", "upper case"],
    ["5min", "an unknown unit"],
    ["1y", "years, which have no fixed length"],
    ["h", "a unit without a number"],
    ["99999999999999999999d", "beyond safe integers"],
  ])("rejects %j (%s)", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatConfigDuration", () => {
  it.each([
    [HOUR + 30 * MINUTE, "1h30m"],
    [45 * SECOND, "45s"],
    [0, "0s"],
    [500, "500ms"],
    [90 * SECOND, "1m30s"],
    [26 * HOUR, "1d2h"],
    [14 * DAY, "2w"],
    [DAY + 1, "1d1ms"],
  ])("writes %i ms as %j", (ms, text) => {
    expect(formatConfigDuration(ms)).toBe(text);
  });

  it.each([0, 1, 999, 61_000, 5_400_000, 93_784_005, 8 * DAY + 1])("round-trips %i ms", (ms) => {
    expect(parseDuration(formatConfigDuration(ms))).toBe(ms);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %d", (ms) => {
    expect(() => formatConfigDuration(ms)).toThrow(RangeError);
  });
});

describe("describeDurationProblem", () => {
  it.each(["90s", "1h30m", "2d", "0s"])("has nothing to say about %j", (text) => {
    expect(describeDurationProblem(text)).toBeUndefined();
  });

  // Every suggestion must itself be valid and mean what the words said.
  it.each([
    ["2 days", "2d"],
    ["2days", "2d"],
    ["1 hour, 30 minutes", "1h30m"],
    ["1 hour and 30 minutes", "1h30m"],
    ["1.5h", "1h30m"],
    ["90 min", "1h30m"],
    ["5M", "5m"],
    ["1h 30m", "1h30m"],
    ["30s5m", "5m30s"],
    ["2 weeks", "2w"],
    ["250 milliseconds", "250ms"],
  ])("reads %j as %j", (text, meant) => {
    expect(describeDurationProblem(text)).toMatch(new RegExp(`; did you mean "${meant}"\\?$`));
    expect(parseDuration(meant)).toBeDefined();
  });

  it.each(["2 months", "soon", "1 fortnight", "-5m", "", "1.5.2h"])("guesses nothing for %j", (text) => {
    expect(describeDurationProblem(text)).not.toContain("did you mean");
  });

  it("names both readings of a bare number rather than picking one", () => {
    expect(describeDurationProblem(45)).toContain('write "45s" for seconds or "45m" for minutes');
  });
});

describe("describeKeepWithinProblem", () => {
  it.each([
    ["2 years", "2y"],
    ["1 year 6 months", "1y6m"],
    ["2w", "14d"],
    ["36 hours", "36h"],
  ])("reads %j as %j", (text, meant) => {
    expect(describeKeepWithinProblem(text)).toMatch(new RegExp(`; did you mean "${meant}"\\?$`));
  });

  it("accepts restic's own form and names the units otherwise", () => {
    expect(describeKeepWithinProblem("2y5m7d3h")).toBeUndefined();
    expect(describeKeepWithinProblem("30 minutes")).toContain("y (years), m (months), d (days) or h (hours)");
  });
});
