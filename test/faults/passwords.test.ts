import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "../e2e/cli.js";
import { DaemonProcess } from "../e2e/daemon-process.js";
import { restic, sleep } from "./helpers.js";

/**
 * Fault 4: password problems. Each is reported with its code, never creates a repository, and is not
 * retried (a retry cannot fix a password), even with retries configured.
 */
const PASSWORD = "pw-right-2b7e91d0";
const temp = tempDir();
const root = temp.path;
let daemon: DaemonProcess | undefined;

const cases = [
  {
    job: "wrong",
    code: "WRONG_PASSWORD",
    fresh: false,
    settings: { password: "pw-wrong-77aa01c3" },
  },
  {
    job: "nofile",
    code: "PASSWORD_UNAVAILABLE",
    fresh: true,
    settings: { password_file: "./does-not-exist.txt" },
  },
  {
    job: "badcommand",
    code: "PASSWORD_UNAVAILABLE",
    fresh: true,
    settings: { password_command: "sh -c 'exit 7'" },
  },
  {
    job: "noenv",
    code: "PASSWORD_UNAVAILABLE",
    fresh: true,
    settings: { password_env: "SB_FAULTS_UNSET_PASSWORD_VAR" },
  },
] as const;

function config(name: string) {
  return write(join(root, `${name}.json`), {
    backupjobs: cases.map((c) => ({
      jobname: c.job,
      sources: ["./data"],
      destination: `./repo-${c.job}`,
      backup_interval: "0 3 * * *",
      retry: { attempts: 5, delays: ["1s"] },
      ...c.settings,
    })),
  });
}

beforeAll(() => {
  write(join(root, "data/a.txt"), "alpha");
  expect(restic(join(root, "repo-wrong"), PASSWORD, ["init"]).status).toBe(0);
  delete process.env.SB_FAULTS_UNSET_PASSWORD_VAR;
});

afterAll(async () => {
  await daemon?.stop("SIGKILL");
  temp.dispose();
});

function noRepositoryCreated(job: string) {
  const repo = join(root, `repo-${job}`);
  expect(existsSync(join(repo, "config")), `${repo}/config must not exist`).toBe(false);
}

describe("password failures", () => {
  for (const c of cases) {
    it(`${c.job}: backup says ${c.code} and creates no repository`, () => {
      const file = config("cli");
      const result = simplebackup(["backup", "--config", file, c.job], {
        env: { SIMPLEBACKUP_STATE_DIR: join(root, `state-cli-${c.job}`) },
      });
      const output = result.stdout + result.stderr;
      expect(result.status, output).toBe(1);
      expect(output).toContain(`[${c.code}]`);
      if (c.fresh) noRepositoryCreated(c.job);
      else expect(restic(join(root, "repo-wrong"), PASSWORD, ["snapshots", "--no-lock"]).status).toBe(0);
    });
  }

  it("the daemon, with retries configured, tries each exactly once", async () => {
    const file = config("daemon");
    daemon = new DaemonProcess(["--config", file, "--backup-on-start"], {
      SIMPLEBACKUP_STATE_DIR: join(root, "state-daemon"),
    });
    for (const c of cases) {
      await daemon.waitForLine(new RegExp(`\\[${c.job}\\] FAILED.*\\[${c.code}\\]`), 60_000);
    }
    // A retry would come 1 s after the failure; give it ample time to (wrongly) happen.
    await sleep(6000);
    expect(daemon.child.exitCode).toBeNull();
    for (const c of cases) {
      expect(daemon.count(new RegExp(`\\[${c.job}\\] FAILED`)), daemon.lines.join("\n")).toBe(1);
      expect(daemon.count(new RegExp(`\\[${c.job}\\] backup started`)), daemon.lines.join("\n")).toBe(1);
      if (c.fresh) noRepositoryCreated(c.job);
    }
    expect(daemon.count(/will retry/), daemon.lines.join("\n")).toBe(0);
    expect((await daemon.stop()).code).toBe(0);
  }, 120_000);
});
