import { describe, expect, it } from "vitest";
import type { CopyTarget } from "../../src/config/types.js";
import {
  buildCopyEnvironment,
  buildCopyTargetEnvironment,
  buildResticEnvironment,
} from "../../src/restic/environment.js";
import { makeJob } from "../helpers/job.js";

const target = (overrides: Partial<CopyTarget> = {}): CopyTarget => ({
  name: "offsite",
  repository: "rest:http://backup:rest-pass@127.0.0.1:8000/docs",
  password: { kind: "literal", value: "target-pw" },
  env: {},
  retention: undefined,
  alertAfterMs: undefined,
  ...overrides,
});

// Variables a user's shell may hold: none of them may reach restic in place of the job's own.
const INHERITED = {
  RESTIC_PASSWORD: "from-the-shell",
  RESTIC_FROM_PASSWORD_FILE: "/home/me/other.txt",
  RESTIC_FROM_REPOSITORY_FILE: "/home/me/repo.txt",
};

describe("buildResticEnvironment", () => {
  it("gives the job's repository and password, and clears what the shell set", () => {
    const env = buildResticEnvironment(makeJob({ env: { B2_ACCOUNT_ID: "id" } }), INHERITED, 2);
    expect(env).toMatchObject({
      RESTIC_REPOSITORY: "/repos/docs",
      RESTIC_PASSWORD: "pw",
      RESTIC_PASSWORD_FILE: undefined,
      RESTIC_PROGRESS_FPS: "2",
      B2_ACCOUNT_ID: "id",
    });
  });
});

describe("buildCopyTargetEnvironment", () => {
  it("opens the target alone, with its own env and not the job's", () => {
    const job = makeJob({ env: { AWS_ACCESS_KEY_ID: "job-key" } });
    const env = buildCopyTargetEnvironment(job, target({ env: { EXTRA: "1" } }), {}, 1);
    expect(env).toMatchObject({
      RESTIC_REPOSITORY: "rest:http://backup:rest-pass@127.0.0.1:8000/docs",
      RESTIC_PASSWORD: "target-pw",
      EXTRA: "1",
    });
    expect(env).not.toHaveProperty("AWS_ACCESS_KEY_ID");
    expect(env).not.toHaveProperty("RESTIC_FROM_REPOSITORY");
  });

  it("names the target when its password_env is not set", () => {
    const missing = target({ password: { kind: "env", variable: "OFFSITE_PW" } });
    expect(() => buildCopyTargetEnvironment(makeJob(), missing, {}, 1)).toThrow(
      expect.objectContaining({
        code: "PASSWORD_UNAVAILABLE",
        message:
          'copy target "offsite" of job "docs": password_env names OFFSITE_PW, but that environment variable is not set',
      }),
    );
  });
});

describe("buildCopyEnvironment", () => {
  it("makes the target restic's repository and the job's the source (RESTIC_FROM_*)", () => {
    const job = makeJob({ env: { B2_ACCOUNT_ID: "id" } });
    const env = buildCopyEnvironment(job, target({ env: { EXTRA: "1" } }), INHERITED, 1);
    expect(env).toEqual({
      RESTIC_REPOSITORY: "rest:http://backup:rest-pass@127.0.0.1:8000/docs",
      RESTIC_PASSWORD: "target-pw",
      RESTIC_PASSWORD_FILE: undefined,
      RESTIC_PASSWORD_COMMAND: undefined,
      RESTIC_REPOSITORY_FILE: undefined,
      RESTIC_PROGRESS_FPS: "1",
      RESTIC_FROM_REPOSITORY: "/repos/docs",
      RESTIC_FROM_REPOSITORY_FILE: undefined,
      RESTIC_FROM_PASSWORD: "pw",
      RESTIC_FROM_PASSWORD_FILE: undefined,
      RESTIC_FROM_PASSWORD_COMMAND: undefined,
      RESTIC_FROM_KEY_HINT: undefined,
      B2_ACCOUNT_ID: "id",
      EXTRA: "1",
    });
  });

  it.each([
    [{ kind: "file", path: "/etc/pw.txt" }, { RESTIC_FROM_PASSWORD_FILE: "/etc/pw.txt" }],
    [{ kind: "command", command: "pass show docs" }, { RESTIC_FROM_PASSWORD_COMMAND: "pass show docs" }],
    [{ kind: "env", variable: "DOCS_PW" }, { RESTIC_FROM_PASSWORD: "from-env" }],
  ] as const)("passes the job's password %j as %j", (password, expected) => {
    const env = buildCopyEnvironment(makeJob({ password }), target(), { DOCS_PW: "from-env" }, 1);
    expect(env).toMatchObject(expected);
    expect(env.RESTIC_PASSWORD).toBe("target-pw");
  });

  it("refuses env the job and the target set differently: one process cannot serve both", () => {
    const job = makeJob({ env: { AWS_ACCESS_KEY_ID: "job-key", SAME: "x" } });
    expect(() => buildCopyEnvironment(job, target({ env: { SAME: "x" } }), {}, 1)).not.toThrow();
    expect(() => buildCopyEnvironment(job, target({ env: { AWS_ACCESS_KEY_ID: "other" } }), {}, 1)).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringContaining("env.AWS_ACCESS_KEY_ID"),
      }),
    );
  });
});
