import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";

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

describe("formatDuration", () => {
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
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 1, 999, 61_000, 5_400_000, 93_784_005, 8 * DAY + 1])("round-trips %i ms", (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %d", (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});
