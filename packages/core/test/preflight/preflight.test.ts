import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { localRepositoryPath } from "../../src/config/repository-path.js";
import { firstWord, type PathFacts, type PreflightIO, runPreflight } from "../../src/preflight/preflight.js";
import type { ResticVersion } from "../../src/restic/commands/version.js";

// POSIX paths throughout: the checks run on the resolved config, and these tests on a fake disk.
const base = "/home/ada/backup";
const FILE: PathFacts = { type: "file", mode: 0o600, size: 20, readable: true };
const DIR: PathFacts = { type: "directory", mode: 0o755, size: 4096, readable: true };

interface World {
  files?: Record<string, PathFacts>;
  env?: Record<string, string | undefined>;
  programs?: string[];
  restic?: boolean;
  /** What `restic version` says; asking without one set fails the test (it should not be asked). */
  resticVersion?: ResticVersion | "unreadable";
  platform?: NodeJS.Platform;
}

/** A machine that has exactly what the test says: files, variables, programs on PATH. */
function fakeIO(world: World): PreflightIO {
  const files: Record<string, PathFacts> = { "/": DIR, "/home": DIR, "/home/ada": DIR, [base]: DIR };
  Object.assign(files, world.files);
  const programs = new Set(world.programs ?? []);
  return {
    stat: async (file) => files[path.posix.normalize(file)],
    env: world.env ?? {},
    which: async (program) => (programs.has(program) ? `/usr/bin/${program}` : undefined),
    findRestic: async (configured) =>
      world.restic === false ? undefined : (configured ?? "/usr/bin/restic"),
    resticVersion: async () => {
      if (world.resticVersion === undefined) throw new Error("restic version asked for no reason");
      return world.resticVersion === "unreadable" ? undefined : world.resticVersion;
    },
    platform: world.platform ?? "linux",
  };
}

const job = {
  jobname: "Docs",
  sources: ["/home/ada/Documents"],
  destination: "/home/ada/restic-repo",
  password: "pw",
  backup_interval: "0 2 * * *",
};

const healthy: Record<string, PathFacts> = { "/home/ada/Documents": DIR };
const RESTIC_014: ResticVersion = { version: "0.14.0", major: 0, minor: 14, patch: 0 };
const RESTIC_017: ResticVersion = { version: "0.17.0", major: 0, minor: 17, patch: 0 };

function config(overrides: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  const { password: _, ...rest } = job;
  const passwordSet = Object.keys(overrides).some((key) => key.startsWith("password"));
  return resolveConfig(
    { ...top, backupjobs: [{ ...(passwordSet ? rest : job), ...overrides }] },
    { baseDir: base, homedir: "/home/ada" },
  );
}

describe("runPreflight", () => {
  it("has nothing to say when everything a run needs is there", async () => {
    expect(await runPreflight(config(), fakeIO({ files: healthy }))).toEqual([]);
  });

  it("checks a copy_to target's password and drive as the job's, naming the target's keys", async () => {
    const warnings = await runPreflight(
      config({
        copy_to: [
          { name: "usb", destination: "/media/usb/restic", password_file: "/home/ada/usb.pass" },
          { name: "offsite", destination: "rest:https://nas.example:8000/docs", password_env: "OFFSITE_PW" },
        ],
      }),
      fakeIO({ files: healthy }),
    );
    expect(warnings.map(({ code, path }) => [code, path])).toEqual([
      ["PASSWORD_FILE_MISSING", "backupjobs[0].copy_to[0].password_file"],
      ["DESTINATION_PARENT_MISSING", "backupjobs[0].copy_to[0].destination"],
      ["PASSWORD_ENV_UNSET", "backupjobs[0].copy_to[1].password_env"],
    ]);
  });

  it("warns about a password file that does not exist, and says how to create one", async () => {
    const warnings = await runPreflight(
      config({ password_file: "~/.config/simplebackup/docs.pass" }),
      fakeIO({ files: healthy }),
    );
    expect(warnings).toEqual([
      {
        code: "PASSWORD_FILE_MISSING",
        job: "Docs",
        path: "backupjobs[0].password_file",
        message: "the password file /home/ada/.config/simplebackup/docs.pass does not exist",
        fix: expect.stringContaining(
          "mkdir -p /home/ada/.config/simplebackup && (umask 077; openssl rand -base64 24 > /home/ada/.config/simplebackup/docs.pass)",
        ),
      },
    ]);
  });

  it.each([
    [0o644, "0644"],
    [0o640, "0640"],
    [0o604, "0604"],
    [0o660, "0660"],
  ])("warns about a password file with mode %s that others can reach", async (mode, shown) => {
    const warnings = await runPreflight(
      config({ password_file: "pw.txt" }),
      fakeIO({ files: { ...healthy, [`${base}/pw.txt`]: { ...FILE, mode } } }),
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "PASSWORD_FILE_EXPOSED",
        path: "backupjobs[0].password_file",
        message: expect.stringContaining(`(mode ${shown})`),
        fix: `chmod 600 ${base}/pw.txt`,
      }),
    ]);
  });

  it("accepts a password file only its owner can read, and skips the mode check on Windows", async () => {
    const io = (mode: number, platform: NodeJS.Platform) =>
      fakeIO({ files: { ...healthy, [`${base}/pw.txt`]: { ...FILE, mode } }, platform });
    expect(await runPreflight(config({ password_file: "pw.txt" }), io(0o400, "linux"))).toEqual([]);
    expect(await runPreflight(config({ password_file: "pw.txt" }), io(0o666, "win32"))).toEqual([]);
  });

  it("warns about a password file that is empty or a folder", async () => {
    const empty = await runPreflight(
      config({ password_file: "pw.txt" }),
      fakeIO({ files: { ...healthy, [`${base}/pw.txt`]: { ...FILE, size: 0 } } }),
    );
    expect(empty.map((warning) => warning.code)).toEqual(["PASSWORD_FILE_EMPTY"]);
    const folder = await runPreflight(
      config({ password_file: "pw" }),
      fakeIO({ files: { ...healthy, [`${base}/pw`]: DIR } }),
    );
    expect(folder.map((warning) => warning.code)).toEqual(["PASSWORD_FILE_NOT_A_FILE"]);
  });

  it("warns about a password file this user cannot read (made with sudo), and says how to take it", async () => {
    const warnings = await runPreflight(
      config({ password_file: "pw.txt" }),
      fakeIO({ files: { ...healthy, [`${base}/pw.txt`]: { ...FILE, readable: false } } }),
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "PASSWORD_FILE_UNREADABLE",
        message: `the password file ${base}/pw.txt exists but this user cannot read it`,
        fix: expect.stringContaining(`chmod 600 ${base}/pw.txt`),
      }),
    ]);
  });

  it("warns about a password_env that is unset or empty, and never shows a value", async () => {
    const unset = await runPreflight(config({ password_env: "DOCS_PW" }), fakeIO({ files: healthy }));
    expect(unset).toEqual([
      expect.objectContaining({
        code: "PASSWORD_ENV_UNSET",
        path: "backupjobs[0].password_env",
        message: "the environment variable DOCS_PW is not set here",
      }),
    ]);
    const empty = await runPreflight(
      config({ password_env: "DOCS_PW" }),
      fakeIO({ files: healthy, env: { DOCS_PW: "" } }),
    );
    expect(empty[0]?.message).toBe("the environment variable DOCS_PW is empty here");
    const set = await runPreflight(
      config({ password_env: "DOCS_PW" }),
      fakeIO({ files: healthy, env: { DOCS_PW: "s3cret" } }),
    );
    expect(set).toEqual([]);
  });

  it("warns about a password_command whose program is not found, naming only the program", async () => {
    const missing = await runPreflight(
      config({ password_command: "pass show backup/docs" }),
      fakeIO({ files: healthy }),
    );
    expect(missing).toEqual([
      expect.objectContaining({
        code: "PASSWORD_COMMAND_NOT_FOUND",
        path: "backupjobs[0].password_command",
        message: "password_command runs pass, which was not found on PATH",
      }),
    ]);
    expect(JSON.stringify(missing)).not.toContain("backup/docs");
    const found = await runPreflight(
      config({ password_command: "pass show backup/docs" }),
      fakeIO({ files: healthy, programs: ["pass"] }),
    );
    expect(found).toEqual([]);
  });

  it("warns about each source that does not exist", async () => {
    const warnings = await runPreflight(
      config({ sources: ["/home/ada/Documents", "/media/usb/photos", "notes"] }),
      fakeIO({ files: healthy }),
    );
    expect(warnings.map(({ code, path, message }) => ({ code, path, message }))).toEqual([
      {
        code: "SOURCE_MISSING",
        path: "backupjobs[0].sources",
        message: "the source /media/usb/photos does not exist; a run cannot back it up",
      },
      {
        code: "SOURCE_MISSING",
        path: "backupjobs[0].sources",
        message: `the source ${base}/notes does not exist; a run cannot back it up`,
      },
    ]);
  });

  it("warns about a local destination whose folder is missing (an unmounted drive)", async () => {
    const warnings = await runPreflight(
      config({ destination: "/media/usb/restic" }),
      fakeIO({ files: { ...healthy, "/media": DIR } }),
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "DESTINATION_PARENT_MISSING",
        path: "backupjobs[0].destination",
        fix: "mount the drive it is on, or create the folder: mkdir -p /media/usb",
      }),
    ]);
  });

  it("accepts a destination that is not there yet when its folder is: the first backup creates it", async () => {
    expect(await runPreflight(config({ destination: "local:repo" }), fakeIO({ files: healthy }))).toEqual([]);
  });

  it("warns about a destination that is a file", async () => {
    const warnings = await runPreflight(
      config({ destination: "repo" }),
      fakeIO({ files: { ...healthy, [`${base}/repo`]: FILE } }),
    );
    expect(warnings.map((warning) => warning.code)).toEqual(["DESTINATION_NOT_A_FOLDER"]);
  });

  it.each(["sftp:ada@nas:/srv/restic", "rest:https://backup.example/ada", "s3:s3.amazonaws.com/bucket"])(
    "leaves the remote destination %j to the run",
    async (destination) => {
      expect(await runPreflight(config({ destination }), fakeIO({ files: healthy }))).toEqual([]);
    },
  );

  it("warns once, for the whole config, when restic is not found", async () => {
    const onPath = await runPreflight(config(), fakeIO({ files: healthy, restic: false }));
    expect(onPath).toEqual([
      expect.objectContaining({
        code: "RESTIC_NOT_FOUND",
        path: "",
        message: "restic was not found on PATH",
      }),
    ]);
    expect(onPath[0]).not.toHaveProperty("job");
    const configured = await runPreflight(
      config({}, { restic_binary: "./bin/restic" }),
      fakeIO({ files: healthy, restic: false }),
    );
    expect(configured[0]).toMatchObject({
      path: "restic_binary",
      message: `restic was not found at ${base}/bin/restic`,
    });
  });

  it("refuses skip_if_unchanged on a restic older than 0.17, at the job's key, saying what to do", async () => {
    const warnings = await runPreflight(
      config({ skip_if_unchanged: true }),
      fakeIO({ files: healthy, resticVersion: RESTIC_014 }),
    );
    expect(warnings).toEqual([
      {
        code: "RESTIC_TOO_OLD",
        job: "Docs",
        path: "backupjobs[0].skip_if_unchanged",
        message:
          "needs restic 0.17.0 or later (backup --skip-if-unchanged); /usr/bin/restic is restic 0.14.0",
        fix: "upgrade restic to 0.17.0 or later, or remove skip_if_unchanged from the config",
        blocking: true,
      },
    ]);
    const unreadable = await runPreflight(
      config({ skip_if_unchanged: true }),
      fakeIO({ files: healthy, resticVersion: "unreadable" }),
    );
    expect(unreadable[0]?.message).toContain("/usr/bin/restic did not tell its version");
  });

  it("names the top-level skip_if_unchanged once, with the jobs it turns on; a job's false stays out", async () => {
    const resolved = resolveConfig(
      {
        skip_if_unchanged: true,
        backupjobs: [
          { ...job, jobname: "A" },
          { ...job, jobname: "B", skip_if_unchanged: false },
          { ...job, jobname: "C" },
        ],
      },
      { baseDir: base },
    );
    const warnings = await runPreflight(resolved, fakeIO({ files: healthy, resticVersion: RESTIC_014 }));
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "RESTIC_TOO_OLD",
        path: "skip_if_unchanged",
        message: expect.stringMatching(/; the top-level skip_if_unchanged sets it for the jobs "A", "C"$/),
        blocking: true,
      }),
    ]);
    expect(warnings[0]).not.toHaveProperty("job");
  });

  it("accepts skip_if_unchanged on restic 0.17, and asks no version when no job needs one", async () => {
    expect(
      await runPreflight(
        config({ skip_if_unchanged: true }),
        fakeIO({ files: healthy, resticVersion: RESTIC_017 }),
      ),
    ).toEqual([]);
    // fakeIO throws when asked for a version it was not given.
    expect(await runPreflight(config({ skip_if_unchanged: false }), fakeIO({ files: healthy }))).toEqual([]);
  });

  it("lists warnings job by job, in file order", async () => {
    const resolved = resolveConfig(
      {
        backupjobs: [
          { ...job, jobname: "A", sources: ["/gone"] },
          { ...job, jobname: "B", password: undefined, password_env: "B_PW" },
        ],
      },
      { baseDir: base },
    );
    const warnings = await runPreflight(resolved, fakeIO({ files: healthy, restic: false }));
    expect(warnings.map((warning) => [warning.job, warning.path])).toEqual([
      ["A", "backupjobs[0].sources"],
      ["B", "backupjobs[1].password_env"],
      [undefined, ""],
    ]);
  });
});

describe("firstWord", () => {
  it.each([
    ["pass show x", "pass"],
    ["  /usr/bin/secret-tool lookup a b", "/usr/bin/secret-tool"],
    ['"/opt/my tools/pw" --get', "/opt/my tools/pw"],
    ["'/opt/my tools/pw'", "/opt/my tools/pw"],
    ["/opt/my\\ tools/pw --get", "/opt/my tools/pw"],
    ["", undefined],
  ])("reads the program of %j as %j", (command, program) => {
    expect(firstWord(command)).toBe(program);
  });
});

describe("localRepositoryPath", () => {
  it.each([
    ["/srv/restic", "/srv/restic"],
    ["local:/srv/restic", "/srv/restic"],
    ["C:\\Backups\\repo", "C:\\Backups\\repo"],
    ["sftp:nas:/srv", undefined],
    ["rclone:remote:bucket", undefined],
  ])("reads %j as %j", (repository, local) => {
    expect(localRepositoryPath(repository)).toBe(local);
  });
});
