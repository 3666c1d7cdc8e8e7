import { describe, expect, it } from "vitest";
import { formatCount } from "../src/render/format.js";

describe("formatCount", () => {
  it("groups thousands with commas", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1000)).toBe("1,000");
    expect(formatCount(19_313)).toBe("19,313");
    expect(formatCount(1_234_567)).toBe("1,234,567");
    expect(formatCount(-4200)).toBe("-4,200");
  });

  it("agrees with toLocaleString('en-US') on whole numbers of every length", () => {
    const samples: number[] = [];
    for (let digits = 1; digits <= 16; digits++) {
      const low = 10 ** (digits - 1);
      for (const n of [low, low + 1, 2 * low - 1, 10 * low - 1, Math.floor(low * 4.321)]) {
        if (Number.isSafeInteger(n)) samples.push(n, -n);
      }
    }
    for (const n of samples) expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
  });

  it("leaves non-integers to String", () => {
    expect(formatCount(1.5)).toBe("1.5");
  });
});
