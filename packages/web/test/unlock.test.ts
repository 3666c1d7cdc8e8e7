import { ResticError, SimplebackupError, type UnlockResult } from "@simplebackup/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS, type Setup, startDashboard, withUnlock } from "./helpers.js";

// POST /api/jobs/:job/unlock over a stand-in for the daemon's unlock, for the answers real restic
// cannot be made to give on cue (unlock.integration.test.ts runs the real one). Each test sets what
// the next unlock does.
let setup: Setup;
let noUnlock: Setup;
let next: (job: string) => Promise<UnlockResult> = async () => {
  throw new Error("no unlock expected");
};
const asked: string[] = [];

const result = (more: Partial<UnlockResult> = {}): UnlockResult => ({
  job: "docs",
  before: 2,
  removed: 1,
  remaining: [],
  message: "successfully removed 1 locks",
  durationMs: 1200,
  ...more,
});

beforeAll(async () => {
  setup = await startDashboard(
    {},
    undefined,
    undefined,
    withUnlock((job) => {
      asked.push(job);
      return next(job);
    }),
  );
  await setup.browser.logIn();
  // A daemon of an app that offers no unlock: its method left out.
  noUnlock = await startDashboard({}, undefined, undefined, withUnlock(undefined));
  await noUnlock.browser.logIn();
});
afterAll(async () => {
  await setup?.close();
  await noUnlock?.close();
});

describe("POST /api/jobs/:job/unlock", () => {
  it("answers what was removed and each lock left with its holder and why, field by field", async () => {
    const live = {
      id: "a".repeat(64),
      // A lock file's other fields (and anything a later restic adds) never reach the page.
      holder: {
        time: "2026-12-01T11:58:00Z",
        exclusive: false,
        hostname: "here",
        username: "root",
        pid: 4242,
        uid: 0,
      },
      reason: "process-running" as const,
    };
    next = async () =>
      result({ remaining: [live, { id: "b".repeat(64), holder: undefined, reason: "unknown" }] });
    const reply = await setup.browser.post("/api/jobs/docs/unlock");
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      unlock: {
        job: "docs",
        before: 2,
        removed: 1,
        remaining: [
          {
            id: live.id,
            holder: {
              hostname: "here",
              pid: 4242,
              username: "root",
              time: "2026-12-01T11:58:00Z",
              exclusive: false,
            },
            reason: "process-running",
          },
          { id: "b".repeat(64), holder: null, reason: "unknown" },
        ],
        message: "successfully removed 1 locks",
        durationMs: 1200,
      },
    });
    expect(asked.at(-1)).toBe("docs");
  });

  it("never sends a secret restic might quote", async () => {
    next = async () =>
      result({
        message: `removed at rest:https://backup:${SECRETS.repositoryPassword}@x ${SECRETS.jobPassword}`,
      });
    const reply = await setup.browser.post("/api/jobs/docs/unlock");
    expect(reply.status).toBe(200);
    for (const secret of Object.values(SECRETS)) expect(reply.text).not.toContain(secret);
  });

  it.each([
    ["a wrong password", "WRONG_PASSWORD", "wrong password or no key found", 502],
    ["a repository that is not there", "REPO_NOT_FOUND", "no repository at /srv/repo", 502],
    ["an unreachable repository", "BACKEND_UNAVAILABLE", "the repository could not be reached for 2m", 502],
  ] as const)(
    "says %s with its code as JSON (%s), never a 500 with a stack",
    async (_what, code, message, status) => {
      next = async () => {
        throw new ResticError(code, message, {
          command: ["unlock"],
          exitCode: 1,
          stderrTail: `Fatal: ${message}`,
        });
      };
      const reply = await setup.browser.post("/api/jobs/docs/unlock");
      expect(reply.status).toBe(status);
      expect(reply.headers["content-type"]).toMatch(/^application\/json/);
      // The whole body: the code and restic's words, no stack, no stderr tail.
      expect(reply.json()).toEqual({ error: { code, message } });
    },
  );

  it("refuses a second unlock while one runs (409 REPOSITORY_BUSY, as the daemon says)", async () => {
    next = async () => {
      throw new SimplebackupError(
        "REPOSITORY_BUSY",
        'an unlock of the repository of "docs" is running already',
      );
    };
    const reply = await setup.browser.post("/api/jobs/docs/unlock");
    expect(reply.status).toBe(409);
    expect(reply.json()).toMatchObject({ error: { code: "REPOSITORY_BUSY" } });
  });

  it("answers an untyped failure with the app's 500, its text kept out of the page", async () => {
    next = async () => {
      throw new Error(`boom ${SECRETS.jobPassword}`);
    };
    const reply = await setup.browser.post("/api/jobs/docs/unlock");
    expect(reply.status).toBe(500);
    expect(reply.json()).toEqual({ error: { code: "INTERNAL", message: expect.any(String) } });
    expect(reply.text).not.toContain("boom");
  });

  it("404s an unknown job without asking the daemon, and 501s a daemon without unlock", async () => {
    const before = asked.length;
    const unknown = await setup.browser.post("/api/jobs/nope/unlock");
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: "JOB_NOT_FOUND" } });
    expect(asked).toHaveLength(before);
    const notOffered = await noUnlock.browser.post("/api/jobs/docs/unlock");
    expect(notOffered.status).toBe(501);
    expect(notOffered.json()).toMatchObject({ error: { code: "NOT_OFFERED" } });
  });

  it("needs the session and the same-origin proofs like every write, and never reaches the daemon without", async () => {
    const before = asked.length;
    expect(
      (await setup.browser.post("/api/jobs/docs/unlock", undefined, { Origin: "http://evil.example" }))
        .status,
    ).toBe(403);
    expect((await setup.browser.post("/api/jobs/docs/unlock", undefined, { Cookie: "" })).status).toBe(401);
    expect(asked).toHaveLength(before);
  });
});
