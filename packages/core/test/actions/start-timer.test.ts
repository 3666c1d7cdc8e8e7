import { describe, expect, it } from "vitest";
import { startTimer } from "../../src/actions/action-options.js";

describe("startTimer", () => {
  it("measures an action's duration with the injected clock, not the machine's", () => {
    const times = [Date.parse("2026-11-30T10:00:00Z"), Date.parse("2026-11-30T10:00:42.5Z")];
    let call = 0;
    const elapsed = startTimer({ now: () => new Date(times[call++] ?? Number.NaN) });
    expect(elapsed()).toBe(42_500);
    expect(call).toBe(2);
  });

  it("falls back to the machine's clock", () => {
    const elapsed = startTimer({});
    expect(elapsed()).toBeGreaterThanOrEqual(0);
  });
});
