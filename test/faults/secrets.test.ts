import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, simplebackupAsync, tempDir, write } from "../e2e/cli.js";
import { DaemonProcess } from "../e2e/daemon-process.js";
import { MariaDbServer } from "../e2e/servers/mariadb-server.js";
import { PostgresServer } from "../e2e/servers/postgres-server.js";
import { argvLeaks } from "../support/process-argv.js";
import { filesUnder, restic } from "./helpers.js";

/**
 * Fault 9: secrets. The repository passwords and a backend secret (in the job's `env`) must never
 * appear in any process's argv, the daemon's output, run logs, history, state, `--json` events or a
 * notification payload.
 */
const PASSWORD = "pw-inline-7f3c9a1e";
const FILE_PASSWORD = "pw-file-b81d44c2";
const BACKEND_SECRET = "backend-secret-0c9e77aa";
const OTHER_PASSWORD = "pw-other-93b1d0f5";
const WRONG_PASSWORD = "pw-wrong-4e6a2c88";
const SECRETS = [PASSWORD, FILE_PASSWORD, BACKEND_SECRET, OTHER_PASSWORD, WRONG_PASSWORD];
const temp = tempDir();
const root = temp.path;
const stateDir = join(root, "state");
const notified = join(root, "notified.jsonl");
let daemon: DaemonProcess | undefined;

function config() {
  return write(join(root, "config.json"), {
    notifications: [
      {
        type: "command",
        command: "/bin/sh",
        args: ["-c", `cat >> ${notified}; echo >> ${notified}`],
        on: ["failure", "success"],
      },
    ],
    backupjobs: [
      {
        jobname: "inline",
        sources: ["./data"],
        destination: "./repo-inline",
        password: PASSWORD,
        env: { AWS_SECRET_ACCESS_KEY: BACKEND_SECRET, B2_ACCOUNT_KEY: BACKEND_SECRET },
        backup_interval: "*/2 * * * * *",
        retention: { last: 5 },
      },
      {
        jobname: "fromfile",
        sources: ["./data"],
        destination: "./repo-file",
        password_file: "./password.txt",
        backup_interval: "*/2 * * * * *",
      },
      {
        // A failure notification too: its error text must not carry the password it tried.
        jobname: "wrongpw",
        sources: ["./data"],
        destination: "./repo-other",
        password: WRONG_PASSWORD,
        env: { AWS_SECRET_ACCESS_KEY: BACKEND_SECRET },
        backup_interval: "0 3 * * *",
      },
    ],
  });
}

beforeAll(() => {
  write(join(root, "data/a.txt"), "alpha");
  write(join(root, "data/b.txt"), "beta");
  write(join(root, "password.txt"), `${FILE_PASSWORD}\n`);
  expect(restic(join(root, "repo-other"), OTHER_PASSWORD, ["init"]).status).toBe(0);
});

afterAll(async () => {
  await daemon?.stop("SIGKILL");
  temp.dispose();
});

function leaksIn(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

describe("secrets never leak", () => {
  it("keeps passwords and backend secrets out of argv, logs, history, state, events and notifications", async () => {
    const file = config();
    const watched = await argvLeaks(SECRETS, async () => {
      const started = new DaemonProcess(["--config", file, "--backup-on-start"], {
        SIMPLEBACKUP_STATE_DIR: stateDir,
      });
      daemon = started;
      await started.waitForLine(/\[wrongpw\] FAILED.*WRONG_PASSWORD/, 60_000);
      // Two successes of each job: the repositories are created, then used.
      for (const job of ["inline", "fromfile"]) {
        const first = started.lines.length;
        await started.waitForLine(new RegExp(`\\[${job}\\] success: snapshot`), 60_000);
        await started.waitForLine(
          new RegExp(`\\[${job}\\] success: snapshot`),
          60_000,
          Math.max(first, started.lines.findIndex((l) => l.includes(`[${job}] success`)) + 1),
        );
      }
      expect((await started.stop()).code).toBe(0);

      const json = simplebackup(["backup", "--config", file, "--json"], {
        env: { SIMPLEBACKUP_STATE_DIR: stateDir },
      });
      // The wrongpw job fails, so the run as a whole exits 1.
      expect(json.status, json.stdout + json.stderr).toBe(1);
      const events = json.stdout
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { type: string; job: string });
      expect(events.filter((e) => e.type === "success").map((e) => e.job)).toEqual(["inline", "fromfile"]);
      expect(events.some((e) => e.type === "failure" && e.job === "wrongpw")).toBe(true);
      expect(leaksIn(json.stdout + json.stderr)).toEqual([]);
      return started;
    });

    expect(watched.leaks).toEqual([]);
    expect(watched.programs.has("restic")).toBe(true);
    expect(leaksIn(watched.result.lines.join("\n") + watched.result.stderr)).toEqual([]);

    const stateFiles = filesUnder(stateDir);
    const logs = stateFiles.filter((f) => f.includes(`${join(stateDir, "logs")}/`));
    expect(logs.length).toBeGreaterThan(0);
    expect(stateFiles.some((f) => f.startsWith(join(stateDir, "history")) && f.endsWith(".jsonl"))).toBe(
      true,
    );
    expect(stateFiles.some((f) => f.endsWith("state.json"))).toBe(true);
    for (const f of stateFiles) {
      expect(leaksIn(readFileSync(f, "utf8")), f).toEqual([]);
    }

    const payloads = readFileSync(notified, "utf8");
    const kinds = payloads
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
    expect(kinds.length).toBeGreaterThan(1);
    expect(new Set(kinds).size, kinds.join(",")).toBeGreaterThan(1);
    expect(leaksIn(payloads)).toEqual([]);

    // The secrets were real: the repositories open with them.
    expect(restic(join(root, "repo-inline"), PASSWORD, ["cat", "config", "--no-lock"]).status).toBe(0);
    expect(restic(join(root, "repo-file"), FILE_PASSWORD, ["cat", "config", "--no-lock"]).status).toBe(0);
  }, 180_000);
});

describe("database passwords never leak", () => {
  const PG_PASSWORD = "pg-secret-5a0e3d71";
  const MARIA_PASSWORD = "maria-secret-c4b29f06";
  const WRONG_DB_PASSWORD = "db-wrong-8d17e2b3";
  const DB_SECRETS = [PG_PASSWORD, MARIA_PASSWORD, WRONG_DB_PASSWORD, PASSWORD];
  const postgres = new PostgresServer(join(root, "pg"), "admin", PG_PASSWORD);
  const mariadb = new MariaDbServer(join(root, "maria"), "admin", MARIA_PASSWORD);

  afterAll(async () => {
    await Promise.allSettled([postgres.stop(), mariadb.stop()]);
  });

  it("keeps them out of the dump tools' argv, the output, logs, history and notifications, and removes the option file", async () => {
    await Promise.all([postgres.start(), mariadb.start()]);
    await postgres.createDatabase("app");
    await postgres.psql("CREATE TABLE t (a int); INSERT INTO t VALUES (1);", { database: "app" });
    await mariadb.createDatabase("crm");
    await mariadb.sql("CREATE TABLE c (a INT); INSERT INTO c VALUES (1);", { database: "crm" });
    const dbState = join(root, "db-state");
    const dbNotified = join(root, "db-notified.jsonl");
    const server = { host: "127.0.0.1", username: "admin" };
    const file = write(join(root, "db-config.json"), {
      notifications: [
        {
          type: "command",
          command: "/bin/sh",
          args: ["-c", `cat >> ${dbNotified}; echo >> ${dbNotified}`],
          on: ["partial", "failure", "success"],
        },
      ],
      backupjobs: [
        {
          jobname: "dbs",
          destination: "./repo-dbs",
          password: PASSWORD,
          backup_interval: "0 3 * * *",
          databases: [
            {
              type: "postgresql",
              name: "app",
              ...server,
              port: postgres.port,
              password_env: "APP_PG_PASSWORD",
            },
            { type: "mariadb", name: "crm", ...server, port: mariadb.port, password: MARIA_PASSWORD },
            // Refused: its failure is reported without the password it tried.
            {
              type: "postgresql",
              name: "postgres",
              ...server,
              port: postgres.port,
              password: WRONG_DB_PASSWORD,
            },
          ],
        },
      ],
    });
    const tmp = join(root, "tmp");
    write(join(tmp, ".keep"), "");
    // Not spawnSync: the argv watch must run while the backup does.
    const backupEnv = { SIMPLEBACKUP_STATE_DIR: dbState, APP_PG_PASSWORD: PG_PASSWORD, TMPDIR: tmp };
    const watched = await argvLeaks(
      DB_SECRETS,
      () => simplebackupAsync(["backup", "--config", file, "--json"], backupEnv).done,
    );
    const json = watched.result;
    const events = json.stdout
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; failedDatabases?: { code: string }[] });
    const partial = events.find((event) => event.type === "partial");
    expect(partial?.failedDatabases, json.stdout + json.stderr).toEqual([
      expect.objectContaining({ code: "DATABASE_AUTH_FAILED" }),
    ]);
    // restic 0.17+ runs the dump tool itself; older restic has us run it: either way it ran, and was watched.
    expect(watched.programs.has("restic")).toBe(true);
    expect(watched.leaks).toEqual([]);
    expect(DB_SECRETS.filter((secret) => (json.stdout + json.stderr).includes(secret))).toEqual([]);
    for (const f of filesUnder(dbState)) {
      expect(
        DB_SECRETS.filter((secret) => readFileSync(f, "utf8").includes(secret)),
        f,
      ).toEqual([]);
    }
    const payloads = readFileSync(dbNotified, "utf8");
    expect(payloads).toContain("DATABASE_AUTH_FAILED");
    expect(DB_SECRETS.filter((secret) => payloads.includes(secret))).toEqual([]);
    // The MariaDB option file (0600, holding the password) is gone with its folder.
    expect(readdirSync(tmp).filter((name) => name.startsWith("simplebackup-db-"))).toEqual([]);
  }, 180_000);
});
