import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "./cli.js";

const temp = tempDir();
afterAll(() => temp.dispose());

const job = {
  jobname: "Docs",
  sources: ["./docs"],
  destination: "./repo",
  password: "pw",
  backup_interval: "0 2 * * *",
};

describe("simplebackup validate", () => {
  it("prints one line per job and exits 0 for a valid config", () => {
    const config = write(join(temp.path, "ok.json"), {
      backupjobs: [job, { ...job, jobname: "Photos", retention: { days: 7 } }],
    });
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `Docs: 1 source -> ${join(temp.path, "repo")}, schedule "0 2 * * *", keep everything`,
    );
    expect(result.stdout).toContain("Photos: 1 source");
    expect(result.stdout).toContain("keep 7 daily");
    expect(result.stdout).not.toContain("pw");
  });

  it("checks each notifier's options with the rest of the config", () => {
    const config = write(join(temp.path, "notifiers.json"), {
      notifications: [{ type: "desktop" }, { type: "webhook", url: "not a url" }, { type: "bogus" }],
      backupjobs: [{ ...job, notifications: [{ type: "ntfy" }] }],
    });
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/notifications\[1\]\.url: /);
    expect(result.stderr).toMatch(/notifications\[2\]\.type: /);
    expect(result.stderr).toMatch(/backupjobs\[0\] \("Docs"\)\.notifications\[0\]\.url: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("shows the notifiers in status with their secrets masked", () => {
    const config = write(join(temp.path, "status-notifiers.json"), {
      notifications: [
        {
          type: "webhook",
          url: "https://hooks.example/T0/secret-path-91",
          headers: { Authorization: "Bearer tok-3f9" },
        },
      ],
      backupjobs: [job],
    });
    const result = simplebackup(["status", "--json", "--config", config], {
      env: { SIMPLEBACKUP_STATE_DIR: join(temp.path, "status-state") },
    });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.notifiers).toHaveLength(1);
    expect(report.notifiers[0].type).toBe("webhook");
    expect(result.stdout).not.toContain("secret-path-91");
    expect(result.stdout).not.toContain("tok-3f9");
  });

  it("masks credentials in a repository URL", () => {
    const config = write(join(temp.path, "remote.json"), {
      backupjobs: [{ ...job, destination: "rest:https://ada:s3cret@backup.example/repo" }],
    });
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("rest:https://ada:***@backup.example/repo");
    expect(result.stdout).not.toContain("s3cret");
  });

  it("names every problem with its place and exits 2, without a stack trace", () => {
    const config = write(join(temp.path, "bad.json"), {
      backupjobs: [
        job,
        { ...job, jobname: "Photos", backup_interval: "61 * * * *", retention: { days: -1 } },
      ],
    });
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'backupjobs[1] ("Photos").backup_interval: "61 * * * *" is not a valid cron expression (minute 61 is out of range 0-59)',
    );
    expect(result.stderr).toContain('backupjobs[1] ("Photos").retention.days');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names line and column of broken JSON", () => {
    const config = write(
      join(temp.path, "broken.json"),
      '{\n  "backupjobs": [\n    { "jobname": "x" \n    "sources": [] }\n  ]\n}\n',
    );
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/line 4, column \d+/);
  });

  it("suggests the key that was meant", () => {
    const config = write(join(temp.path, "typo.json"), { backupjobs: [{ ...job, exclude_pattern: ["x"] }] });
    const result = simplebackup(["validate", "--config", config]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("exclude_patterns");
  });

  it("says where it looked when there is no config", () => {
    const result = simplebackup(["validate"], {
      cwd: temp.path,
      env: { HOME: temp.path, XDG_CONFIG_HOME: "" },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(join(temp.path, "backup_config.json"));
    expect(result.stderr).toContain("--config");
  });

  it("uses SIMPLEBACKUP_CONFIG when no --config is given", () => {
    const config = write(join(temp.path, "from-env.json"), { backupjobs: [job] });
    const result = simplebackup(["validate"], { env: { SIMPLEBACKUP_CONFIG: config } });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`config: ${config} (from SIMPLEBACKUP_CONFIG)`);
  });

  it("exits 2 for an unknown command", () => {
    const result = simplebackup(["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it("prints help and version", () => {
    expect(simplebackup(["--help"]).stdout).toContain("backup");
    expect(simplebackup(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("simplebackup validate: what a run needs (warnings)", () => {
  const home = join(temp.path, "preflight-home");
  mkdirSync(join(home, "Documents"), { recursive: true });
  const passFile = write(join(home, "docs.pass"), "correct horse\n");
  chmodSync(passFile, 0o600);
  const ready = { ...job, sources: [join(home, "Documents")], destination: join(home, "repo") };
  const { password: _, ...readyWithoutPassword } = ready;
  const env = { HOME: home, DOCS_PW: undefined };

  it("passes a config whose run has all it needs, even with --strict", () => {
    const config = write(join(temp.path, "preflight-ok.json"), { backupjobs: [ready] });
    const result = simplebackup(["validate", "--strict", "--config", config], { env });
    expect(result.stderr).not.toContain("warning");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("config is valid: 1 job\n");
  });

  const broken = () =>
    write(join(temp.path, "preflight-warnings.json"), {
      restic_binary: "./no-such-restic",
      backupjobs: [
        { ...readyWithoutPassword, jobname: "File", password_file: "~/missing.pass" },
        { ...readyWithoutPassword, jobname: "Env", password_env: "DOCS_PW" },
        { ...readyWithoutPassword, jobname: "Command", password_command: "no-such-password-tool show docs" },
        { ...ready, jobname: "Sources", sources: [join(home, "Documents"), "/media/unplugged/photos"] },
        { ...ready, jobname: "Drive", destination: "/media/unplugged/restic" },
      ],
    });

  it("warns, naming the job, the key and the fix, and still exits 0: the file is valid", () => {
    const result = simplebackup(["validate", "--config", broken()], { env });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("config is valid: 5 jobs, but 6 warnings");
    const lines = [
      `warning: backupjobs[0] ("File").password_file: the password file ${join(home, "missing.pass")} does not exist`,
      'warning: backupjobs[1] ("Env").password_env: the environment variable DOCS_PW is not set here',
      'warning: backupjobs[2] ("Command").password_command: password_command runs no-such-password-tool, which was not found on PATH',
      'warning: backupjobs[3] ("Sources").sources: the source /media/unplugged/photos does not exist',
      'warning: backupjobs[4] ("Drive").destination: the destination /media/unplugged/restic does not exist',
      `warning: restic_binary: restic was not found at ${join(temp.path, "no-such-restic")}`,
    ];
    for (const line of lines) expect(result.stderr).toContain(line);
    expect(result.stderr.match(/^ {2}fix: /gm)).toHaveLength(6);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with --strict when there are warnings", () => {
    const result = simplebackup(["validate", "--strict", "--config", broken()], { env });
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("(--strict: exit 2)");
  });

  it("--json prints one JSON report on stdout and nothing else", () => {
    const result = simplebackup(["validate", "--json", "--strict", "--config", broken()], {
      env: { ...env, DOCS_PW: "" },
    });
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(true);
    expect(report.jobs.map((entry: { name: string }) => entry.name)).toEqual([
      "File",
      "Env",
      "Command",
      "Sources",
      "Drive",
    ]);
    expect(report.warnings.map((warning: { code: string }) => warning.code)).toEqual([
      "PASSWORD_FILE_MISSING",
      "PASSWORD_ENV_UNSET",
      "PASSWORD_COMMAND_NOT_FOUND",
      "SOURCE_MISSING",
      "DESTINATION_PARENT_MISSING",
      "RESTIC_NOT_FOUND",
    ]);
    expect(report.warnings[1]).toEqual({
      code: "PASSWORD_ENV_UNSET",
      job: "Env",
      path: "backupjobs[1].password_env",
      message: "the environment variable DOCS_PW is empty here",
      fix: expect.stringContaining("set DOCS_PW"),
    });
    expect(result.stdout).not.toContain("correct horse");
  });

  it("--json reports an invalid config as JSON too, with exit 2", () => {
    const config = write(join(temp.path, "preflight-invalid.json"), {
      backupjobs: [{ ...ready, timezone: "America/NewYork" }],
    });
    const result = simplebackup(["validate", "--json", "--config", config], { env });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      file: config,
      problems: [
        {
          path: 'backupjobs[0] ("Docs").timezone',
          message:
            'expected an IANA time zone such as "Europe/Berlin", got "America/NewYork"; did you mean "America/New_York"?',
        },
      ],
      jobs: [],
      warnings: [],
    });
    expect(result.stderr).toContain("did you mean");
  });

  it.skipIf(process.platform === "win32")(
    "warns about a password file others can read until it is chmod 600",
    () => {
      const open = write(join(home, "open.pass"), "pw\n");
      chmodSync(open, 0o644);
      const config = write(join(temp.path, "preflight-mode.json"), {
        backupjobs: [{ ...readyWithoutPassword, password_file: open }],
      });
      const before = simplebackup(["validate", "--strict", "--config", config], { env });
      expect(before.status).toBe(2);
      expect(before.stderr).toContain(`the password file ${open} is open to other users (mode 0644)`);
      expect(before.stderr).toContain(`fix: chmod 600 ${open}`);
      chmodSync(open, 0o600);
      expect(simplebackup(["validate", "--strict", "--config", config], { env }).status).toBe(0);
    },
  );

  it.each([
    ["*/61 * * * *", 'minute step 61 in "*/61" is out of range 1-60'],
    ["0 */25 * * *", 'hour step 25 in "*/25" is out of range 1-24'],
    ["0 0 32 * *", "day 32 is out of range 1-31"],
  ])("rejects the schedule %j, never a silent top of the hour", (schedule, reason) => {
    const config = write(join(temp.path, "preflight-cron.json"), {
      backupjobs: [{ ...ready, backup_interval: schedule }],
    });
    const result = simplebackup(["validate", "--config", config], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(reason);
  });
});

describe("simplebackup init, then validate", () => {
  // What each warning's fix and the starter config's comments both say, so they cannot drift apart.
  const GUIDANCE: Record<string, (home: string) => string> = {
    PASSWORD_FILE_MISSING: () =>
      "mkdir -p ~/.config/simplebackup && (umask 077; openssl rand -base64 24 > ~/.config/simplebackup/documents.pass)",
    SOURCE_MISSING: () => "mount the drive it is on",
    RESTIC_NOT_FOUND: () => "sudo apt-get install restic",
  };

  // The starter config's password command is a POSIX shell's; on Windows the fix says it in words.
  it.skipIf(process.platform === "win32")(
    "gives out of the box only warnings whose fixes the starter config's comments already say",
    () => {
      const home = join(temp.path, "fresh-home");
      mkdirSync(home);
      const cwd = join(temp.path, "fresh");
      mkdirSync(cwd);
      // A new user's machine: an empty home, restic not installed yet.
      const env = { HOME: home, PATH: join(temp.path, "empty-path"), RESTIC_BINARY: undefined };
      expect(simplebackup(["init"], { cwd, env }).status).toBe(0);
      const starter = readFileSync(join(cwd, "backup_config.json"), "utf8");

      const result = simplebackup(["validate", "--json"], { cwd, env });
      expect(result.status).toBe(0);
      const warnings: { code: string; fix: string }[] = JSON.parse(result.stdout).warnings;
      expect(warnings.map((warning) => warning.code).sort()).toEqual(Object.keys(GUIDANCE).sort());
      for (const warning of warnings) {
        const guidance = GUIDANCE[warning.code]?.(home) ?? "";
        expect(starter).toContain(guidance);
        expect(warning.fix.replaceAll(home, "~")).toContain(guidance);
      }

      // Doing what the comments say (restic comes from this machine's install) leaves nothing to warn about.
      mkdirSync(join(home, "Documents"));
      write(join(home, ".config", "simplebackup", "documents.pass"), "generated\n");
      chmodSync(join(home, ".config", "simplebackup", "documents.pass"), 0o600);
      const after = simplebackup(["validate", "--strict"], { cwd, env: { ...env, PATH: process.env.PATH } });
      expect(after.stderr).not.toContain("warning");
      expect(after.status).toBe(0);
    },
  );
});
