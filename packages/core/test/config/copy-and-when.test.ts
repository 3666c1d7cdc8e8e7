import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile, resolveConfig } from "../../src/config/load.js";
import type { BackupJob, CopyTarget } from "../../src/config/types.js";
import { ConfigError, type ConfigProblem } from "../../src/errors.js";
import { configJob } from "../helpers/job.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const baseDir = path.resolve("/configs");
const homedir = path.resolve("/home/me");
const JOB = 'backupjobs[0] ("Docs")';
const SERVER = "rest:https://backup.example.com:8000/docs";

function loadJobs(input: Record<string, unknown>): readonly BackupJob[] {
  return resolveConfig(input, { baseDir, homedir }).jobs;
}

function loadJob(overrides: Record<string, unknown>, top: Record<string, unknown> = {}): BackupJob {
  const [job] = loadJobs({ ...top, backupjobs: [configJob(overrides)] });
  if (job === undefined) throw new Error("expected one job");
  return job;
}

function problemsOf(input: unknown): readonly ConfigProblem[] {
  try {
    resolveConfig(input, { baseDir, homedir });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "CONFIG_INVALID") return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

const problemsOfJob = (overrides: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  problemsOf({ ...top, backupjobs: [configJob(overrides)] });

/** A valid target as the file spells it; tests override one key at a time. */
const target = (overrides: Record<string, unknown> = {}) => ({
  name: "offsite",
  destination: SERVER,
  password_file: "offsite.pass",
  ...overrides,
});

describe("copy_to, resolved", () => {
  it("resolves a target like the job: destination and password file against the config folder", () => {
    const job = loadJob({
      retention: { days: 7, weeks: 4 },
      copy_to: [
        target({ env: { RESTIC_REST_USERNAME: "laptop" }, alert_after: "3d" }),
        {
          name: "usb_1",
          destination: "../usb/restic",
          password_env: "USB_PASSWORD",
          retention: { months: 24 },
        },
      ],
    });
    expect(job.copyTo).toEqual<CopyTarget[]>([
      {
        name: "offsite",
        repository: SERVER,
        password: { kind: "file", path: path.join(baseDir, "offsite.pass") },
        env: { RESTIC_REST_USERNAME: "laptop" },
        retention: { days: 7, weeks: 4 },
        alertAfterMs: 3 * 24 * 3_600_000,
      },
      {
        name: "usb_1",
        repository: path.resolve(baseDir, "../usb/restic"),
        password: { kind: "env", variable: "USB_PASSWORD" },
        env: {},
        retention: { months: 24 },
        alertAfterMs: undefined,
      },
    ]);
  });

  it.each<[string, Record<string, unknown>, CopyTarget["password"]]>([
    ["password", { password: "pw" }, { kind: "literal", value: "pw" }],
    ["password_file under ~", { password_file: "~/.pw" }, { kind: "file", path: path.join(homedir, ".pw") }],
    ["password_command", { password_command: "pass show x" }, { kind: "command", command: "pass show x" }],
    ["password_env", { password_env: "PW" }, { kind: "env", variable: "PW" }],
  ])("reads the target's %s as the job's", (_, password, expected) => {
    const [copy] = loadJob({ copy_to: [{ name: "t", destination: SERVER, ...password }] }).copyTo;
    expect(copy?.password).toEqual(expected);
  });

  it.each<[string, Record<string, unknown> | undefined, Record<string, unknown>, CopyTarget["retention"]]>([
    ["takes the job's retention when it has none", { days: 7 }, {}, { days: 7 }],
    ["keeps its own retention", { days: 7 }, { retention: { last: 3 } }, { last: 3 }],
    ["keeps every snapshot with retention: {}", { days: 7 }, { retention: {} }, undefined],
    ["keeps every snapshot when the job does", undefined, {}, undefined],
  ])("%s", (_, jobRetention, targetKeys, expected) => {
    const [copy] = loadJob({ retention: jobRetention, copy_to: [target(targetKeys)] }).copyTo;
    expect(copy?.retention).toEqual(expected);
  });

  it.each<[string, string | undefined, Record<string, unknown>, number | undefined]>([
    ["takes the job's alert_after when it has none", "2d", {}, 2 * 86_400_000],
    ["keeps its own alert_after", "2d", { alert_after: "6h" }, 6 * 3_600_000],
    ["has none when neither has one", undefined, {}, undefined],
  ])("%s", (_, jobAlert, targetKeys, expected) => {
    const [copy] = loadJob({ alert_after: jobAlert, copy_to: [target(targetKeys)] }).copyTo;
    expect(copy?.alertAfterMs).toBe(expected);
  });

  it("keeps restic's local: prefix and makes its path absolute", () => {
    const [copy] = loadJob({ copy_to: [target({ destination: "local:usb/restic" })] }).copyTo;
    expect(copy?.repository).toBe(`local:${path.join(baseDir, "usb/restic")}`);
  });

  it("has no targets when copy_to is left out or empty", () => {
    expect(loadJob({}).copyTo).toEqual([]);
    expect(loadJob({ copy_to: [] }).copyTo).toEqual([]);
  });

  it("lets two jobs copy to the same target repository", () => {
    const jobs = loadJobs({
      backupjobs: [configJob({ copy_to: [target()] }), configJob({ jobname: "Photos", copy_to: [target()] })],
    });
    expect(jobs.map((job) => job.copyTo[0]?.repository)).toEqual([SERVER, SERVER]);
  });
});

describe("copy_to, rejected", () => {
  const T = `${JOB}.copy_to[0] ("offsite")`;
  it.each<[string, Record<string, unknown>, ConfigProblem[]]>([
    [
      "an object instead of a list",
      { copy_to: target() },
      [
        {
          path: `${JOB}.copy_to`,
          message:
            'expected an array of copy targets, got an object; put the target in a list: "copy_to": [{ … }]',
        },
      ],
    ],
    [
      "a string",
      { copy_to: SERVER },
      [{ path: `${JOB}.copy_to`, message: `expected an array of copy targets, got "${SERVER}"` }],
    ],
    [
      "a target that is no object",
      { copy_to: [SERVER] },
      [
        {
          path: `${JOB}.copy_to[0]`,
          message: `expected a copy target object such as {"name": "offsite", "destination": "rest:https://…", "password_file": "…"}, got "${SERVER}"`,
        },
      ],
    ],
    [
      "copyTo",
      { copyTo: [target()] },
      [{ path: `${JOB}.copyTo`, message: "unknown key; did you mean `copy_to`?" }],
    ],
    [
      "copy-to",
      { "copy-to": [target()] },
      [{ path: `${JOB}["copy-to"]`, message: "unknown key; did you mean `copy_to`?" }],
    ],
    [
      "a target without a name",
      { copy_to: [target({ name: undefined })] },
      [
        {
          path: `${JOB}.copy_to[0].name`,
          message: "missing; expected a target name of letters, digits, - and _ (at most 64 characters)",
        },
      ],
    ],
    [
      "a name with a space",
      { copy_to: [target({ name: "off site" })] },
      [
        {
          path: `${JOB}.copy_to[0].name`,
          message:
            'expected a target name of letters, digits, - and _ (at most 64 characters), got "off site"',
        },
      ],
    ],
    [
      "a name too long for a label",
      { copy_to: [target({ name: "x".repeat(65) })] },
      [
        {
          path: `${JOB}.copy_to[0].name`,
          message: `expected a target name of letters, digits, - and _ (at most 64 characters), got "${"x".repeat(57)}..."`,
        },
      ],
    ],
    [
      "a name used twice",
      { copy_to: [target(), target({ destination: "/media/usb/restic" })] },
      [
        {
          path: `${JOB}.copy_to[1].name`,
          message: '"offsite" is already used by copy_to[0]; target names must be unique in the job',
        },
      ],
    ],
    [
      "no destination",
      { copy_to: [target({ destination: undefined })] },
      [
        {
          path: `${T}.destination`,
          message:
            "missing; expected a restic repository: a folder path or a backend URL such as sftp:user@host:/srv/restic",
        },
      ],
    ],
    [
      "no password",
      { copy_to: [target({ password_file: undefined })] },
      [
        {
          path: T,
          message: "set exactly one of password, password_file, password_command, password_env (found: none)",
        },
      ],
    ],
    [
      "two passwords",
      { copy_to: [target({ password_env: "PW" })] },
      [
        {
          path: T,
          message:
            "set exactly one of password, password_file, password_command, password_env (found: password_file, password_env)",
        },
      ],
    ],
    [
      "a password_env with =",
      { copy_to: [target({ password_file: undefined, password_env: "A=B" })] },
      [
        {
          path: `${T}.password_env`,
          message:
            'expected the name of an environment variable holding the target repository password, got "A=B"',
        },
      ],
    ],
    [
      "an empty password",
      { copy_to: [target({ password_file: undefined, password: "" })] },
      [{ path: `${T}.password`, message: 'expected a non-empty target repository password, got ""' }],
    ],
    [
      "an env value that is a number",
      { copy_to: [target({ env: { RESTIC_REST_PORT: 8000 } })] },
      [{ path: `${T}.env.RESTIC_REST_PORT`, message: "expected a string value (quote numbers), got 8000" }],
    ],
    [
      "a retention typo",
      { copy_to: [target({ retention: { day: 7 } })] },
      [{ path: `${T}.retention.day`, message: "unknown key; did you mean `days`?" }],
    ],
    [
      "an alert_after without a unit",
      { copy_to: [target({ alert_after: "3" })] },
      [
        {
          path: `${T}.alert_after`,
          message: expect.stringContaining("a duration such as") as unknown as string,
        },
      ],
    ],
    [
      "a key a target does not have",
      { copy_to: [target({ when: { on_ac_power: true } })] },
      [
        {
          path: `${T}.when`,
          message:
            "unknown key; expected one of: name, destination, password, password_file, password_command, password_env, env, retention, alert_after",
        },
      ],
    ],
  ])("reports %s", (_, overrides, problems) => {
    expect(problemsOfJob(overrides)).toEqual(problems);
  });

  it.each([
    ["as written", "./repo"],
    ["with a trailing slash", "repo/"],
    ["absolute", path.join(baseDir, "repo")],
    ["with local:", "local:./repo"],
    ["through ..", "../configs/repo"],
  ])("rejects a target that is the job's own repository, %s", (_, destination) => {
    expect(problemsOfJob({ destination: "./repo", copy_to: [target({ destination })] })).toEqual([
      {
        path: `${JOB}.copy_to[0] ("offsite").destination`,
        message:
          "this is the job's own repository (its destination); a copy needs a second repository: another drive or a server",
      },
    ]);
  });

  it("rejects a server URL that is the job's own, with or without a trailing slash", () => {
    expect(problemsOfJob({ destination: SERVER, copy_to: [target({ destination: `${SERVER}/` })] })).toEqual([
      {
        path: `${JOB}.copy_to[0] ("offsite").destination`,
        message:
          "this is the job's own repository (its destination); a copy needs a second repository: another drive or a server",
      },
    ]);
  });

  it("rejects two targets on one repository", () => {
    const copyTo = [target(), target({ name: "again", destination: `${SERVER}/` })];
    expect(problemsOfJob({ copy_to: copyTo })).toEqual([
      {
        path: `${JOB}.copy_to[1] ("again").destination`,
        message: "copy_to[0] already copies to this repository; remove one of the two targets",
      },
    ]);
  });

  it("rejects a target env variable the job sets to another value, naming both places", () => {
    const problems = problemsOfJob({
      env: { AWS_ACCESS_KEY_ID: "primary", AWS_REGION: "eu-west-1" },
      copy_to: [target({ env: { AWS_ACCESS_KEY_ID: "offsite", AWS_REGION: "eu-west-1", OTHER: "x" } })],
    });
    expect(problems).toEqual([
      {
        path: `${JOB}.copy_to[0] ("offsite").env.AWS_ACCESS_KEY_ID`,
        message:
          "differs from the job's env.AWS_ACCESS_KEY_ID (backupjobs[0].env.AWS_ACCESS_KEY_ID); restic copy reads the " +
          "job's repository and this target in one process, which sees one value per variable: use the same " +
          "credentials for both, or put the target on another backend (a REST server, sftp)",
      },
    ]);
  });

  it("reports a target's problems with the schema's, in file order", () => {
    const problems = problemsOfJob({
      copy_to: [target({ password: "pw", retention: { days: -1 } }), target({ destination: "./repo" })],
    });
    expect(problems.map((problem) => problem.path)).toEqual([
      `${JOB}.copy_to[0] ("offsite")`,
      `${JOB}.copy_to[0] ("offsite").retention.days`,
      `${JOB}.copy_to[1].name`,
      `${JOB}.copy_to[1] ("offsite").destination`,
    ]);
  });
});

describe("when, resolved", () => {
  const NONE = { onAcPower: false, pathExists: [], reachable: false, command: undefined };

  it.each<[string, Record<string, unknown>, BackupJob["when"]]>([
    ["on_ac_power", { on_ac_power: true }, { ...NONE, onAcPower: true }],
    [
      "a relative path_exists, against the config folder",
      { path_exists: "usb" },
      { ...NONE, pathExists: [path.join(baseDir, "usb")] },
    ],
    [
      "a list of paths, ~ and repeats resolved",
      { path_exists: ["/media/usb", "~/Documents", "/media/usb/"] },
      { ...NONE, pathExists: [path.resolve("/media/usb"), path.join(homedir, "Documents")] },
    ],
    ["a command", { command: "test -e /run/home-wifi" }, { ...NONE, command: "test -e /run/home-wifi" }],
    ["an empty when: no conditions", {}, undefined],
    ["on_ac_power: false, the same as unset", { on_ac_power: false }, undefined],
    ["an empty path list", { path_exists: [] }, undefined],
  ])("reads %s", (_, when, expected) => {
    expect(loadJob({ when }).when).toEqual(expected);
  });

  it("reads reachable on a job with a remote repository", () => {
    expect(loadJob({ destination: SERVER, when: { reachable: true } }).when).toEqual({
      ...NONE,
      reachable: true,
    });
  });

  it("gives every job the top-level when", () => {
    const top = { when: { on_ac_power: true, path_exists: "usb" } };
    expect(loadJob({}, top).when).toEqual({
      ...NONE,
      onAcPower: true,
      pathExists: [path.join(baseDir, "usb")],
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, BackupJob["when"]]>([
    [
      "a key the job sets replaces the top level's, the others stay",
      { on_ac_power: true, path_exists: "/a", command: "top" },
      { path_exists: ["/b"] },
      { onAcPower: true, pathExists: [path.resolve("/b")], reachable: false, command: "top" },
    ],
    [
      "on_ac_power: false turns off the top level's true",
      { on_ac_power: true, command: "top" },
      { on_ac_power: false },
      { ...NONE, command: "top" },
    ],
    ["path_exists: [] drops the top level's paths", { path_exists: "/a" }, { path_exists: [] }, undefined],
    ["command: null drops the top level's command", { command: "top" }, { command: null }, undefined],
    ["a job's empty when keeps the top level's", { on_ac_power: true }, {}, { ...NONE, onAcPower: true }],
  ])("merges key by key: %s", (_, top, job, expected) => {
    expect(loadJob({ when: job }, { when: top }).when).toEqual(expected);
  });

  it("applies a top-level reachable: true to remote jobs only, without an error for local ones", () => {
    const jobs = loadJobs({
      when: { reachable: true },
      backupjobs: [configJob(), configJob({ jobname: "Offsite", destination: "sftp:me@nas:/srv/restic" })],
    });
    expect(jobs.map((job) => job.when)).toEqual([undefined, { ...NONE, reachable: true }]);
  });

  it("lets a remote job turn a top-level reachable off", () => {
    expect(
      loadJob({ destination: SERVER, when: { reachable: false } }, { when: { reachable: true } }).when,
    ).toBe(undefined);
  });
});

describe("when, rejected", () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, ConfigProblem]>([
    [
      "reachable on a local repository",
      { when: { reachable: true } },
      {},
      {
        path: `${JOB}.when.reachable`,
        message:
          "the job's destination is a local folder, which has no server to reach; to wait for a drive, " +
          'use "path_exists" with a folder on the drive (e.g. "/media/usb/restic"; not its mount point, which exists while the drive is away), or remove reachable',
      },
    ],
    [
      "reachable on a local: repository",
      { destination: "local:/mnt/repo", when: { reachable: true } },
      {},
      expect.objectContaining({ path: `${JOB}.when.reachable` }) as ConfigProblem,
    ],
    [
      "a when that is no object",
      { when: "on_ac_power" },
      {},
      {
        path: `${JOB}.when`,
        message:
          'expected an object of run conditions (on_ac_power, path_exists, reachable, command), got "on_ac_power"',
      },
    ],
    [
      "on_ac_power as a string",
      { when: { on_ac_power: "yes" } },
      {},
      { path: `${JOB}.when.on_ac_power`, message: 'expected true or false, got "yes"' },
    ],
    [
      "path_exists a number",
      { when: { path_exists: 7 } },
      {},
      { path: `${JOB}.when.path_exists`, message: "expected a path or an array of paths, got 7" },
    ],
    [
      "path_exists empty",
      { when: { path_exists: "" } },
      {},
      { path: `${JOB}.when.path_exists`, message: 'expected a non-empty path, got ""' },
    ],
    [
      "an empty path in the list",
      { when: { path_exists: ["/media/usb", ""] } },
      {},
      { path: `${JOB}.when.path_exists[1]`, message: 'expected a non-empty path, got ""' },
    ],
    [
      "a server URL as path_exists",
      { when: { path_exists: SERVER } },
      {},
      {
        path: `${JOB}.when.path_exists`,
        message:
          'expected a local path (a folder on a drive such as "/media/usb/restic"), got a URL; to wait for a server, use "reachable": true',
      },
    ],
    [
      "an empty command",
      { when: { command: "" } },
      {},
      { path: `${JOB}.when.command`, message: 'expected a non-empty shell command, got ""' },
    ],
    [
      "a typo in a condition",
      { when: { path_exist: "/media/usb" } },
      {},
      { path: `${JOB}.when.path_exist`, message: "unknown key; did you mean `path_exists`?" },
    ],
    [
      "a condition that does not exist",
      { when: { on_battery: false } },
      {},
      {
        path: `${JOB}.when.on_battery`,
        message: "unknown key; expected one of: on_ac_power, path_exists, reachable, command",
      },
    ],
    [
      "a top-level When",
      {},
      { When: { on_ac_power: true } },
      { path: "When", message: "unknown key; did you mean `when`?" },
    ],
    [
      "a top-level command: null (only a job drops one)",
      {},
      { when: { command: null } },
      { path: "when.command", message: "expected a shell command, got null" },
    ],
  ])("reports %s", (_, overrides, top, problem) => {
    expect(problemsOfJob(overrides, top)).toEqual([problem]);
  });
});

describe("the classic config", () => {
  it("still loads, with no copies and no conditions", async () => {
    const config = await loadConfigFile(path.join(fixtures, "classic.json"));
    expect(config.jobs.length).toBeGreaterThan(0);
    for (const job of config.jobs) {
      expect(job.copyTo).toEqual([]);
      expect(job.when).toBeUndefined();
    }
  });
});
