// Every command × every argument mistake, against the commands' real definitions, in-process:
// the mistake is found before the command runs, with `nothing ran`, the usage line and a hint.
// A new command or flag joins this table by being defined (helpers/command-mistakes.ts).

import { describe, expect, it } from "vitest";
import { resolveInvocation } from "../src/args/dispatch.js";
import type { StrictArgsDef } from "../src/args/strict-args.js";
import { formatUsageError } from "../src/args/usage.js";
import { baselineFor, loadCommands, mistakesFor } from "./helpers/command-mistakes.js";

const { main, commands } = await loadCommands();
const values = { positional: () => "Docs", flag: () => "/tmp/somewhere" };

describe("the command table", () => {
  it("holds every command main lists", () => {
    expect(commands.map(([name]) => name)).toEqual(Object.keys(main.subCommands ?? {}));
    expect(commands.length).toBeGreaterThan(10);
  });

  it.each(commands)(
    "%s: the baseline call is valid (so each mistake below is the only one)",
    async (name, command) => {
      const invocation = await resolveInvocation(main, [name, ...baselineFor(command, values)]);
      expect(invocation.kind).toBe("run");
    },
  );

  const table = commands.flatMap(([name, command]) =>
    mistakesFor(command, values).map(
      (mistake) => [name, mistake.kind, mistake.argv.join(" "), mistake] as const,
    ),
  );
  it.each(table)("%s: %s (%s) is refused", async (name, _kind, _shown, mistake) => {
    const invocation = await resolveInvocation(main, [name, ...mistake.argv]);
    expect(invocation.kind).toBe("usage-error");
    if (invocation.kind !== "usage-error") return;
    expect(invocation.path).toBe(`simplebackup ${name}`);
    const text = formatUsageError(invocation.problem, invocation.path, invocation.command);
    expect(text).toContain(mistake.says);
    expect(text).toContain("nothing ran");
    expect(text).toContain(`usage: simplebackup ${name}`);
    expect(text).toContain(`Run "simplebackup ${name} --help"`);
  });

  it("covers every kind of mistake, and a typo of every flag", () => {
    const kinds = new Set(table.map(([, kind]) => kind));
    expect([...kinds].sort()).toEqual(
      [
        "extra argument",
        "missing value",
        "switch with a value",
        "typo",
        "unknown flag",
        "unknown negation",
        "value then flag",
      ].sort(),
    );
    for (const [name, command] of commands) {
      const typos = table.filter(([n, kind]) => n === name && kind === "typo").length;
      expect(typos, name).toBe(
        Object.values((command.args ?? {}) as StrictArgsDef).filter((d) => d.type !== "positional").length,
      );
    }
  });

  it("lets a command that takes any number of jobs take many", async () => {
    const invocation = await resolveInvocation(main, ["backup", "Docs", "Photos", "Mail", "--json"]);
    expect(invocation).toMatchObject({ kind: "run", args: { jobs: ["Docs", "Photos", "Mail"], json: true } });
  });
});

describe("choosing the command", () => {
  it("refuses an unknown command with a did-you-mean instead of starting the daemon", async () => {
    const invocation = await resolveInvocation(main, ["bakup"]);
    expect(invocation).toMatchObject({ kind: "usage-error", path: "simplebackup" });
    if (invocation.kind === "usage-error") expect(invocation.problem).toContain("(did you mean backup?)");
  });

  it("runs the default command when the first argument is a flag, and only then", async () => {
    expect(await resolveInvocation(main, ["--backup-on-start"])).toMatchObject({
      kind: "run",
      path: "simplebackup run",
      args: { "backup-on-start": true },
    });
    expect(await resolveInvocation(main, [])).toMatchObject({ kind: "run", path: "simplebackup run" });
  });

  it("says a command goes first when it comes after a flag", async () => {
    const invocation = await resolveInvocation(main, ["--json", "backup"]);
    expect(invocation.kind).toBe("usage-error");
    if (invocation.kind === "usage-error") {
      expect(invocation.problem).toContain('"backup" is a command, and the command goes first');
    }
  });

  it("answers --help and -h for the named command, and --version alone", async () => {
    expect(await resolveInvocation(main, ["--help"])).toMatchObject({ kind: "help", path: "simplebackup" });
    expect(await resolveInvocation(main, ["forget", "-h"])).toMatchObject({
      kind: "help",
      path: "simplebackup forget",
    });
    // Help wins over a mistake: a user asking for help gets it.
    expect(await resolveInvocation(main, ["forget", "--dryrun", "--help"])).toMatchObject({ kind: "help" });
    expect(await resolveInvocation(main, ["--version"])).toMatchObject({ kind: "version" });
    expect(await resolveInvocation(main, ["-v"])).toMatchObject({ kind: "version" });
    // After `--`, --help is an argument like any other.
    expect(await resolveInvocation(main, ["backup", "--", "--help"])).toMatchObject({
      kind: "run",
      args: { jobs: ["--help"] },
    });
  });
});
