import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, plural } from "../../src/format/units.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1.00 KiB"],
    [1536, "1.50 KiB"],
    [10 * KiB, "10.0 KiB"],
    [200.5 * KiB, "200.5 KiB"],
    [MiB - 1, "1.00 MiB"],
    [1.2 * MiB, "1.20 MiB"],
    [12.3 * GiB, "12.3 GiB"],
    [5 * TiB, "5.00 TiB"],
    [3 * PiB, "3.00 PiB"],
    [Number.MAX_SAFE_INTEGER, "8.00 PiB"],
    [2 ** 70, "1024.0 EiB"], // past the largest unit, it stays in the largest
  ])("writes %d bytes as %j", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [-1, "-1 B"],
    [-1023, "-1023 B"],
    [-1536, "-1.50 KiB"],
    [-500 * KiB, "-500.0 KiB"],
    [-(MiB - 1), "-1.00 MiB"],
  ])("writes a negative size, %d bytes, as %j", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("says what it got when that is not a number of bytes", () => {
    expect(formatBytes(Number.NaN)).toBe("NaN B");
  });
});

describe("formatCount", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1,000"],
    [19_313, "19,313"],
    [1_234_567, "1,234,567"],
    [-4200, "-4,200"],
    [Number.MAX_SAFE_INTEGER, "9,007,199,254,740,991"],
  ])("groups %d as %j", (count, text) => {
    expect(formatCount(count)).toBe(text);
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
    expect(formatCount(Number.NaN)).toBe("NaN");
  });
});

describe("plural", () => {
  it.each([
    [0, "snapshot", undefined, "0 snapshots"],
    [1, "snapshot", undefined, "1 snapshot"],
    [2, "snapshot", undefined, "2 snapshots"],
    [19_313, "file", undefined, "19,313 files"],
    [-1, "file", undefined, "-1 files"],
    [1, "entry", "entries", "1 entry"],
    [2, "entry", "entries", "2 entries"],
  ])("says %d %s (plural %s) as %j", (count, noun, pluralNoun, text) => {
    expect(plural(count, noun, pluralNoun)).toBe(text);
  });
});
