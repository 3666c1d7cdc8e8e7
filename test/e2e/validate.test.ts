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
    expect(result.stderr).toContain("Unknown command");
  });

  it("prints help and version", () => {
    expect(simplebackup(["--help"]).stdout).toContain("backup");
    expect(simplebackup(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
