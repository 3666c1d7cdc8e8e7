import { afterEach, describe, expect, it, vi } from "vitest";
import { formatLocalTime } from "../../src/format/local-time.js";

describe("formatLocalTime", () => {
  const moment = new Date("2026-11-25T11:51:25.678Z");
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["UTC", "2026-11-25 11:51:25 +00:00"],
    ["Europe/Berlin", "2026-11-25 12:51:25 +01:00"],
    ["America/New_York", "2026-11-25 06:51:25 -05:00"],
    ["Asia/Kolkata", "2026-11-25 17:21:25 +05:30"],
    ["America/St_Johns", "2026-11-25 08:21:25 -03:30"],
  ])("prints local time with the offset in TZ=%s", (zone, expected) => {
    vi.stubEnv("TZ", zone);
    expect(formatLocalTime(moment)).toBe(expected);
    expect(formatLocalTime(moment.toISOString())).toBe(expected);
    expect(formatLocalTime(moment.getTime())).toBe(expected);
  });

  it("follows daylight saving time: the offset is the one of that moment", () => {
    vi.stubEnv("TZ", "Europe/Berlin");
    expect(formatLocalTime("2026-07-01T10:00:00Z")).toBe("2026-07-01 12:00:00 +02:00");
    expect(formatLocalTime("2026-12-01T10:00:00Z")).toBe("2026-12-01 11:00:00 +01:00");
  });

  it("reads restic's times, nanoseconds and any offset included", () => {
    vi.stubEnv("TZ", "UTC");
    expect(formatLocalTime("2026-11-30T20:36:41.409046627+05:30")).toBe("2026-11-30 15:06:41 +00:00");
  });

  it("returns text that is not a time unchanged", () => {
    expect(formatLocalTime("not a time")).toBe("not a time");
  });
});
