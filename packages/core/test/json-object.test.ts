import { describe, expect, it } from "vitest";
import { parseJsonObject } from "../src/json-object.js";

describe("parseJsonObject", () => {
  it("reads a JSON object, leading blanks allowed", () => {
    expect(parseJsonObject('{"message_type":"summary","n":1}')).toEqual({ message_type: "summary", n: 1 });
    expect(parseJsonObject('  \t{"a":[1]}')).toEqual({ a: [1] });
  });

  it("is undefined for text, arrays, other JSON and broken JSON", () => {
    for (const text of [
      "",
      "created restic repository",
      "[1,2]",
      "42",
      '"text"',
      "null",
      '{"torn":',
      "{x}",
    ]) {
      expect(parseJsonObject(text)).toBeUndefined();
    }
  });
});
