// The output contract, through the built CLI and a real restic:
// - `--json` on any command means stdout carries JSON only: one value, or one object per line for the
//   streams (backup, run); everything for people goes to stderr. The table is generated from the
//   commands' own definitions, so a command that gains a `json` flag joins it without anyone adding it.
//   Each runs as it should, on an unknown job, without its config, and interrupted by Ctrl-C.
// - Human output prints local time with its offset (TZ set here, as a user would), 8-character
//   snapshot ids and a heading over every table column; JSON prints times in UTC.
// Passes with this machine's restic 0.14 and with 0.18 (RESTIC_BINARY=…), which reports 64-character
// snapshot ids in a backup's summary and records each snapshot's size.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESTIC } from "../faults/helpers.js";
import { resticAtLeast } from "../support/restic.js";
import { type AsyncCliResult, simplebackup, simplebackupAsync, tempDir, write } from "./cli.js";

const PASSWORD = "contract-secret-91c4";
const temp = tempDir();
const root = temp.path;
const config = join(root, "backup_config.json");
/** +05:30 all year, and never the machine's zone by accident: restic writes snapshot times in it too. */
const TZ = "Asia/Kolkata";
const env = { TZ, SIMPLEBACKUP_STATE_DIR: join(root, "state") };

interface ArgDef {
  readonly type?: string;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly variadic?: boolean;
}
interface CommandDef {
  readonly args?: Record<string, ArgDef>;
}

/** Every subcommand as the CLI defines it, loaded the way the CLI loads it. */
async function loadCommands(): Promise<[string, CommandDef][]> {
  // tsup defines it at build time; main.ts reads it when evaluated.
  (globalThis as { __SIMPLEBACKUP_VERSION__?: string }).__SIMPLEBACKUP_VERSION__ ??= "0.0.0-test";
  const { main } = await import("../../packages/cli/src/main.js");
  const subCommands = (main.subCommands ?? {}) as Record<string, () => Promise<CommandDef>>;
  const loaded: [string, CommandDef][] = [];
  for (const [name, load] of Object.entries(subCommands)) loaded.push([name, await load()]);
  return loaded;
}

const jsonCommands = (await loadCommands()).filter(([, command]) => command.args?.json !== undefined);

/** A flag a command requires, by name; a new required flag fails the test below until it is here. */
const REQUIRED_FLAG_VALUES: Record<string, () => string> = {
  target: () => join(root, `target-${Math.random().toString(36).slice(2)}`),
};
/** Only so a run shows more than its first line; a command not listed runs with its required arguments. */
const MORE: Record<string, () => string[]> = {
  run: () => ["--backup-on-start"],
  // A new file each time: restore-db never loads over a database that holds data.
  "restore-db": () => ["--into", join(root, `restored-${Math.random().toString(36).slice(2)}.sqlite`)],
};
/** The job a command runs on: restore-db needs one with a database. */
const JOB_FOR: Record<string, string> = { "restore-db": "Db" };

/**
 * The smallest valid call: the job where a positional argument needs one, and every required flag.
 * With `everyPositional`, optional positionals get the job too (`snapshots JOB`, `backup JOB`).
 */
function argvFor(name: string, command: CommandDef, job: string, everyPositional = false): string[] {
  const argv = [name];
  for (const [arg, def] of Object.entries(command.args ?? {})) {
    if (def.type === "positional") {
      if (everyPositional || (def.required !== false && def.default === undefined)) {
        argv.push(job === "Plain" ? (JOB_FOR[name] ?? job) : job);
      }
    } else if (def.required) {
      const value = REQUIRED_FLAG_VALUES[arg];
      if (!value) throw new Error(`${name} requires --${arg}: add a value for it to REQUIRED_FLAG_VALUES`);
      argv.push(`--${arg}`, value());
    }
  }
  return [...argv, ...(MORE[name]?.() ?? []), "--json"];
}

function hasPositional(command: CommandDef): boolean {
  return Object.values(command.args ?? {}).some((def) => def.type === "positional");
}

/**
 * Runs the CLI in its own process group. A command still running 3 s after `stopWhen` held (a daemon
 * after its first backup; a one-shot backup ends by itself meanwhile), or at once with `now`, gets
 * Ctrl-C: SIGINT to the whole group, as a terminal sends it to the CLI and its restic alike. So does
 * any command after 45 s.
 */
async function cli(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; stopWhen?: (stdout: string) => boolean; now?: boolean } = {},
): Promise<AsyncCliResult> {
  const run = simplebackupAsync(
    [...argv, "--config", config],
    { ...env, ...options.env },
    { detached: true },
  );
  const { child } = run;
  let stopping = false;
  const stop = () => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGINT");
  };
  const timers = [setTimeout(stop, 45_000)];
  const poll = setInterval(() => {
    if (stopping || !options.stopWhen?.(run.output().stdout)) return;
    stopping = true;
    timers.push(setTimeout(stop, options.now ? 0 : 3_000));
  }, 50);
  try {
    return await run.done;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    clearInterval(poll);
  }
}

/**
 * The values on stdout: one JSON value (possibly indented), or one JSON object per line. Throws, with
 * the offending text, when stdout holds anything else.
 */
function jsonValues(stdout: string): unknown[] {
  if (stdout.trim() === "") return [];
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        try {
          const value: unknown = JSON.parse(line);
          if (typeof value !== "object" || value === null) throw new Error("not an object");
          return value;
        } catch {
          throw new Error(`stdout holds a line that is not a JSON object: ${JSON.stringify(line)}`);
        }
      });
  }
}

/** Every time in the JSON, by the names render/json.ts converts: `time`, `at` and `…At`. */
function timesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) timesIn(item, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string" && /^(time|at|[a-z][A-Za-z]*At)$/.test(key)) found.push(item);
      else timesIn(item, found);
    }
  }
  return found;
}

/** A local time with its offset in TZ=Asia/Kolkata, as text output prints it. */
const LOCAL_TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+05:30";
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** A duration as core's formatHumanDuration writes it: `1.2s`, `45s`, `1m 23s`, `2h`. */
const DURATION = "(\\d+(\\.\\d)?s|\\d+[dhm]( \\d+[hms])?)";
/** A daemon is stopped once it reported its first run; a one-shot command ends by itself. */
const afterFirstRun = (stdout: string) => /"type":"(success|partial|failure)"/.test(stdout);

/**
 * A restic that blocks in its first call that is not `version` (marked by a file, so the probe, the
 * unlock after an interrupt and the runs after it go to the real restic), for a Ctrl-C to land in.
 */
const blockingRestic = join(root, "blocking-restic.sh");

beforeAll(() => {
  write(join(root, "data/docs/letter.txt"), "dear reader");
  write(join(root, "data/docs/sub/table.csv"), "1,2\n3,4\n");
  write(config, {
    backupjobs: [
      { jobname: "Plain", sources: ["./data/docs"], destination: "./repo", password: PASSWORD },
      // Backed up once below and used by restore-db alone, so the other commands' output stays Plain's.
      {
        jobname: "Db",
        databases: [{ type: "sqlite", path: "./app.sqlite" }],
        destination: "./repo",
        password: PASSWORD,
      },
    ].map((job) => ({ ...job, backup_interval: "0 2 * * *" })),
  });
  write(
    blockingRestic,
    `#!/bin/sh\nif [ "$1" != version ] && [ ! -e "$BLOCK_MARKER" ]; then : > "$BLOCK_MARKER"; exec sleep 60; fi\nexec ${RESTIC} "$@"\n`,
  );
  chmodSync(blockingRestic, 0o755);
  const first = simplebackup(["backup", "Plain", "--config", config], { env });
  expect(first.status, first.stdout + first.stderr).toBe(0);
  const sqlite = spawnSync("sqlite3", [
    join(root, "app.sqlite"),
    "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');",
  ]);
  expect(sqlite.status, String(sqlite.stderr)).toBe(0);
  const db = simplebackup(["backup", "Db", "--config", config], { env });
  expect(db.status, db.stdout + db.stderr).toBe(0);
});
afterAll(() => temp.dispose());

describe("--json: stdout carries JSON only", () => {
  it("covers every command that has --json", () => {
    const names = jsonCommands.map(([name]) => name);
    for (const name of [
      "backup",
      "run",
      "status",
      "snapshots",
      "forget",
      "restore",
      "check",
      "drill",
      "unlock",
    ]) {
      expect(names).toContain(name);
    }
  });

  it.each(jsonCommands)("%s --json: JSON on stdout, times in UTC", async (name, command) => {
    const result = await cli(argvFor(name, command, "Plain"), { stopWhen: afterFirstRun });
    expect(result.status, result.stderr).toBe(0);
    const values = jsonValues(result.stdout);
    expect(values.length, result.stderr).toBeGreaterThan(0);
    for (const time of timesIn(values)) expect(time).toMatch(ISO_UTC);
  });

  it.each(jsonCommands)(
    "%s --json on an unknown job, a missing config or a mistyped flag: nothing but JSON on stdout",
    async (name, command) => {
      if (hasPositional(command)) {
        const unknown = await cli(argvFor(name, command, "Nope", true));
        expect(unknown.status, unknown.stderr).toBe(2);
        expect(unknown.stderr).toContain("Nope");
        jsonValues(unknown.stdout);
      }
      const missing = await cli([...argvFor(name, command, "Plain"), "--config", join(root, "nowhere.json")]);
      expect(missing.status, missing.stderr).toBe(2);
      expect(jsonValues(missing.stdout)).toEqual([]);
      const mistake = await cli([...argvFor(name, command, "Plain"), "--no-such-flag"]);
      expect(mistake.status, mistake.stderr).toBe(2);
      expect(jsonValues(mistake.stdout)).toEqual([]);
    },
  );

  it.each(jsonCommands)(
    "%s --json interrupted by Ctrl-C in restic: still JSON only",
    async (name, command) => {
      const marker = join(root, `blocked-${name}`);
      const result = await cli(argvFor(name, command, "Plain"), {
        env: { RESTIC_BINARY: blockingRestic, BLOCK_MARKER: marker },
        stopWhen: () => existsSync(marker),
        now: true,
      });
      // 130 for a one-shot command that was in restic (a command with no handler of its own, such as
      // snapshots, ends by the signal, which a shell reports as 130 too); the daemon exits 0 after a
      // clean stop, and a command that starts no restic (status) just finished.
      const code = result.status ?? (result.signal === "SIGINT" ? 130 : result.signal);
      expect(existsSync(marker) ? [130, 0] : [0], result.stderr).toContain(code);
      jsonValues(result.stdout);
    },
  );
});

describe("human output: local time with its offset, 8-character ids, named numbers, headings", () => {
  it("backup names each size and prints the short id", async () => {
    const result = await cli(["backup", "Plain"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Plain: done, snapshot [0-9a-f]{8}, took ${DURATION}$`, "m"));
    expect(result.stdout).toMatch(
      /^ {2}19 B in 2 files \(2 unmodified\); [\d.]+ (B|KiB) added to the repository$/m,
    );
  });

  it("status and snapshots print the user's local time with its offset (TZ), not UTC", async () => {
    const status = await cli(["status"]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^ {2}next run: +${LOCAL_TIME}$`, "m"));
    expect(status.stdout).toMatch(
      new RegExp(`^ {2}last result: +success at ${LOCAL_TIME}, snapshot [0-9a-f]{8}$`, "m"),
    );

    const snapshots = await cli(["snapshots", "Plain"]);
    expect(snapshots.status, snapshots.stderr).toBe(0);
    const lines = snapshots.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Plain: \d+ snapshots$/);
    expect(lines[1]).toMatch(/^ {2}TIME {24}ID +SIZE {2}FILES {2}PATHS$/);
    const rows = lines.slice(2).filter((line) => line.startsWith("  "));
    expect(rows.length).toBeGreaterThan(0);
    for (const line of rows) {
      // Size and file count are `-` before restic 0.17, which did not record them.
      expect(line).toMatch(
        resticAtLeast("0.17.0")
          ? new RegExp(`^ {2}${LOCAL_TIME} {2}[0-9a-f]{8} +[\\d.]+ (B|KiB) +2 {2}${join(root, "data/docs")}$`)
          : new RegExp(`^ {2}${LOCAL_TIME} {2}[0-9a-f]{8} +- +- {2}${join(root, "data/docs")}$`),
      );
    }
    // Under the tables, what SIZE and FILES are, and what `-` means where it appears.
    expect(lines.slice(2 + rows.length)).toEqual([
      "SIZE: total size of the files in the snapshot; FILES: how many files it holds",
      ...(resticAtLeast("0.17.0")
        ? []
        : ["-: not recorded; restic records them from 0.17 on, older snapshots lack them"]),
    ]);
  });

  it("the daemon's log lines start with local time and its offset", async () => {
    const result = await cli(["run", "--backup-on-start"], {
      stopWhen: (stdout) => stdout.includes("] success: "),
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${LOCAL_TIME} \\[Plain\\] next run at ${LOCAL_TIME}`, "m"));
    expect(result.stdout).toMatch(
      new RegExp(
        `^${LOCAL_TIME} \\[Plain\\] success: snapshot [0-9a-f]{8} in ${DURATION}; 19 B in 2 files`,
        "m",
      ),
    );
    expect(result.stdout).toContain("simplebackup daemon running");
  });
});

describe("tables on real output: a heading over every column", () => {
  it("drill: RESULT, SIZE, FILE", async () => {
    const result = await cli(["drill", "Plain", "--files", "2", "--seed", "7"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Plain: drill of snapshot [0-9a-f]{8} \(seed 7\): 2 of 2 files picked$/m);
    expect(result.stdout).toMatch(/^ {2}RESULT {3}SIZE {2}FILE$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^ {2}matched +\\d+ B {2}${join(root, "data/docs")}/\\S+$`, "m"),
    );
  });

  it("unlock: LOCK, TYPE, PID, HOST, USER, SINCE, KEPT BECAUSE for a live lock it leaves in place", async () => {
    // A real restic backup holds the lock: slowed down, then stopped (SIGSTOP) while it holds it.
    write(join(root, "data/slow/blob.bin"), Buffer.alloc(4 * 1024 * 1024, 7));
    const holder = spawn(RESTIC, ["backup", "--limit-upload", "64", join(root, "data/slow")], {
      env: { ...process.env, RESTIC_REPOSITORY: join(root, "repo"), RESTIC_PASSWORD: PASSWORD },
      stdio: "ignore",
    });
    try {
      // restic writes a lock as a `-tmp-` file and renames it; stopped before the rename, it holds none
      // that `list locks` shows (seen on 0.18 under load: "the repository had no locks").
      const locks = join(root, "repo/locks");
      const held = () => existsSync(locks) && readdirSync(locks).some((name) => !name.includes("-tmp-"));
      for (let i = 0; i < 200 && !held(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      holder.kill("SIGSTOP");
      const result = await cli(["unlock", "Plain"]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Plain: 1 lock left in place, not stale:$/m);
      expect(result.stdout).toMatch(/^ {2}LOCK {6}TYPE +PID {2}HOST +USER +SINCE +KEPT BECAUSE$/m);
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}[0-9a-f]{8} {2}shared +${holder.pid} {2}\\S+ +\\S+ +${LOCAL_TIME} {2}its process runs on this machine$`,
          "m",
        ),
      );
    } finally {
      holder.kill("SIGCONT");
      holder.kill("SIGINT"); // restic removes its lock on SIGINT
      await new Promise((resolve) => holder.once("close", resolve));
    }
  });
});
