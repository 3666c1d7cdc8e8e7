import { describe, expect, it } from "vitest";
import { describeTimeZoneProblem, isTimeZone, suggestTimeZone } from "../../src/config/time-zone.js";

describe("time zones", () => {
  it.each(["Europe/Berlin", "UTC", "america/new_york", "US/Eastern"])("accepts %j", (name) => {
    expect(isTimeZone(name)).toBe(true);
    expect(describeTimeZoneProblem(name)).toBeUndefined();
  });

  it.each([
    ["America/NewYork", "America/New_York"],
    ["America/New York", "America/New_York"],
    ["Europe/Berln", "Europe/Berlin"],
    ["Berlin", "Europe/Berlin"],
    ["los angeles", "America/Los_Angeles"],
    ["Utc", "UTC"],
    ["Europa/Paris", "Europe/Paris"],
  ])("suggests for %j: %j", (typed, meant) => {
    expect(suggestTimeZone(typed)).toBe(meant);
    if (!isTimeZone(typed)) expect(describeTimeZoneProblem(typed)).toContain(`did you mean "${meant}"?`);
  });

  it.each(["Mars/Olympus_Mons", "", "CET+5"])("guesses nothing for %j", (typed) => {
    expect(describeTimeZoneProblem(typed)).not.toContain("did you mean");
  });
});
