import { describe, expect, it } from "vitest";
import { stripJsonComments } from "../../src/config/jsonc.js";
import { parseConfigText } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

/** Where JSON.parse says the text breaks, as a character offset. */
function errorPosition(text: string): number {
  try {
    JSON.parse(text);
  } catch (error) {
    const at = /at position (\d+)/.exec((error as Error).message);
    if (at?.[1]) return Number(at[1]);
  }
  throw new Error("expected a JSON syntax error with a position");
}

describe("stripJsonComments", () => {
  it.each([
    ["a line comment", '{"a": 1} // one', '{"a": 1}       '],
    ["a block comment", '{/* x */"a": 1}', '{       "a": 1}'],
    ["a comment at the very end", '{"a": 1}\n//', '{"a": 1}\n  '],
    ["an unterminated block comment", '{"a": 1} /* open', '{"a": 1}        '],
    ["a block comment that holds //", '{"a": /* // */ 1}', '{"a":          1}'],
    ["a line comment that holds /*", '{"a": 1 // /* not a block\n}', `{"a": 1 ${" ".repeat(17)}\n}`],
  ])("blanks %s with spaces", (_, input, expected) => {
    expect(stripJsonComments(input)).toBe(expected);
  });

  it("keeps every line break, so lines and columns stay where they were", () => {
    const input = '{\r\n  /* two\r\n  lines */ "a": 1, // end\n  "b": 2\n}';
    const output = stripJsonComments(input);
    expect(output).toHaveLength(input.length);
    expect(output.split(/\r?\n/).map((line) => line.length)).toEqual(
      input.split(/\r?\n/).map((line) => line.length),
    );
    expect(JSON.parse(output)).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ["sftp:", '"sftp://backup@nas:/srv/restic"'],
    ["rest:", '"rest:http://user:pw@host:8000/repo/"'],
    ["a block opener", '"/* not a comment */"'],
    ["an escaped quote", '"say \\"hi\\" // still text"'],
    ["an escaped backslash before the end", '"C:\\\\"'],
  ])("never touches // or /* inside a string (%s)", (_, value) => {
    const input = `{"a": ${value}, // comment\n"b": 1}`;
    expect(JSON.parse(stripJsonComments(input)).a).toBe(JSON.parse(value));
  });

  it("returns text without comments unchanged", () => {
    const input = '{"destination": "sftp://host/repo", "n": [1, 2]}';
    expect(stripJsonComments(input)).toBe(input);
  });

  it("leaves a syntax error at the same position, after comments and before them", () => {
    const input = [
      "{",
      "  // the first job",
      '  "backupjobs": [ /* none yet */ ]',
      '  "state_dir": "./state"', // missing comma above: the error is here
      "}",
    ].join("\n");
    const expected = input.indexOf('"state_dir"');
    expect(errorPosition(stripJsonComments(input))).toBe(expected);
  });

  it("lets the loader report line and column as in the file", () => {
    const input = '{\n  // comment\n  "backupjobs": [],, /* x */\n}';
    try {
      parseConfigText(input, { baseDir: "/configs" });
      expect.unreachable("expected a syntax error");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]?.message).toMatch(/^invalid JSON at line 3, column 20:/);
    }
  });

  it("lets the loader read a commented config", () => {
    const input = `{
      // Editors read this.
      "$schema": "https://example.com/schema.json",
      "backupjobs": [{
        "jobname": "Docs", /* the name */
        "sources": ["./docs"],
        "destination": "sftp://backup@nas//srv/restic",
        "password": "secret // not a comment",
        "backup_interval": "0 2 * * *"
      }]
    }`;
    const config = parseConfigText(input, { baseDir: "/configs" });
    expect(config.jobs[0]?.repository).toBe("sftp://backup@nas//srv/restic");
    expect(config.jobs[0]?.password).toEqual({ kind: "literal", value: "secret // not a comment" });
  });
});
