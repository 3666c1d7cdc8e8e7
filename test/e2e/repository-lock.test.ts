import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { locks, snapshotIds, waitFor } from "../faults/helpers.js";
import { readHistoryFiles } from "../support/history-files.js";
import { simplebackup, simplebackupAsync, tempDir, write } from "./cli.js";
import { DaemonProcess } from "./daemon-process.js";

/**
 * One repository, one writer across processes (issue 12, part 4), through the built CLI and a real
 * restic: a second `simplebackup` on a repository another one works on waits for it (saying so once),
 * or with --no-wait exits 75 having run nothing; other repositories never wait; the daemon's run waits
 * for a hand-run backup instead of failing on restic's lock.
 *
 * Job "held" has a `before` hook that blocks until the test creates a `go` file, so the test decides
 * how long the first backup holds its repository.
 */
const PASSWORD = "repolock-secret-77c2";
const temp = tempDir();
const root = temp.path;
const stateDir = join(root, "state");
const go = join(root, "go");
const entered = join(root, "entered");
const env = { SIMPLEBACKUP_STATE_DIR: stateDir };
const blockingHook = `touch '${entered}'; while [ ! -f '${go}' ]; do sleep 0.05; done; rm -f '${entered}'`;
let config: string;
const running: ChildProcess[] = [];
let daemon: DaemonProcess | undefined;

function job(name: string, destination: string, extra: object = {}) {
  return {
    jobname: name,
    sources: [`./data/${name}`],
    destination,
    password: PASSWORD,
    backup_interval: "0 3 * * *",
    ...extra,
  };
}

beforeAll(() => {
  for (const name of ["held", "same", "daemonjob", "elsewhere"]) {
    write(join(root, `data/${name}/file.txt`), `${name}\n`);
  }
  config = write(join(root, "config.json"), {
    backupjobs: [
      job("held", "./repo", { hooks: { before: blockingHook, timeout: "2m" } }),
      job("same", "./repo", { retention: { last: 5 } }),
      job("daemonjob", "./repo", { retention: { last: 5 } }),
      job("elsewhere", "./repo2"),
    ],
  });
  // The repository exists before the races below, so no run has to create it.
  const first = simplebackup(["backup", "same", "--config", config], { env });
  expect(first.status, first.stderr).toBe(0);
});

afterEach(async () => {
  write(go, "");
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  await daemon?.stop("SIGKILL");
  daemon = undefined;
});

afterAll(() => temp.dispose());

interface Started {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  done: Promise<number | null>;
}

/** Starts the CLI in the background, collecting its output. */
function start(args: string[]): Started {
  const cli = simplebackupAsync([...args, "--config", config], env);
  running.push(cli.child);
  return {
    child: cli.child,
    stderr: () => cli.output().stderr,
    stdout: () => cli.output().stdout,
    done: cli.done.then((result) => result.status),
  };
}

/** A hand-run backup of "held", inside its hook: it holds the repository until `go` exists. */
async function holdRepository(): Promise<Started> {
  rmSync(go, { force: true });
  const held = start(["backup", "held"]);
  await waitFor(() => existsSync(entered), "the held backup's hook to start", 30_000);
  return held;
}

const release = () => write(go, "");
const ourLocks = () => (existsSync(join(stateDir, "locks")) ? readdirSync(join(stateDir, "locks")) : []);
const historyJobs = () => readHistoryFiles(stateDir) as { job: string; status: string }[];

describe("two simplebackup processes on one repository", () => {
  it("the second backup waits, says for whom once, then succeeds", async () => {
    const held = await holdRepository();
    const second = start(["backup", "same"]);
    await waitFor(() => second.stderr().includes("waiting for"), "the waiting line", 30_000);
    expect(second.stderr()).toContain(
      `same: waiting for held on the same repository (held by PID ${held.child.pid}, simplebackup backup)`,
    );
    // Still waiting a while later, and told only once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(second.child.exitCode).toBeNull();
    expect(second.stderr().match(/waiting for/g)).toHaveLength(1);

    release();
    expect(await held.done).toBe(0);
    expect(await second.done, second.stderr()).toBe(0);
    expect(second.stdout()).toMatch(/success|snapshot/i);
    expect(ourLocks()).toEqual([]);
    expect(locks(join(root, "repo"), PASSWORD)).toEqual([]);
  }, 120_000);

  it("with --no-wait, forget exits 75 at once and runs nothing; without, it waits and runs", async () => {
    const repo = join(root, "repo");
    const held = await holdRepository();
    const before = snapshotIds(repo, PASSWORD);

    const refused = simplebackup(["forget", "same", "--no-wait", "--config", config], { env });
    expect(refused.status, refused.stderr).toBe(75);
    expect(refused.stderr).toContain("[REPOSITORY_BUSY]");
    expect(refused.stderr).toContain(
      `held (PID ${held.child.pid}, simplebackup backup) works on the same repository`,
    );
    expect(refused.stderr).toContain("nothing ran");
    expect(refused.stdout).toBe("");
    const backupRefused = simplebackup(["backup", "same", "--no-wait", "--config", config], { env });
    expect(backupRefused.status, backupRefused.stderr).toBe(75);
    expect(snapshotIds(repo, PASSWORD)).toEqual(before);

    const forget = start(["forget", "same"]);
    await waitFor(() => forget.stderr().includes("waiting for held"), "forget's waiting line", 30_000);
    release();
    expect(await held.done).toBe(0);
    expect(await forget.done, forget.stderr()).toBe(0);
    expect(forget.stdout()).toContain("same: kept");
  }, 120_000);

  it("four backups started at the same instant run one after another, all succeed", async () => {
    const repo = join(root, "repo");
    const before = snapshotIds(repo, PASSWORD).length;
    const all = ["same", "same", "daemonjob", "daemonjob"].map((name) => start(["backup", name]));
    const codes = await Promise.all(all.map((run) => run.done));
    expect(codes, all.map((run) => run.stderr()).join("\n")).toEqual([0, 0, 0, 0]);
    // Each ran alone: none met another's restic lock.
    for (const run of all) expect(run.stderr() + run.stdout()).not.toContain("REPO_LOCKED");
    expect(all.filter((run) => run.stderr().includes("waiting for")).length).toBeGreaterThanOrEqual(1);
    expect(snapshotIds(repo, PASSWORD)).toHaveLength(before + 4);
    expect(ourLocks()).toEqual([]);
  }, 120_000);

  it("a backup on another repository does not wait", async () => {
    const held = await holdRepository();
    const other = simplebackup(["backup", "elsewhere", "--no-wait", "--config", config], { env });
    expect(other.status, other.stderr).toBe(0);
    expect(other.stderr).not.toContain("waiting for");
    expect(held.child.exitCode).toBeNull();

    // Several jobs with --no-wait: the busy one is skipped (exit 75), the other still runs.
    const before = snapshotIds(join(root, "repo2"), PASSWORD).length;
    const both = simplebackup(["backup", "same", "elsewhere", "--no-wait", "--config", config], { env });
    expect(both.status, both.stderr).toBe(75);
    expect(both.stderr).toContain("same: error [REPOSITORY_BUSY]");
    expect(snapshotIds(join(root, "repo2"), PASSWORD)).toHaveLength(before + 1);
    release();
    expect(await held.done).toBe(0);
  }, 120_000);

  it("Ctrl-C while waiting exits 130, runs nothing and leaves no lock", async () => {
    const repo = join(root, "repo");
    const held = await holdRepository();
    const before = snapshotIds(repo, PASSWORD);
    const waiting = start(["backup", "same"]);
    await waitFor(() => waiting.stderr().includes("waiting for held"), "the waiting line", 30_000);
    waiting.child.kill("SIGINT");
    expect(await waiting.done).toBe(130);
    // Only the held backup's lock remains, and no snapshot was made by the interrupted one.
    expect(ourLocks()).toHaveLength(1);
    expect(snapshotIds(repo, PASSWORD)).toEqual(before);
    release();
    expect(await held.done).toBe(0);
    expect(ourLocks()).toEqual([]);
  }, 120_000);

  it("the daemon's run waits for a hand-run backup; both succeed and both are in the history", async () => {
    // The daemon runs only "daemonjob" (its own config, the same state folder and repository).
    const daemonConfig = write(join(root, "daemon.json"), {
      backupjobs: [job("daemonjob", "./repo", { retention: { last: 5 } })],
    });
    const held = await holdRepository();
    const before = historyJobs().length;
    daemon = new DaemonProcess(["--config", daemonConfig, "--backup-on-start"], env);
    await daemon.waitForLine(
      new RegExp(
        `\\[daemonjob\\] backup: waiting for held on the same repository \\(held by PID ${held.child.pid}, simplebackup backup\\)`,
      ),
      30_000,
    );
    // It waits, and fails nothing meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(daemon.count(/\[daemonjob\] (backup started|FAILED)/)).toBe(0);
    release();
    expect(await held.done).toBe(0);
    await waitFor(
      () => historyJobs().some((r, i) => i >= before && r.job === "daemonjob"),
      "the daemon's run in the history",
      60_000,
    );
    await daemon.waitForLine(/\[daemonjob\] retention/, 10_000);
    expect(daemon.count(/FAILED|REPO_LOCKED/), daemon.lines.join("\n")).toBe(0);
    expect(daemon.count(/waiting for/)).toBe(1);
    expect((await daemon.stop()).code).toBe(0);
    daemon = undefined;
    const recorded = historyJobs().slice(before);
    expect(recorded.map((r) => [r.job, r.status]).sort()).toEqual([
      ["daemonjob", "success"],
      ["held", "success"],
    ]);
    expect(ourLocks()).toEqual([]);
  }, 180_000);
});
