import { describe, expect, it } from "vitest";
import { defineCommand } from "../src/args/define-command.js";
import { didYouMean, editDistance } from "../src/args/did-you-mean.js";
import { parseStrictArgs, type StrictArgsDef } from "../src/args/strict-args.js";
import { formatUsageError, renderHelp, styleFor, usageLine } from "../src/args/usage.js";

const forget = {
  config: { type: "string", description: "Config file", valueHint: "FILE" },
  job: { type: "positional", required: true, description: "Job name" },
  "dry-run": { type: "boolean", description: "Remove nothing" },
  json: { type: "boolean", description: "JSON" },
} as const satisfies StrictArgsDef;

const restore = {
  job: { type: "positional", required: true },
  target: { type: "string", required: true, valueHint: "DIR" },
  snapshot: { type: "string", default: "latest", valueHint: "ID" },
  include: { type: "string", repeatable: true, valueHint: "PATH" },
  output: { type: "string", alias: "o", valueHint: "FILE" },
  platform: { type: "enum", options: ["linux", "darwin", "win32"] },
  overwrite: { type: "boolean" },
} as const satisfies StrictArgsDef;

const backup = {
  jobs: { type: "positional", required: false, variadic: true, valueHint: "JOB" },
  json: { type: "boolean" },
} as const satisfies StrictArgsDef;

function problem(def: StrictArgsDef, argv: string[]): string {
  const result = parseStrictArgs(def, argv);
  if (result.ok) throw new Error(`expected a problem with ${argv.join(" ")}`);
  return result.problem;
}

describe("parseStrictArgs", () => {
  it("parses what the definition declares: positionals, switches, values, defaults", () => {
    const result = parseStrictArgs(restore, [
      "Docs",
      "--target",
      "/r",
      "--overwrite",
      "--include=a",
      "--include",
      "b",
    ]);
    expect(result).toEqual({
      ok: true,
      args: {
        _: ["Docs"],
        job: "Docs",
        target: "/r",
        snapshot: "latest",
        include: ["a", "b"],
        overwrite: true,
      },
    });
  });

  it("takes -o for its flag, values after =, and a lone - as a value", () => {
    const result = parseStrictArgs(restore, ["J", "--target=/r", "-o", "-", "--platform=linux"]);
    expect(result).toMatchObject({ ok: true, args: { target: "/r", output: "-", platform: "linux" } });
    expect(parseStrictArgs(restore, ["J", "--target", "/r", "-o=x"])).toMatchObject({
      args: { output: "x" },
    });
  });

  it("gives a variadic positional every remaining argument, and none when there are none", () => {
    expect(parseStrictArgs(backup, ["a", "b", "--json", "c"])).toMatchObject({
      ok: true,
      args: { jobs: ["a", "b", "c"], json: true },
    });
    expect(parseStrictArgs(backup, [])).toMatchObject({ ok: true, args: { jobs: [] } });
  });

  it("ends flags at --", () => {
    expect(parseStrictArgs(backup, ["--", "--json", "-x"])).toMatchObject({
      ok: true,
      args: { jobs: ["--json", "-x"] },
    });
    expect(problem(forget, ["J", "--", "--dry-run"])).toBe('unexpected argument "--dry-run"');
  });

  it("turns a switch off with --no-, and takes =true/=false", () => {
    expect(parseStrictArgs(forget, ["J", "--no-dry-run"])).toMatchObject({ args: { "dry-run": false } });
    expect(parseStrictArgs(forget, ["J", "--json=false", "--dry-run=true"])).toMatchObject({
      args: { json: false, "dry-run": true },
    });
  });

  it.each([
    [["J", "--dryrun"], "unknown flag --dryrun (did you mean --dry-run?)"],
    [["J", "--jsno"], "unknown flag --jsno (did you mean --json?)"],
    [["J", "--dryRun"], "unknown flag --dryRun (did you mean --dry-run?)"],
    [["J", "-json"], "unknown flag -json (did you mean --json?)"],
    [["J", "--no-dryrun"], "unknown flag --no-dryrun (did you mean --no-dry-run?)"],
    [["J", "--conf"], "unknown flag --conf (did you mean --config?)"],
    [["J", "--frobnicate"], "unknown flag --frobnicate"],
    [["J", "-x"], "unknown flag -x"],
    [["J", "--config"], "--config needs a value (--config FILE)"],
    [["J", "--config", "--json"], "--config needs a value (--config FILE)"],
    [["J", "--config="], "--config needs a value (--config FILE)"],
    [["J", "--json=yes"], "--json is a switch and takes no value, got --json=yes; write --json or --no-json"],
    [["J", "--no-config"], "--no-config: --config is not a switch, so it has no --no- form"],
    [["J", "--no-json=false"], "--no-json takes no value, got --no-json=false"],
    [["J", "extra"], 'unexpected argument "extra"'],
    [["J", "dry-run"], 'unexpected argument "dry-run" (did you mean --dry-run?)'],
    [[], "missing JOB"],
    [["J", "--config", "a", "--config", "b"], '--config is given twice ("a" and "b"); give it once'],
    [["J", "--json", "--no-json"], "--json is given twice (true and false); give it once"],
  ])("refuses %j: %s", (argv, message) => {
    expect(problem(forget, argv)).toBe(message);
  });

  it("refuses a missing required flag, an enum value not listed, and says how to give a value with a dash", () => {
    expect(problem(restore, ["J"])).toBe("missing --target DIR");
    expect(problem(restore, ["J", "--target", "/r", "--platform", "linx"])).toBe(
      '--platform must be one of linux, darwin, win32, got "linx" (did you mean linux?)',
    );
    expect(problem(restore, ["J", "--target", "/r", "--snapshot", "-1"])).toBe(
      '--snapshot needs a value (--snapshot ID); write a value starting with "-" as --snapshot=-1',
    );
    expect(problem(restore, ["J", "--target", "/r", "-o"])).toBe("-o needs a value (-o FILE)");
  });

  it("accepts the same value twice, and a repeatable flag any number of times", () => {
    expect(parseStrictArgs(forget, ["J", "--json", "--json"])).toMatchObject({ ok: true });
    expect(
      parseStrictArgs(restore, ["J", "--target", "/r", "--include", "a", "--include", "a"]),
    ).toMatchObject({
      args: { include: ["a", "a"] },
    });
  });
});

describe("didYouMean", () => {
  it("finds a swapped pair, a missing or extra letter, a prefix; not a stranger", () => {
    expect(didYouMean("snapshto", ["snapshot", "target"])).toBe("snapshot");
    expect(didYouMean("dryrun", ["dry-run", "json"])).toBe("dry-run");
    expect(didYouMean("snap", ["snapshot", "target"])).toBe("snapshot");
    expect(didYouMean("verbose", ["json", "config"])).toBeUndefined();
    expect(didYouMean("x", ["o"])).toBeUndefined();
    expect(editDistance("jsno", "json")).toBe(1);
  });
});

describe("usage and help", () => {
  const command = defineCommand({ meta: { name: "restore", description: "Restore" }, args: restore });

  it("writes the usage line from the definition, --config last", () => {
    expect(
      usageLine("simplebackup forget", { meta: { name: "forget", description: "" }, args: forget }),
    ).toBe("simplebackup forget JOB [--dry-run] [--json] [--config FILE]");
    expect(
      usageLine("simplebackup backup", { meta: { name: "backup", description: "" }, args: backup }),
    ).toBe("simplebackup backup [JOB...] [--json]");
    expect(usageLine("simplebackup restore", command)).toBe(
      "simplebackup restore JOB --target DIR [--snapshot ID] [--include PATH]... [--output FILE] [--platform PLATFORM] [--overwrite]",
    );
  });

  it("formats a usage error with nothing ran, the usage line and the subcommand's help", () => {
    expect(formatUsageError("unknown flag --x", "simplebackup restore", command)).toBe(
      [
        "simplebackup restore: unknown flag --x; nothing ran.",
        `usage: ${usageLine("simplebackup restore", command)}`,
        'Run "simplebackup restore --help" for more.',
      ].join("\n"),
    );
  });

  it("colours help only on a terminal without NO_COLOR or TERM=dumb", async () => {
    const plain = await renderHelp("simplebackup restore", command, styleFor({ isTTY: false }, {}));
    expect(plain).not.toContain("\u001b[");
    expect(plain).toContain("-o, --output FILE");
    expect(plain).toContain("(repeatable)");
    expect(plain).toContain("(default: latest)");
    expect(await renderHelp("x", command, styleFor({ isTTY: true }, {}))).toContain("\u001b[");
    expect(await renderHelp("x", command, styleFor({ isTTY: true }, { NO_COLOR: "true" }))).not.toContain(
      "\u001b[",
    );
    expect(await renderHelp("x", command, styleFor({ isTTY: true }, { TERM: "dumb" }))).not.toContain(
      "\u001b[",
    );
  });
});
