// Every command × each kind of argument mistake, through the built CLI: exit 2, `nothing ran`, the
// usage line, and truly nothing ran: no config was read (no `config:` line) and no restic was started
// (restic here is a script that leaves a marker file). The cases come from the commands' own
// definitions (packages/cli/test/helpers/command-mistakes.ts), so a new command joins by existing;
// the full table (a typo of every flag, …) runs in-process in packages/cli/test/command-table.test.ts.

import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type BaselineValues,
  baselineFor,
  loadCommands,
  type Mistake,
  type MistakeKind,
  mistakesFor,
} from "../../packages/cli/test/helpers/command-mistakes.js";
import { BIN, type CliResult, tempDir, write } from "./cli.js";

const temp = tempDir();
afterAll(() => temp.dispose());
const root = temp.path;
let calls = 0;
const home = join(root, "home");
const fakeRestic = write(
  join(root, "bin", process.platform === "win32" ? "restic.cmd" : "restic"),
  // Each call of the CLI gets its own marker file, so calls can run side by side.
  '#!/bin/sh\necho "$@" >> "$RESTIC_STARTED_MARKER"\nexit 1\n',
);
chmodSync(fakeRestic, 0o755);
mkdirSync(home, { recursive: true });
write(join(root, "data", "note.txt"), "a file to back up");
write(join(root, "backup_config.json"), {
  restic_binary: fakeRestic,
  state_dir: join(root, "state"),
  backupjobs: [
    {
      jobname: "Docs",
      sources: ["./data"],
      destination: "./repo",
      password: "strict-args-pw",
      backup_interval: "0 2 * * *",
      retention: { last: 1 },
    },
  ],
});

/** What a command writes when it runs with its baseline arguments: init's file, restore's target. */
const written = { init: join(root, "init-wrote-this.json"), target: join(root, "restored") };
const values: BaselineValues = {
  positional: (name) => (name === "file" ? written.init : "Docs"),
  flag: () => written.target,
};

interface Call extends CliResult {
  /** Exists when restic was started. */
  readonly marker: string;
}

/** The built CLI from `root`, where a config, a fake restic on PATH and a private HOME are. */
function simplebackup(args: readonly string[]): Promise<Call> {
  const marker = join(root, `restic-started-${++calls}`);
  const env = {
    RESTIC_STARTED_MARKER: marker,
    ...process.env,
    PATH: `${join(root, "bin")}${delimiter}${process.env.PATH ?? ""}`,
    RESTIC_BINARY: fakeRestic,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    SIMPLEBACKUP_STATE_DIR: join(root, "state"),
    SIMPLEBACKUP_CONFIG: undefined,
    NODE_DISABLE_COMPILE_CACHE: "1",
  };
  return new Promise((resolve) => {
    // A timeout, so that a check that let `run` through fails the test instead of hanging it.
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: root, env, timeout: 20_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr, marker });
      },
    );
  });
}

function expectNothingRan(result: Call): void {
  expect(result.stderr).not.toMatch(/^config: /m);
  expect(existsSync(result.marker), "restic was started").toBe(false);
  expect(existsSync(written.init), "init wrote its file").toBe(false);
  expect(existsSync(written.target), "restore made its target").toBe(false);
  expect(readdirSync(home), "something was written to HOME").toEqual([]);
}

const { commands } = await loadCommands();

/** One case of each kind the issue names, per command: the full table is in-process. */
const KINDS: readonly MistakeKind[] = ["unknown flag", "typo", "missing value", "extra argument"];
const table = commands.flatMap(([name, command]) => {
  const firstOfKind = new Map<string, Mistake>();
  for (const mistake of mistakesFor(command, values)) {
    if (KINDS.includes(mistake.kind) && !firstOfKind.has(mistake.kind))
      firstOfKind.set(mistake.kind, mistake);
  }
  return [...firstOfKind.values()].map((m) => [name, m.kind, m.argv.join(" "), m] as const);
});

describe("the command line never guesses", () => {
  it("would notice a command that ran: a real call reads the config and starts restic", async () => {
    const forget = commands.find(([name]) => name === "forget")?.[1];
    expect(forget).toBeDefined();
    const result = await simplebackup(["forget", ...baselineFor(forget as never, values)]);
    expect(result.stderr).toMatch(/^config: /m);
    expect(existsSync(result.marker)).toBe(true);
  });

  it.concurrent.each(table)("%s: %s (%s) → exit 2, nothing ran", async (name, _kind, _shown, mistake) => {
    const result = await simplebackup([name, ...mistake.argv]);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(mistake.says);
    expect(result.stderr).toContain("nothing ran");
    expect(result.stderr).toContain(`usage: simplebackup ${name}`);
    expect(result.stderr).toContain(`Run "simplebackup ${name} --help"`);
    expect(result.stdout).toBe("");
    expectNothingRan(result);
  });

  it("refuses the mistakes of issue 12 with a did-you-mean", async () => {
    const cases = [
      [["forget", "Docs", "--dryrun"], "(did you mean --dry-run?)"],
      [["restore", "Docs", "--target", written.target, "--snapshto", "abc"], "(did you mean --snapshot?)"],
      [["backup", "--jsno"], "(did you mean --json?)"],
      [["restore", "Docs", "--target", written.target, "--snapshot"], "--snapshot needs a value"],
    ] as const;
    for (const [args, says] of cases) {
      const result = await simplebackup(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(says);
      expectNothingRan(result);
    }
  });

  it("refuses an unknown command with a did-you-mean, and never starts the daemon for it", async () => {
    const result = await simplebackup(["bakup"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "bakup" (did you mean backup?)');
    expect(result.stderr).toContain("nothing ran");
    expectNothingRan(result);
  });
});

describe("help", () => {
  it("has no colour codes when stdout is not a terminal, and shows [JOB...]", async () => {
    const result = await simplebackup(["backup", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stdout).toMatch(/^usage: simplebackup backup \[JOB\.\.\.\] .*\[--json\]/m);
    const top = await simplebackup(["--help"]);
    expect(top.stdout).not.toContain("\u001b[");
    expect(top.stdout).toContain('Run "simplebackup <command> --help"');
  });

  it("suggests init when there is no config", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty, { recursive: true });
    const result = await new Promise<CliResult>((resolve) =>
      execFile(
        process.execPath,
        [BIN, "validate"],
        {
          cwd: empty,
          env: {
            ...process.env,
            HOME: home,
            XDG_CONFIG_HOME: join(home, ".config"),
            SIMPLEBACKUP_CONFIG: undefined,
          },
        },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("No config file found");
    expect(result.stderr).toContain('"simplebackup init" writes a commented starter config');
  });
});
