import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staleLockOf, stoppedHoldingLock } from "../../../test/support/held-lock.js";
import { RESTIC } from "../../../test/support/restic.js";
import { type Browser, serveConfig } from "./helpers.js";

// The Unlock button's route on a real daemon and a real restic: a lock left by a SIGKILLed backup is
// removed, a stopped backup's live lock stays and is named, and the repository's own failures come
// back as their codes. Runs once per restic version (vitest.config.ts).
const PASSWORD = "unlock-web-Pw9!q";
const dir = mkdtempSync(join(tmpdir(), "sb-web-unlock-"));
const data = join(dir, "data");
const repository = join(dir, "repo");
let close: (() => Promise<void>) | undefined;
let browser: Browser;

function locks(): string[] {
  const result = spawnSync(RESTIC, ["list", "locks", "--no-lock"], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter(Boolean);
}

const backupArgs = ["backup", "-q", "--tag", "simplebackup:docs", data];

beforeAll(async () => {
  mkdirSync(data);
  writeFileSync(join(data, "blob.bin"), randomBytes(8 * 1024 * 1024));
  const init = spawnSync(RESTIC, ["init"], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
  expect(init.status, init.stderr).toBe(0);
  const job = (name: string, destination: string, password: string) => ({
    jobname: name,
    sources: [data],
    destination,
    password,
    backup_interval: "0 2 * * *",
  });
  ({ browser, close } = await serveConfig(dir, {
    backupjobs: [
      job("docs", repository, PASSWORD),
      job("docs too", repository, PASSWORD),
      job("wrong key", repository, "not-the-password-Z1"),
      job("gone", join(dir, "no-repo-here"), PASSWORD),
    ],
  }));
});

afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("POST /api/jobs/:job/unlock on a real restic", () => {
  it("removes the stale lock a SIGKILLed backup left, and the repository has no lock after", async () => {
    await staleLockOf(repository, PASSWORD, backupArgs);
    expect(locks()).toHaveLength(1);
    const reply = await browser.post("/api/jobs/docs/unlock");
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json()).toMatchObject({ unlock: { job: "docs", before: 1, removed: 1, remaining: [] } });
    expect(locks()).toEqual([]);
  });

  it("leaves a running backup's lock, naming its holder and why it stays", async () => {
    const { child, exited } = await stoppedHoldingLock(repository, PASSWORD, backupArgs);
    try {
      const reply = await browser.post("/api/jobs/docs/unlock");
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json()).toEqual({
        unlock: {
          job: "docs",
          before: 1,
          removed: 0,
          remaining: [
            {
              id: expect.stringMatching(/^[0-9a-f]{64}$/),
              holder: {
                hostname: hostname(),
                pid: child.pid,
                username: expect.any(String),
                time: expect.any(String),
                exclusive: false,
              },
              reason: "process-running",
            },
          ],
          message: expect.any(String),
          durationMs: expect.any(Number),
        },
      });
      expect(locks()).toHaveLength(1);
    } finally {
      child.kill("SIGCONT");
    }
    expect(await exited).toBe(0);
    expect(locks()).toEqual([]);
  });

  it("runs one unlock of a repository at a time: a second click, or another job on it, gets 409", async () => {
    await staleLockOf(repository, PASSWORD, backupArgs);
    // Sent together: whichever the server meets first runs, the other two are refused.
    const replies = await Promise.all([
      browser.post("/api/jobs/docs/unlock"),
      browser.post("/api/jobs/docs/unlock"),
      browser.post(`/api/jobs/${encodeURIComponent("docs too")}/unlock`),
    ]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409]);
    for (const reply of replies) {
      if (reply.status === 200) expect(reply.json()).toMatchObject({ unlock: { before: 1, removed: 1 } });
      else expect(reply.json()).toMatchObject({ error: { code: "REPOSITORY_BUSY" } });
    }
    expect(locks()).toEqual([]);
    // Once it ended, the next is welcome.
    expect((await browser.post("/api/jobs/docs/unlock")).status).toBe(200);
  });

  it.each([
    ["wrong key", "WRONG_PASSWORD"],
    ["gone", "REPO_NOT_FOUND"],
  ])("answers job %s's failure as JSON with its code (%s), no password in it", async (job, code) => {
    const reply = await browser.post(`/api/jobs/${encodeURIComponent(job)}/unlock`);
    expect(reply.status).toBe(502);
    expect(reply.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(reply.text).not.toContain("not-the-password-Z1");
    expect(reply.text).not.toContain(PASSWORD);
  });
});
