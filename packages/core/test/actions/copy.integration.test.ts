import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RcloneResticServer } from "../../../../test/e2e/servers/rclone-restic-server.js";
import { argvLeaks } from "../../../../test/support/process-argv.js";
import { CopyError, type CopyResult, runCopy } from "../../src/actions/copy.js";
import { runBackup } from "../../src/backup/run-backup.js";
import type { BackupJob, CopyTarget, PasswordSource } from "../../src/config/types.js";
import type { Restic } from "../../src/restic/restic.js";
import { resticJson, resticRun, type SnapshotJson } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";

const PASSWORD = "copy-source-5b1e";
const TARGET_PASSWORD = "copy-target-9d2c";
const fixture = createTestRepository("copy", PASSWORD);
const { temp, root, source, repository, restic } = fixture;

function copyTarget(name: string, overrides: Partial<CopyTarget> = {}): CopyTarget {
  return {
    name,
    repository: join(root, "targets", name),
    password: { kind: "literal", value: TARGET_PASSWORD },
    env: {},
    retention: undefined,
    alertAfterMs: undefined,
    ...overrides,
  };
}

/** A job of the shared repository with one copy target, built by hand as the config will. */
function jobWith(name: string, target: CopyTarget, overrides: Partial<BackupJob> = {}): BackupJob {
  return fixture.job(name, { copyTo: [target], backendUnreachableAfterMs: 3_000, ...overrides });
}

async function backUp(job: BackupJob): Promise<string> {
  const result = await runBackup(job, { restic });
  expect(result.status, result.error?.message).toBe("success");
  return result.snapshotId as string;
}

async function copy(job: BackupJob, options: { restic?: Restic; log?: string[] } = {}): Promise<CopyResult> {
  const target = job.copyTo[0] as CopyTarget;
  return runCopy(job, target, { restic: options.restic ?? restic, log: (line) => options.log?.push(line) });
}

async function copyFailure(job: BackupJob, options: { restic?: Restic; signal?: AbortSignal } = {}) {
  const target = job.copyTo[0] as CopyTarget;
  const error = await runCopy(job, target, { restic: options.restic ?? restic, signal: options.signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CopyError);
  return error as CopyError;
}

function snapshotsIn(target: string, name: string): SnapshotJson[] {
  return resticJson<SnapshotJson[]>(target, TARGET_PASSWORD, ["snapshots", "--tag", `simplebackup:${name}`]);
}

function primarySnapshots(name: string): SnapshotJson[] {
  return resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots", "--tag", `simplebackup:${name}`]);
}

/** The chunker polynomial in a repository's config (`cat config` prints it over several lines). */
function chunkerPolynomial(target: string, password: string): string {
  const result = resticRun(target, password, ["cat", "config"]);
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { chunker_polynomial: string }).chunker_polynomial;
}

function locksIn(target: string): string[] {
  const result = resticRun(target, TARGET_PASSWORD, ["list", "locks", "--no-lock"]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter(Boolean);
}

function checkClean(target: string): void {
  const result = resticRun(target, TARGET_PASSWORD, ["check"]);
  expect(result.status, result.stdout + result.stderr).toBe(0);
  expect(result.stdout + result.stderr).toContain("no errors were found");
}

/** Bytes of every file under a folder: what a repository takes on disk. */
function folderSize(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const docsTarget = copyTarget("local");
const docs = jobWith("docs", docsTarget);

beforeAll(async () => {
  mkdirSync(join(root, "targets"), { recursive: true });
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, "a.txt"), "alpha");
  await backUp(docs); // creates the job's repository
  writeFileSync(join(source, "b.txt"), "beta");
  await backUp(docs);
  await backUp(fixture.job("other"));
});
afterAll(() => temp.dispose());

describe("runCopy to a local target", () => {
  it("creates the target with the job repository's chunker parameters and copies the job's snapshots only", async () => {
    const result = await copy(docs);
    const primary = primarySnapshots("docs").map((s) => s.id);
    expect(result).toMatchObject({
      job: "docs",
      target: "local",
      repository: docsTarget.repository,
      initialized: true,
      copied: 2,
      retention: { status: "skipped", reason: "no-policy" },
    });
    expect(result.copiedSnapshots.map((s) => s.original)).toEqual(primary);
    expect(result.newest?.original).toBe(primary.at(-1));
    expect(result.newest?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotsIn(docsTarget.repository, "docs").map((s) => s.id)).toEqual(
      result.copiedSnapshots.map((s) => s.id),
    );
    expect(snapshotsIn(docsTarget.repository, "other")).toEqual([]);
    expect(chunkerPolynomial(docsTarget.repository, TARGET_PASSWORD)).toBe(
      chunkerPolynomial(repository, PASSWORD),
    );
  });

  it("copies nothing the second time, and the next snapshot the time after", async () => {
    const again = await copy(docs);
    expect(again).toMatchObject({ initialized: false, copied: 0, copiedSnapshots: [] });
    const made = await backUp(docs);
    const next = await copy(docs);
    expect(next.copied).toBe(1);
    expect(next.newest?.original?.startsWith(made)).toBe(true);
  });

  it.each<[string, PasswordSource, PasswordSource]>([
    [
      "a file",
      { kind: "file", path: join(root, "source-password.txt") },
      { kind: "file", path: join(root, "target-password.txt") },
    ],
    [
      "a command",
      { kind: "command", command: `cat ${join(root, "source-password.txt")}` },
      { kind: "command", command: `cat ${join(root, "target-password.txt")}` },
    ],
    [
      "an environment variable",
      { kind: "env", variable: "COPY_SOURCE_PW" },
      { kind: "env", variable: "COPY_TARGET_PW" },
    ],
  ])("takes both passwords from %s, never on argv", async (_, password, targetPassword) => {
    writeFileSync(join(root, "source-password.txt"), `${PASSWORD}\n`);
    writeFileSync(join(root, "target-password.txt"), `${TARGET_PASSWORD}\n`);
    const job = jobWith("docs", { ...docsTarget, password: targetPassword }, { password });
    const env = { ...process.env, COPY_SOURCE_PW: PASSWORD, COPY_TARGET_PW: TARGET_PASSWORD };
    const watched = await argvLeaks([PASSWORD, TARGET_PASSWORD], () =>
      runCopy(job, job.copyTo[0] as CopyTarget, { restic, env }),
    );
    expect(watched.result.copied).toBe(0);
    expect(watched.leaks).toEqual([]);
    expect(watched.programs.has("restic")).toBe(true);
  });

  it("names the repository a wrong password is in: the job's (the source) or the target", async () => {
    const wrongSource = await copyFailure(
      jobWith("docs", docsTarget, { password: { kind: "literal", value: "nope" } }),
    );
    expect(wrongSource).toMatchObject({
      code: "WRONG_PASSWORD",
      repository: "source",
      target: "local",
      stage: "copy",
    });
    expect(wrongSource.message).toBe(
      `the job's repository ${repository} (the source of the copy to "local"): Wrong password: no key in the repository matches it`,
    );

    const wrongTarget = await copyFailure(
      jobWith("docs", { ...docsTarget, password: { kind: "literal", value: "nope" } }),
    );
    expect(wrongTarget).toMatchObject({ code: "WRONG_PASSWORD", repository: "target", stage: "target" });
    expect(wrongTarget.message).toBe(
      `target "local" (${docsTarget.repository}): Wrong password: no key in the repository matches it`,
    );
  });

  it("names the job's repository when its password command fails (restic copy says only `exit status 7`)", async () => {
    const failing = await copyFailure(
      jobWith("docs", docsTarget, { password: { kind: "command", command: "sh -c 'exit 7'" } }),
    );
    expect(failing).toMatchObject({ code: "PASSWORD_UNAVAILABLE", repository: "source" });
    expect(failing.message).toContain("exit status 7");
  });

  it("creates no target when the job's password is wrong, nor under a missing folder (an unplugged drive)", async () => {
    const fresh = copyTarget("fresh");
    const wrong = await copyFailure(jobWith("docs", fresh, { password: { kind: "literal", value: "nope" } }));
    expect(wrong).toMatchObject({ code: "WRONG_PASSWORD", repository: "source", stage: "init" });
    expect(existsSync(fresh.repository)).toBe(false);

    const unplugged = copyTarget("usb", { repository: join(root, "media", "usb", "repo") });
    const refused = await copyFailure(jobWith("docs", unplugged));
    expect(refused).toMatchObject({ code: "REPO_NOT_FOUND", repository: "target", stage: "init" });
    expect(refused.message).toContain(`target "usb"`);
    expect(refused.message).toContain("is the drive mounted?");
    expect(existsSync(join(root, "media"))).toBe(false);
  });

  it("skips the target's retention when the newest snapshot lacks a source (a partial backup)", async () => {
    const partialTarget = copyTarget("partial", { retention: { last: 1 } });
    const partial = jobWith("partial", partialTarget, { sources: [source, join(root, "unplugged-source")] });
    await backUp(jobWith("partial", partialTarget));
    expect((await runBackup(partial, { restic })).status).toBe("partial");
    const result = await copy(partial);
    expect(result.copied).toBe(2);
    expect(result.retention).toEqual({
      status: "skipped",
      reason: "unsafe",
      message: expect.stringContaining(`does not hold ${join(root, "unplugged-source")}`),
    });
    expect(snapshotsIn(partialTarget.repository, "partial")).toHaveLength(2);
  });

  it("fails before restic runs when a password_env is not set, naming the side", async () => {
    const unset = { kind: "env", variable: "SIMPLEBACKUP_TEST_UNSET_PW" } as const;
    const noSource = await copyFailure(jobWith("docs", docsTarget, { password: unset }));
    expect(noSource).toMatchObject({ code: "PASSWORD_UNAVAILABLE", repository: "source" });
    expect(noSource.message).toContain('job "docs": password_env names SIMPLEBACKUP_TEST_UNSET_PW');
    const noTarget = await copyFailure(jobWith("docs", { ...docsTarget, password: unset }));
    expect(noTarget).toMatchObject({ code: "PASSWORD_UNAVAILABLE", repository: "target" });
    expect(noTarget.message).toContain('copy target "local" of job "docs"');
  });

  it("applies the target's retention to the job's snapshots only, after the copy", async () => {
    const kept = copyTarget("kept", { retention: { last: 1 } });
    await copy(jobWith("other", kept));
    const result = await copy(jobWith("docs", kept));
    expect(result.copied).toBe(primarySnapshots("docs").length);
    expect(result.retention).toMatchObject({ status: "done", kept: 1, removed: result.copied - 1 });
    const left = snapshotsIn(kept.repository, "docs");
    expect(left.map((s) => s.id)).toEqual([result.newest?.id]);
    expect(snapshotsIn(kept.repository, "other")).toHaveLength(1);
  });
});

describe("runCopy to a REST target (rclone serve restic)", () => {
  const server = new RcloneResticServer(join(root, "rest-server"));
  afterAll(() => server.stop());

  it("copies, fails naming the target while it is down, then brings every snapshot it missed", async () => {
    await server.start();
    const rest = copyTarget("offsite", { repository: server.url("docs") });
    const job = jobWith("docs", rest);
    const log: string[] = [];
    const first = await copy(job, { log });
    expect(first).toMatchObject({ initialized: true, copied: primarySnapshots("docs").length });
    expect(first.repository).toBe(rest.repository.replace(`:${server.pass}@`, ":***@"));
    expect(log.join("\n")).not.toContain(server.pass);

    await server.stop();
    const missed = [await backUp(job), await backUp(job), await backUp(job)];
    const down = await copyFailure(job);
    expect(down).toMatchObject({ code: "BACKEND_UNAVAILABLE", repository: "target", target: "offsite" });
    expect(down.message).toContain(`target "offsite" (rest:http://backup:***@127.0.0.1:${server.port}/docs)`);
    expect(down.message).not.toContain(server.pass);

    await server.start();
    const before = first.copied;
    const restUrl = rest.repository;
    expect(snapshotsIn(restUrl, "docs")).toHaveLength(before); // nothing half-written meanwhile
    const caughtUp = await copy(job);
    expect(caughtUp.copied).toBe(3);
    expect(caughtUp.copiedSnapshots.map((s) => s.original?.slice(0, 8))).toEqual(
      missed.map((id) => id.slice(0, 8)),
    );
    checkClean(restUrl);
  });
});

describe("runCopy stopped while it copies", () => {
  const big = join(root, "big");
  const killed = copyTarget("killed", { retention: { last: 5 } });
  const job = fixture.job("big", { sources: [big], copyTo: [killed] });
  let copyPid: number | undefined;
  let controller = new AbortController();

  /** restic whose copies upload at 1 MiB/s, so one of 12 MB is caught in the middle. */
  const slowRestic: Restic = {
    binary: restic.binary,
    version: () => restic.version(),
    run: (args, options) => {
      const copying = args[0] === "copy";
      return restic.run(copying ? ["--limit-upload", "1024", ...args] : args, {
        ...options,
        onSpawn: (pid) => {
          if (copying) copyPid = pid;
          options.onSpawn?.(pid);
        },
      });
    },
  };

  async function whileCopying(act: () => void): Promise<CopyError> {
    copyPid = undefined;
    const failure = copyFailure(job, { restic: slowRestic, signal: controller.signal });
    const locks = join(killed.repository, "locks");
    for (let waited = 0; waited < 20_000; waited += 20) {
      if (copyPid !== undefined && existsSync(locks) && readdirSync(locks).length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    act();
    return failure;
  }

  beforeAll(async () => {
    mkdirSync(big, { recursive: true });
    writeFileSync(join(big, "one.bin"), randomBytes(12_000_000));
    await backUp(job);
  });

  it("a SIGKILLed copy: the next one completes, check is clean and no lock is left", async () => {
    const failure = await whileCopying(() => process.kill(copyPid as number, "SIGKILL"));
    expect(failure.stage).toBe("copy");
    expect(snapshotsIn(killed.repository, "big")).toEqual([]);
    expect(locksIn(killed.repository).length).toBeGreaterThan(0); // the dead copy's

    const log: string[] = [];
    const next = await copy(job, { log });
    expect(next).toMatchObject({ initialized: false, copied: 1, retention: { status: "done", kept: 1 } });
    expect(log.join("\n")).toMatch(/removed a stale lock of PID \d+/);
    checkClean(killed.repository);
    expect(locksIn(killed.repository)).toEqual([]);
  }, 90_000);

  it("an interrupted copy: INTERRUPTED, no repository to blame, no lock left on the target", async () => {
    writeFileSync(join(big, "two.bin"), randomBytes(12_000_000));
    await backUp(job);
    controller = new AbortController();
    const failure = await whileCopying(() => controller.abort());
    expect(failure).toMatchObject({ code: "INTERRUPTED", repository: undefined, target: "killed" });
    expect(locksIn(killed.repository)).toEqual([]);
  }, 90_000);
});

describe("deduplication on the target", () => {
  it("grows by about what the job's repository grows by", async () => {
    const data = join(root, "dedup");
    mkdirSync(data, { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(data, `f${i}.bin`), randomBytes(1_000_000));
    const target = copyTarget("dedup");
    const job = fixture.job("dedup", { sources: [data], copyTo: [target] });
    await backUp(job);
    await copy(job);
    const primaryBefore = folderSize(repository);
    const targetBefore = folderSize(target.repository);

    writeFileSync(join(data, "new.bin"), randomBytes(1_000_000)); // 10% more
    await backUp(job);
    const result = await copy(job);
    expect(result.copied).toBe(1);
    const primaryGrowth = folderSize(repository) - primaryBefore;
    const targetGrowth = folderSize(target.repository) - targetBefore;
    console.info(
      `dedup: the job's repository grew by ${primaryGrowth} bytes, the target by ${targetGrowth} (target ${targetBefore} bytes before)`,
    );
    expect(targetGrowth).toBeLessThanOrEqual(1.5 * primaryGrowth + 100_000);
    expect(targetGrowth).toBeLessThan(targetBefore / 2);
  });
});
