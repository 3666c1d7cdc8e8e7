import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistoryFiles } from "../support/history-files.js";
import { quietTempDir, withQuietAncestors } from "../support/quiet-folder.js";
import { RESTIC, resticAtLeast } from "../support/restic.js";
import { BIN, simplebackup, tempDir, write } from "./cli.js";

/*
 * Issue 12, part 3: the recorded outcome is the true one. Each outcome a run can have is produced
 * through the built CLI and a real restic, one job per outcome, and then the exit code, the run's
 * events (--json), its line in the history, `status` (--json and text) and the notification a
 * command notifier received must all say the same thing.
 */
const PASSWORD = "outcomes-secret-41b7";
const temp = tempDir();
const root = temp.path;
const stateDir = join(root, "state");
const repository = join(root, "repo");
const notified = join(root, "notified.jsonl");
const env = { SIMPLEBACKUP_STATE_DIR: stateDir };
/** skip_if_unchanged needs restic 0.17+; older ones refuse it before restic runs. */
const skipsUnchanged = resticAtLeast("0.17.0");
// Backed up only where restic can skip: under a quiet parent (see quiet-folder.ts).
const quiet = skipsUnchanged ? quietTempDir("sb-e2e-quiet-") : undefined;

const job = (jobname: string, extra: object = {}) => ({
  jobname,
  sources: ["./data/a"],
  destination: "./repo",
  password: PASSWORD,
  backup_interval: "0 3 * * *",
  ...extra,
});

interface Expected {
  readonly exit: number;
  /** The last event of the run, and its stage when it is a failure. */
  readonly event: string;
  readonly status: string;
  readonly phase?: string;
  readonly code?: string;
  readonly snapshot: boolean;
  /** restic made no snapshot: nothing changed since the last one (skip_if_unchanged). */
  readonly unchanged?: true;
  readonly retention?: { status: string; reason?: string };
}

const OUTCOMES: Record<string, Expected> = {
  ok: { exit: 0, event: "success", status: "success", snapshot: true, retention: { status: "done" } },
  part: {
    exit: 3,
    event: "partial",
    status: "partial",
    snapshot: true,
    retention: { status: "skipped", reason: "partial" },
  },
  hook: { exit: 1, event: "failure", status: "failed", phase: "hook", code: "HOOK_FAILED", snapshot: false },
  nosource: {
    exit: 1,
    event: "failure",
    status: "failed",
    phase: "backup",
    code: "SOURCE_MISSING",
    snapshot: false,
  },
  retfail: {
    exit: 1,
    event: "failure",
    status: "failed",
    phase: "retention",
    code: "REPO_LOCKED",
    snapshot: true,
    retention: { status: "failed" },
  },
  skip: { exit: 0, event: "skipped", status: "skipped", snapshot: false },
  // The second of two backups of a folder nothing touched in between.
  same: skipsUnchanged
    ? {
        exit: 0,
        event: "success",
        status: "success",
        snapshot: false,
        unchanged: true,
        retention: { status: "done" },
      }
    : {
        exit: 1,
        event: "failure",
        status: "failed",
        phase: "backup",
        code: "RESTIC_VERSION_UNSUPPORTED",
        snapshot: false,
      },
  slow: {
    exit: 130,
    event: "failure",
    status: "interrupted",
    phase: "backup",
    code: "INTERRUPTED",
    snapshot: false,
  },
};

let config: string;

beforeAll(() => {
  write(join(root, "data/a/one.txt"), "one");
  write(join(root, "data/a/deep/two.txt"), "two");
  // restic as usual, except that the "slow" job's backup waits, so Ctrl-C lands while it runs.
  write(
    join(root, "restic.sh"),
    `#!/bin/sh\nif [ "$1" = backup ]; then case "$*" in *simplebackup:slow*) exec sleep 30 ;; esac; fi\nexec "${RESTIC}" "$@"\n`,
  );
  chmodSync(join(root, "restic.sh"), 0o755);
  if (quiet) write(join(quiet.path, "data/same.txt"), "the same every time");
  config = write(join(root, "backup_config.json"), {
    restic_binary: "./restic.sh",
    notifications: [
      {
        type: "command",
        command: "/bin/sh",
        args: ["-c", `cat >> ${notified}; echo >> ${notified}`],
        on: ["success", "partial", "failure", "skipped"],
      },
    ],
    backupjobs: [
      job("ok", { retention: { last: 1 } }),
      job("part", { sources: ["./data/a", "./data/missing"], retention: { last: 1 } }),
      job("hook", { hooks: { before: "exit 1" } }),
      job("nosource", { sources: ["./data/none"] }),
      job("retfail", { retention: { last: 1 } }),
      job("skip", { hooks: { before: "exit 75" } }),
      job("same", {
        skip_if_unchanged: true,
        retention: { last: 1 },
        ...(quiet ? { sources: [join(quiet.path, "data")] } : {}),
      }),
      job("slow"),
    ],
  });
});

afterAll(() => {
  temp.dispose();
  quiet?.dispose();
});

const events: Record<string, { type: string; [key: string]: unknown }[]> = {};
const exits: Record<string, number | null> = {};

function backup(name: string) {
  const result = simplebackup(["backup", name, "--json", "--config", config], { cwd: root, env });
  exits[name] = result.status;
  events[name] = result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  return result;
}

/** A live restic holding a shared lock (a backup waiting on its stdin): forget cannot lock. */
async function withLiveLock(work: () => void): Promise<void> {
  const holder = spawn(RESTIC, ["backup", "--stdin", "--stdin-filename", "held.txt"], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    stdio: ["pipe", "ignore", "ignore"],
  });
  try {
    while (readdirSync(join(repository, "locks")).length === 0) await sleep(50);
    work();
  } finally {
    // restic 0.18 does not act on SIGINT while it waits on an open stdin; closing stdin after the
    // signal ends it on both versions.
    holder.stdin?.on("error", () => {});
    holder.kill("SIGINT");
    holder.stdin?.end();
    await new Promise((resolve) => holder.once("exit", resolve));
  }
}

async function interrupt(name: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, "backup", name, "--json", "--config", config], {
    cwd: root,
    env: { ...process.env, SIMPLEBACKUP_CONFIG: undefined, ...env },
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  while (!stdout.includes('"type":"start"')) await sleep(50);
  await sleep(300); // restic (the wrapper) is running now
  child.kill("SIGINT");
  exits[name] = await new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  events[name] = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

interface StatusRow {
  job: string;
  lastAttempt?: Record<string, unknown>;
  lastSuccess?: Record<string, unknown>;
  lastPartial?: Record<string, unknown>;
}
let report: { jobs: StatusRow[] } | undefined;

/** `status --json` after all the runs, read once: nothing runs after the first test. */
function statusReport(): { jobs: StatusRow[] } {
  report ??= JSON.parse(simplebackup(["status", "--json", "--config", config], { cwd: root, env }).stdout);
  return report as { jobs: StatusRow[] };
}

function history(): Record<string, unknown>[] {
  return readHistoryFiles(stateDir);
}

function notifications(): {
  event: { type: string; job: string; [key: string]: unknown };
  notification: { title: string; body: string };
}[] {
  if (!existsSync(notified)) return [];
  return readFileSync(notified, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe("every outcome is told the same way everywhere", () => {
  it("runs each outcome once", { timeout: 90_000 }, async () => {
    backup("ok");
    backup("ok"); // a second run, so retention has something to remove
    const text = simplebackup(["backup", "part", "--config", config], { cwd: root, env });
    expect(text.status).toBe(3);
    expect(text.stdout).toContain("retention skipped: the backup was partial");
    backup("part");
    backup("hook");
    backup("nosource");
    backup("retfail");
    await withLiveLock(() => backup("retfail"));
    backup("skip");
    if (quiet) {
      withQuietAncestors(join(quiet.path, "data"), () => {
        backup("same");
        backup("same");
      });
    } else backup("same");
    await interrupt("slow");
  });

  it.each(Object.entries(OUTCOMES))(
    "%s: exit code, events, history, status and notification agree",
    (name, want) => {
      expect(exits[name], JSON.stringify(events[name])).toBe(want.exit);

      const last = events[name]
        ?.filter((e) => ["success", "partial", "failure", "skipped"].includes(e.type))
        .at(-1);
      expect(last?.type).toBe(want.event);
      // One outcome per run: a failure at retention is never preceded by a success.
      expect(
        events[name]?.filter((e) => ["success", "partial", "failure", "skipped"].includes(e.type)),
      ).toHaveLength(1);
      if (want.phase) expect(last).toMatchObject({ phase: want.phase, code: want.code });
      if (name === "part")
        expect(last).toMatchObject({ retentionSkipped: "retention skipped: the backup was partial" });

      const record = history()
        .filter((r) => r.job === name)
        .at(-1);
      expect(record?.status).toBe(want.status);
      expect(record?.phase).toBe(want.phase);
      expect(record?.errorCode).toBe(want.code);
      expect(record?.snapshotId !== undefined).toBe(want.snapshot);
      expect(record?.unchanged).toBe(want.unchanged);
      expect(last?.unchanged).toBe(want.unchanged);
      if (want.retention) expect(record?.retention).toMatchObject(want.retention);
      if (want.snapshot && last?.type !== "skipped") expect(last?.snapshotId).toBe(record?.snapshotId);

      const row = statusReport().jobs.find((j) => j.job === name);
      expect(row?.lastAttempt).toMatchObject({
        runId: record?.runId,
        status: want.status,
        ...(want.phase ? { phase: want.phase, errorCode: want.code } : {}),
      });
      // last success is the last COMPLETE success; a partial run has its own line.
      // (retfail's first run succeeded; its failed run, with a snapshot, is not a success.)
      if (name === "retfail") expect(row?.lastSuccess?.runId).not.toBe(record?.runId);
      else expect(row?.lastSuccess?.status).toBe(name === "ok" || want.unchanged ? "success" : undefined);
      expect(row?.lastPartial?.status).toBe(name === "part" ? "partial" : undefined);

      const mine = notifications().filter((n) => n.event.job === name);
      const told = mine.at(-1);
      expect(told?.event.type).toBe(want.event);
      if (want.phase) expect(told?.event).toMatchObject({ phase: want.phase, code: want.code });
      if (name === "retfail") {
        expect(told?.event.snapshotId).toBe(record?.snapshotId);
        expect(told?.notification.title).toMatch(/retention failed/);
        expect(told?.notification.body).toContain(String(record?.snapshotId).slice(0, 8));
      }
      if (name === "part")
        expect(told?.notification.body).toContain("retention skipped: the backup was partial");
      if (want.unchanged)
        expect(told?.notification.title).toBe("same: backup succeeded, no changes, no new snapshot");
    },
  );

  it("prints the stage, the snapshot and the partial line in status text", () => {
    const text = simplebackup(["status", "--config", config], { cwd: root, env });
    expect(text.status).toBe(0);
    const retfail = history()
      .filter((r) => r.job === "retfail")
      .at(-1);
    const block = (name: string) =>
      text.stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${name}\n`)) ?? "";
    expect(block("retfail")).toMatch(
      new RegExp(
        `last result: +failed at retention at .*, snapshot ${String(retfail?.snapshotId).slice(0, 8)}`,
      ),
    );
    expect(block("part")).toMatch(/last result: +partial at .*retention skipped: the backup was partial/);
    expect(block("part")).toMatch(/last success: +never/);
    expect(block("part")).toMatch(/last partial: +partial at /);
    expect(block("ok")).toMatch(/last success: +success at /);
    expect(block("hook")).toMatch(/last result: +failed at hook at /);
    expect(block("slow")).toMatch(/last result: +interrupted at /);
    expect(block("skip")).toMatch(/last result: +skipped at /);
    expect(block("same")).toMatch(
      skipsUnchanged
        ? /last result: +success at .*, no changes, no new snapshot\n/
        : /last result: +failed at backup at .*\n[\s\S]*last error: +\[RESTIC_VERSION_UNSUPPORTED\] skip_if_unchanged needs restic 0\.17\.0 or later/,
    );
  });
});
