import { describe, expect, it } from "vitest";
import { fastExcludePattern } from "../../src/restic/exclude-pattern.js";

describe("fastExcludePattern", () => {
  it.each([
    ["**/node_modules", "node_modules"],
    ["**/*.tmp", "*.tmp"],
    ["**/**/cache", "cache"],
    ["**/build/out", "build/out"],
    ["**/.git/*.lock", ".git/*.lock"],
  ])("drops the leading **/ of %s", (pattern, fast) => {
    expect(fastExcludePattern(pattern)).toBe(fast);
  });

  it.each([
    "node_modules",
    "*.tmp",
    "/home/me/cache", // anchored: stays anchored
    "**//x", // what remains would be anchored
    "**/a/**/b", // a double star further in
    "**", // nothing would remain
    "**/",
    "a/**",
    "!**/keep", // a negation keeps its form
    "**\\node_modules",
    "*/node_modules",
  ])("leaves %s alone", (pattern) => {
    expect(fastExcludePattern(pattern)).toBe(pattern);
  });
});
