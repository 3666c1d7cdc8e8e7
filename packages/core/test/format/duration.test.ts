import { describe, expect, it } from "vitest";
import { formatConfigDuration } from "../../src/config/duration.js";
import { formatHumanDuration } from "../../src/format/duration.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatHumanDuration", () => {
  it.each([
    [0, "0s"],
    [40, "0s"],
    [50, "0.1s"],
    [1200, "1.2s"],
    [2 * SECOND, "2s"],
    [9.94 * SECOND, "9.9s"],
    [9.96 * SECOND, "10s"],
    [45 * SECOND, "45s"],
    [59.4 * SECOND, "59s"],
    [59.9 * SECOND, "1m"],
    [60 * SECOND, "1m"],
    [65 * SECOND, "1m 5s"],
    [83 * SECOND, "1m 23s"],
    [5 * MINUTE, "5m"],
    [HOUR - 1, "1h"],
    [HOUR + 59 * MINUTE + 59 * SECOND, "1h 59m"],
    [2 * HOUR + 5 * MINUTE, "2h 5m"],
    [DAY, "1d"],
    [DAY + 2 * HOUR, "1d 2h"],
    [DAY + 30 * MINUTE, "1d"],
    [32 * HOUR, "1d 8h"],
    [400 * DAY + 3 * HOUR, "400d 3h"],
  ])("writes %d ms as %j", (ms, text) => {
    expect(formatHumanDuration(ms)).toBe(text);
  });

  it.each([
    [-1500, "-1.5s"],
    [-83 * SECOND, "-1m 23s"],
  ])("writes a negative span, %d ms, with a minus: %j", (ms, text) => {
    expect(formatHumanDuration(ms)).toBe(text);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("says what it got for %d", (ms) => {
    expect(formatHumanDuration(ms)).toBe(String(ms));
  });

  it("is not the config's syntax, which formatConfigDuration writes", () => {
    expect(formatHumanDuration(HOUR + 30 * MINUTE)).toBe("1h 30m");
    expect(formatConfigDuration(HOUR + 30 * MINUTE)).toBe("1h30m");
  });
});
