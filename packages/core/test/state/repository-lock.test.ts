import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processStart } from "../../src/state/lock-file.js";
import {
  acquireRepositoryLock,
  type RepositoryLockHolder,
  repositoryLockFile,
  tryRepositoryLock,
  withRepositoryLock,
} from "../../src/state/repository-lock.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
let stateDir: string;
let repository: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = createTempDir("sb-repolock-");
  stateDir = join(dir.path, "state");
  repository = join(dir.path, "repo");
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  dir.dispose();
});

const purpose = { job: "photos", activity: "simplebackup backup" };
const fast = { pollMs: 5 };
const lockFiles = () => {
  const folder = join(stateDir, "locks");
  return existsSync(folder) ? readdirSync(folder) : [];
};

/** A live process that is not this one. */
async function liveProcess(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  children.push(child);
  await once(child, "spawn");
  return child as ChildProcess & { pid: number };
}

async function deadPid(): Promise<number> {
  const child = await liveProcess();
  child.kill("SIGKILL");
  await once(child, "exit");
  return child.pid;
}

/** Writes the lock as another simplebackup process holding it would. */
function heldBy(pid: number, extra: Record<string, unknown> = {}): string {
  const file = repositoryLockFile(stateDir, repository);
  mkdirSync(dirname(file), { recursive: true });
  const start = processStart(pid);
  const record = {
    pid,
    hostname: hostname(),
    ...(start ? { processStart: start } : {}),
    job: "nightly",
    activity: "simplebackup forget",
    acquiredAt: "2026-11-30T10:00:00.000Z",
    token: "other",
    ...extra,
  };
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  return file;
}

describe("repository lock", () => {
  it("records who holds it, and leaves no file once released", async () => {
    const lock = await acquireRepositoryLock(stateDir, repository, purpose);
    expect(lock.file).toBe(repositoryLockFile(stateDir, repository));
    expect(JSON.parse(readFileSync(lock.file, "utf8"))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      job: "photos",
      activity: "simplebackup backup",
    });
    await lock.release();
    await lock.release();
    expect(lockFiles()).toEqual([]);
  });

  it("makes a second acquirer wait, tells it once, and lets it in when the first releases", async () => {
    const first = await acquireRepositoryLock(stateDir, repository, purpose);
    const told: string[] = [];
    let entered = false;
    const second = acquireRepositoryLock(
      stateDir,
      repository,
      { job: "docs", activity: "simplebackup forget" },
      { ...fast, onWaiting: (_holder, message) => told.push(message) },
    ).then((lock) => {
      entered = true;
      return lock;
    });
    // Told once it found the lock held (polled, not slept for: a loaded CI machine once took >100 ms),
    // and still told only once after several more of its 5 ms polls.
    await expect.poll(() => told.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(entered).toBe(false);
    expect(told).toEqual([
      `waiting for photos on the same repository (held by PID ${process.pid}, simplebackup backup)`,
    ]);
    await first.release();
    const lock = await second;
    expect(JSON.parse(readFileSync(lock.file, "utf8"))).toMatchObject({ job: "docs" });
    await lock.release();
    expect(lockFiles()).toEqual([]);
  });

  it("lets exactly one of many simultaneous acquirers in", async () => {
    // Rounds, since a race shows only now and then: one of them once judged another's fresh file,
    // naming this very process, a leftover and took it over.
    for (let round = 0; round < 20; round++) {
      const tries = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          tryRepositoryLock(stateDir, repository, { job: `job${i}`, activity: "test" }),
        ),
      );
      const won = tries.filter((t) => "lock" in t);
      expect(won, `round ${round}`).toHaveLength(1);
      for (const t of tries) if ("lock" in t) await t.lock.release();
    }
  });

  it("waits for a live process of this machine, and refuses at once without waiting", async () => {
    const holder = await liveProcess();
    const file = heldBy(holder.pid);
    const refused = acquireRepositoryLock(stateDir, repository, purpose, { wait: false });
    await expect(refused).rejects.toMatchObject({
      code: "REPOSITORY_BUSY",
      holder: { pid: holder.pid, job: "nightly", activity: "simplebackup forget" },
      message: expect.stringContaining(
        `nightly (PID ${holder.pid}, simplebackup forget) works on the same repository; nothing ran`,
      ),
    });
    expect(JSON.parse(readFileSync(file, "utf8")).token).toBe("other");

    const waited: RepositoryLockHolder[] = [];
    const waiting = acquireRepositoryLock(stateDir, repository, purpose, {
      ...fast,
      onWaiting: (h) => waited.push(h),
    });
    await expect.poll(() => waited.length).toBe(1);
    // The holder dies without releasing (SIGKILL): its lock is taken over.
    holder.kill("SIGKILL");
    const lock = await waiting;
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: process.pid, job: "photos" });
    await lock.release();
  });

  it("takes over at once a lock whose process is gone, or that a crash left torn", async () => {
    heldBy(await deadPid());
    const told: string[] = [];
    const lock = await acquireRepositoryLock(stateDir, repository, purpose, {
      wait: false,
      onWaiting: (_h, m) => told.push(m),
    });
    expect(told).toEqual([]);
    await lock.release();

    const file = repositoryLockFile(stateDir, repository);
    writeFileSync(file, '{"pid": 12');
    await (await acquireRepositoryLock(stateDir, repository, purpose, { wait: false })).release();
    writeFileSync(file, "");
    await (await acquireRepositoryLock(stateDir, repository, purpose, { wait: false })).release();
    expect(lockFiles()).toEqual([]);
  });

  it.runIf(process.platform === "linux")(
    "takes over a lock whose PID now belongs to another process (after a reboot)",
    async () => {
      const other = await liveProcess();
      heldBy(other.pid, { processStart: "an-earlier-boot:12345" });
      await (await acquireRepositoryLock(stateDir, repository, purpose, { wait: false })).release();
    },
  );

  it("treats a lock from another host as held, naming the host", async () => {
    heldBy(1, { hostname: "elsewhere" });
    const told: string[] = [];
    const controller = new AbortController();
    const waiting = acquireRepositoryLock(stateDir, repository, purpose, {
      ...fast,
      signal: controller.signal,
      onWaiting: (_h, m) => told.push(m),
    });
    await expect.poll(() => told.length).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(told).toEqual([
      "waiting for nightly on the same repository (held by PID 1 on host elsewhere, simplebackup forget)",
    ]);
  });

  it("stops waiting when aborted, leaving the holder's lock and none of its own", async () => {
    const holder = await liveProcess();
    const file = heldBy(holder.pid);
    const before = readFileSync(file, "utf8");
    const controller = new AbortController();
    const waiting = acquireRepositoryLock(stateDir, repository, purpose, {
      pollMs: 60_000,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(lockFiles()).toHaveLength(1);

    const aborted = AbortSignal.abort();
    holder.kill("SIGKILL");
    await once(holder, "exit");
    await expect(
      acquireRepositoryLock(stateDir, repository, purpose, { signal: aborted }),
    ).rejects.toMatchObject({
      code: "INTERRUPTED",
    });
  });

  it("releases after the work, whether it succeeds or throws", async () => {
    await expect(withRepositoryLock(stateDir, repository, purpose, async () => 42)).resolves.toBe(42);
    await expect(
      withRepositoryLock(stateDir, repository, purpose, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(lockFiles()).toEqual([]);
  });

  it("leaves a lock taken over by another process alone when released late", async () => {
    const lock = await acquireRepositoryLock(stateDir, repository, purpose);
    const holder = await liveProcess();
    heldBy(holder.pid);
    await lock.release();
    expect(JSON.parse(readFileSync(lock.file, "utf8")).pid).toBe(holder.pid);
  });

  it("gives one lock to one repository however it is written, and one per repository", () => {
    mkdirSync(repository, { recursive: true });
    symlinkSync(repository, join(dir.path, "link"));
    const one = repositoryLockFile(stateDir, repository);
    expect(repositoryLockFile(stateDir, `${repository}/`)).toBe(one);
    expect(repositoryLockFile(stateDir, `local:${repository}`)).toBe(one);
    expect(repositoryLockFile(stateDir, join(dir.path, "link"))).toBe(one);
    expect(repositoryLockFile(stateDir, join(dir.path, "other"))).not.toBe(one);
    // Not yet created: named by its nearest folder that exists.
    expect(repositoryLockFile(stateDir, join(dir.path, "link", "sub"))).toBe(
      repositoryLockFile(stateDir, join(repository, "sub")),
    );
    const url = repositoryLockFile(stateDir, "sftp:user@host:/srv/repo");
    expect(url).not.toContain("host");
    expect(url).toMatch(/locks[\\/][0-9a-f]{20}\.lock$/);
  });
});
