import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText, resolveConfig } from "../../src/config/load.js";
import type { BackupJob } from "../../src/config/types.js";
import { ConfigError } from "../../src/errors.js";
import { configJob } from "../helpers/job.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const baseDir = path.resolve("/configs");
const homedir = path.resolve("/home/me");

function loadJob(overrides: Record<string, unknown>): BackupJob {
  const config = resolveConfig({ backupjobs: [configJob(overrides)] }, { baseDir, homedir });
  const [only] = config.jobs;
  if (only === undefined) throw new Error("expected one job");
  return only;
}

// A drive-letter path is absolute on Windows and is kept as written elsewhere.
const windowsPath = (p: string) => (process.platform === "win32" ? path.win32.normalize(p) : p);

const SCHEDULING_DEFAULTS = {
  skipIfUnchanged: false,
  timezone: undefined,
  catchUp: true,
  jitterMs: 0,
  backupOnStart: false,
  allowEmptySources: false,
  retry: { attempts: 4, delaysMs: [60_000, 300_000, 900_000] },
  staleLockAfterMs: 3_600_000,
  backendUnreachableAfterMs: 45_000,
  alertAfterMs: undefined,
  notifications: [],
  hooks: undefined,
  check: undefined,
  drill: undefined,
  copyTo: [],
  databases: [],
  when: undefined,
};

describe("loadConfigFile", () => {
  it("loads the classic format with every field mapped", async () => {
    const file = path.join(fixtures, "classic.json");
    const config = await loadConfigFile(file);

    expect(config).toEqual({
      file,
      resticBinary: undefined,
      stateDir: undefined,
      maxConcurrent: 1,
      keepLogs: 30,
      baseDir: path.resolve(fixtures),
      notifications: [],
      metricsFile: undefined,
      skipIfUnchanged: false,
      jobs: [
        {
          name: "Documents",
          sources: [windowsPath("C:/Users/me/Documents"), path.join(fixtures, "photos")],
          repository: windowsPath("D:/Backup/restic-repo"),
          password: { kind: "literal", value: "secret" },
          schedule: "0 2 * * *",
          excludes: ["**/node_modules"],
          retention: { hours: 24, days: 7, weeks: 4, months: 6, years: 1 },
          env: {},
          tags: [],
          ...SCHEDULING_DEFAULTS,
        },
      ],
    });
  });

  it("resolves relative paths against the config file's folder and ~ against the home folder", async () => {
    const folder = path.join(fixtures, "relative");
    const config = await loadConfigFile(path.join(folder, "backup_config.json"), { homedir });

    expect(config.resticBinary).toBe(path.join(folder, "bin", "restic"));
    expect(config.stateDir).toBe(path.join(folder, "state"));
    const [photos, offsite] = config.jobs;
    expect(photos).toEqual({
      name: "Photos",
      // "./photos" and "photos/" are one folder: kept once, at its first place.
      sources: [
        path.join(folder, "photos"),
        path.join(fixtures, "shared", "albums"),
        path.join(homedir, "Pictures"),
      ],
      repository: path.join(fixtures, "repos", "photos"),
      password: { kind: "file", path: path.join(folder, "secrets", "photos.txt") },
      schedule: "30 3 * * 0",
      excludes: [],
      retention: { last: 10, within: "2y5m7d3h" },
      env: {},
      tags: ["camera", "family"],
      ...SCHEDULING_DEFAULTS,
    });
    expect(offsite).toEqual({
      name: "Offsite",
      sources: [path.resolve("/srv/data")],
      repository: "s3:s3.amazonaws.com/bucket/offsite",
      password: { kind: "env", variable: "OFFSITE_RESTIC_PASSWORD" },
      schedule: "0 0 4 * * 1-5",
      excludes: [],
      retention: undefined,
      env: { AWS_ACCESS_KEY_ID: "AKIA123", AWS_SECRET_ACCESS_KEY: "shh" },
      tags: [],
      ...SCHEDULING_DEFAULTS,
    });
  });

  it("accepts a UTF-8 byte order mark, as Notepad writes it", async () => {
    const config = await loadConfigFile(path.join(fixtures, "bom.json"));
    expect(config.jobs.map((j) => j.name)).toEqual(["Bom"]);
  });

  it("reports a missing file as CONFIG_NOT_FOUND", async () => {
    const file = path.join(fixtures, "nope.json");
    const error = await loadConfigFile(file).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: "CONFIG_NOT_FOUND",
      file,
      problems: [{ path: "", message: "no such file; check the path, or pass --config FILE" }],
    });
  });

  it("reports a folder given as the file as CONFIG_NOT_FOUND", async () => {
    const error = await loadConfigFile(fixtures).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "CONFIG_NOT_FOUND",
      problems: [{ path: "", message: "this is a folder; expected a JSON config file" }],
    });
  });

  it("reports a syntax error in the file with its line and column", async () => {
    const file = path.join(fixtures, "trailing-comma.txt");
    const error = await loadConfigFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "CONFIG_INVALID",
      file,
      problems: [
        {
          path: "",
          message:
            "invalid JSON at line 5, column 28: Unexpected token ']'; remove the trailing ',' (JSON allows no comma after the last item)",
        },
      ],
    });
  });
});

describe("parseConfigText", () => {
  it("names the file in the error and in the result", () => {
    const text = JSON.stringify({ backupjobs: [configJob()] });
    const file = path.join(baseDir, "backup_config.json");
    expect(parseConfigText(text, { file, baseDir }).file).toBe(file);
    expect(() => parseConfigText("{}", { file, baseDir })).toThrow(
      `${file}: backupjobs: missing; expected an array of jobs`,
    );
  });

  it("leaves file undefined for text that came from no file", () => {
    expect(parseConfigText(JSON.stringify({ backupjobs: [configJob()] }), { baseDir }).file).toBeUndefined();
  });
});

describe("resolveConfig", () => {
  it.each([
    [{ hours: 1 }, { hours: 1 }],
    [
      { days: 7, months: 12 },
      { days: 7, months: 12 },
    ],
    [{ weeks: 0 }, { weeks: 0 }],
    [{ last: 3 }, { last: 3 }],
    [{ within: "1y" }, { within: "1y" }],
    [
      { within: "2y5m7d3h", years: 5 },
      { within: "2y5m7d3h", years: 5 },
    ],
    [
      { hours: 24, days: 7, weeks: 4, months: 6, years: 1, last: 2, within: "3d" },
      { hours: 24, days: 7, weeks: 4, months: 6, years: 1, last: 2, within: "3d" },
    ],
  ])("keeps the retention rules %j as written", (retention, expected) => {
    expect(loadJob({ retention }).retention).toEqual(expected);
  });

  it("reads backend_unreachable_after per job, else from the top level, else 45 s", () => {
    const config = resolveConfig(
      {
        backend_unreachable_after: "2m",
        backupjobs: [configJob(), configJob({ jobname: "Slow", backend_unreachable_after: "10m" })],
      },
      { baseDir, homedir },
    );
    expect(config.jobs.map((j) => j.backendUnreachableAfterMs)).toEqual([120_000, 600_000]);
    expect(loadJob({}).backendUnreachableAfterMs).toBe(45_000);
  });

  it("reads skip_if_unchanged per job, else from the top level, else off", () => {
    const config = resolveConfig(
      {
        skip_if_unchanged: true,
        backupjobs: [configJob(), configJob({ jobname: "Always", skip_if_unchanged: false })],
      },
      { baseDir, homedir },
    );
    expect(config.skipIfUnchanged).toBe(true);
    expect(config.jobs.map((j) => j.skipIfUnchanged)).toEqual([true, false]);
    expect(loadJob({}).skipIfUnchanged).toBe(false);
    expect(loadJob({ skip_if_unchanged: true }).skipIfUnchanged).toBe(true);
  });

  it.each([{}, undefined])("reads retention %j as keep everything", (retention) => {
    expect(loadJob({ retention }).retention).toBeUndefined();
  });

  it.each([
    [{ password: "pw" }, { kind: "literal", value: "pw" }],
    [{ password_file: "pw.txt" }, { kind: "file", path: path.join(baseDir, "pw.txt") }],
    [{ password_file: "~/.restic-pw" }, { kind: "file", path: path.join(homedir, ".restic-pw") }],
    [{ password_command: "pass show restic" }, { kind: "command", command: "pass show restic" }],
    [{ password_env: "RESTIC_PW" }, { kind: "env", variable: "RESTIC_PW" }],
  ])("maps the password source %j", (source, expected) => {
    expect(loadJob({ password: undefined, ...source }).password).toEqual(expected);
  });

  it.each([
    ["./repo", path.join(baseDir, "repo")],
    ["../backups/repo", path.resolve(baseDir, "../backups/repo")],
    ["~/repo", path.join(homedir, "repo")],
    ["local:./repo", `local:${path.join(baseDir, "repo")}`],
    ["local:~/repo", `local:${path.join(homedir, "repo")}`],
    ["D:/Backup/repo", windowsPath("D:/Backup/repo")],
    ["D:\\Backup\\repo", windowsPath("D:\\Backup\\repo")],
    ["sftp:user@host:/srv/restic", "sftp:user@host:/srv/restic"],
    ["rest:https://backup.example.com/repo", "rest:https://backup.example.com/repo"],
    ["s3:s3.amazonaws.com/bucket", "s3:s3.amazonaws.com/bucket"],
    ["b2:bucket:path", "b2:bucket:path"],
    ["azure:container:/path", "azure:container:/path"],
    ["gs:bucket:/path", "gs:bucket:/path"],
    ["swift:container:/path", "swift:container:/path"],
    ["rclone:remote:path", "rclone:remote:path"],
  ])("resolves the destination %s to %s", (destination, repository) => {
    expect(loadJob({ destination }).repository).toBe(repository);
  });

  it("keeps sources in the user's order, absolute, without duplicates", () => {
    const sources = ["b", "./a", "/data/x", "b/", "~", "a/../b"];
    expect(loadJob({ sources }).sources).toEqual([
      path.join(baseDir, "b"),
      path.join(baseDir, "a"),
      path.resolve("/data/x"),
      homedir,
    ]);
  });

  it.each([
    ["restic", "restic"],
    ["restic.exe", "restic.exe"],
    ["./tools/restic", path.join(baseDir, "tools", "restic")],
    ["~/bin/restic", path.join(homedir, "bin", "restic")],
  ])("resolves restic_binary %s only when it is a path", (resticBinary, expected) => {
    const config = resolveConfig(
      { restic_binary: resticBinary, backupjobs: [configJob()] },
      { baseDir, homedir },
    );
    expect(config.resticBinary).toBe(expected);
  });

  it("defaults excludes, env and tags to empty", () => {
    const loaded = loadJob({});
    expect([loaded.excludes, loaded.env, loaded.tags]).toEqual([[], {}, []]);
  });

  it("ignores $schema", () => {
    const config = resolveConfig({ $schema: "./schema.json", backupjobs: [configJob()] }, { baseDir });
    expect(config.jobs).toHaveLength(1);
  });

  it("accepts a six-field schedule with seconds first", () => {
    expect(loadJob({ backup_interval: "30 0 2 * * *" }).schedule).toBe("30 0 2 * * *");
  });
});
