import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import {
  DatabaseServerError,
  diesWithParent,
  envWithout,
  launchAtFreePort,
  openLog,
  runCommand,
  stopChild,
  waitForLogLine,
} from "./server-process.js";

export interface PostgresQueryOptions {
  /** @default "postgres" */
  database?: string;
}

/**
 * A private PostgreSQL server for one test file: its own cluster in `<folder>/data`, listening on
 * 127.0.0.1 at a free port, with its socket in `folder` and its log in `<folder>/postgres.log`. The
 * superuser `user` logs in with `password` (scram-sha-256 on every connection, so a wrong password fails).
 *
 * postgres refuses to run as root: under root (CI) initdb and the server run as the `postgres` account,
 * which then owns `folder`, and the folders above it get the execute bit for others so it can reach it.
 */
export class PostgresServer {
  readonly host = "127.0.0.1";
  port = 0;
  readonly dataDir: string;
  /** The folder of the server's unix socket (`.s.PGSQL.<port>`): `folder` itself. */
  readonly socketDir: string;
  readonly logPath: string;
  /** Where initdb, postgres, psql, pg_dump and pg_restore of the same version are. Set by start(). */
  binDir = "";
  private child: ChildProcess | undefined;

  constructor(
    readonly folder: string,
    readonly user = "admin",
    readonly password = "pg-pass-5d2e81",
  ) {
    this.dataDir = join(folder, "data");
    this.socketDir = folder;
    this.logPath = join(folder, "postgres.log");
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Creates the cluster on first use, then starts the server and waits until it accepts logins. */
  async start(): Promise<void> {
    if (this.pid !== undefined) return;
    this.binDir = postgresBinDir();
    const owner = serverAccount();
    mkdirSync(this.folder, { recursive: true });
    if (owner) {
      chownSync(this.folder, owner.uid, owner.gid);
      makeReachable(dirname(this.folder));
    }
    if (!existsSync(join(this.dataDir, "PG_VERSION"))) await this.initdb(owner);
    this.port = await launchAtFreePort({
      port: this.port,
      launch: (port) => {
        this.port = port;
        return this.launch(owner);
      },
      portTaken: /Address already in use/,
      what: `postgres did not start in ${this.folder}`,
      logPath: this.logPath,
    });
  }

  private async initdb(owner: Account | undefined): Promise<void> {
    // initdb reads the superuser's password from a file, so it never shows in a process list.
    const passwordFile = join(this.folder, "initdb-password");
    writeFileSync(passwordFile, `${this.password}\n`, { mode: 0o600 });
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    try {
      await runCommand(
        join(this.binDir, "initdb"),
        [
          `--pgdata=${this.dataDir}`,
          `--username=${this.user}`,
          `--pwfile=${passwordFile}`,
          "--auth=scram-sha-256",
          "--encoding=UTF8",
          "--no-locale",
          "--no-sync",
          "--no-instructions",
        ],
        { env: envWithout(["PG", "LC_"]), cwd: this.folder, uid: owner?.uid, gid: owner?.gid },
      );
    } catch (error) {
      if (error instanceof DatabaseServerError && error.code === "NOT_INSTALLED") throw error;
      throw new DatabaseServerError(
        "START_FAILED",
        `initdb failed in ${this.folder}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  private async launch(owner: Account | undefined): Promise<void> {
    const log = openLog(this.logPath);
    const fromOffset = statSync(this.logPath).size;
    const [file, args] = diesWithParent(
      join(this.binDir, "postgres"),
      [
        "-D",
        this.dataDir,
        "-h",
        this.host,
        "-p",
        String(this.port),
        "-k",
        this.socketDir,
        // No fsync: a machine crash may lose a test's data, which is fine. Commits still reach the WAL
        // file (synchronous_commit stays on), so kill() (immediate shutdown) loses nothing committed.
        ...["-c", "fsync=off", "-c", "full_page_writes=off"],
        ...["-c", "shared_buffers=16MB", "-c", "max_connections=30", "-c", "huge_pages=off"],
        ...["-c", "lc_messages=C", "-c", "logging_collector=off"],
      ],
      "SIGQUIT",
    );
    const child = spawn(file, args, {
      cwd: this.folder,
      env: envWithout(["PG"]),
      uid: owner?.uid,
      gid: owner?.gid,
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    child.once("error", () => {}); // a binary that cannot be spawned exits too, which waitForLogLine reports
    this.child = child;
    try {
      await waitForLogLine(
        child,
        this.logPath,
        fromOffset,
        /database system is ready to accept connections/,
        30_000,
      );
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** Runs SQL through psql over TCP with the password; returns its output (unaligned, tuples only). */
  async psql(sql: string, options: PostgresQueryOptions = {}): Promise<string> {
    const out = await runCommand(
      join(this.binDir || postgresBinDir(), "psql"),
      [
        "--no-psqlrc",
        "--quiet",
        "--no-align",
        "--tuples-only",
        "--set=ON_ERROR_STOP=1",
        `--host=${this.host}`,
        `--port=${this.port}`,
        `--username=${this.user}`,
        `--dbname=${options.database ?? "postgres"}`,
        "--file=-",
      ],
      { env: this.clientEnv(), input: sql },
    );
    return out.replace(/\n$/, "");
  }

  /** The environment for a PostgreSQL client run by a test: the password, and no stray PG* settings. */
  clientEnv(): NodeJS.ProcessEnv {
    return envWithout(["PG"], { PGPASSWORD: this.password, PGCONNECT_TIMEOUT: "10" });
  }

  async createDatabase(name: string): Promise<void> {
    await this.psql(`CREATE DATABASE ${quoteIdentifier(name)};`);
  }

  /**
   * The md5 of each user table's rows (as text, sorted), keyed by table name (`schema.table` outside
   * `public`): equal maps mean equal contents, whatever the rows' physical order.
   */
  async tableChecksums(database: string): Promise<Record<string, string>> {
    const listed = await this.psql(
      `SELECT coalesce(json_agg(json_build_array(schemaname, tablename) ORDER BY schemaname, tablename), '[]')
         FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema');`,
      { database },
    );
    const tables = JSON.parse(listed) as [string, string][];
    if (tables.length === 0) return {};
    const parts = tables.map(([schema, table]) => {
      const key = schema === "public" ? table : `${schema}.${table}`;
      const from = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
      return `SELECT ${quoteLiteral(key)} AS name, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS sum FROM ${from} t`;
    });
    const sums = await this.psql(
      `SELECT json_object_agg(name, sum ORDER BY name) FROM (${parts.join("\nUNION ALL\n")}) AS sums;`,
      { database },
    );
    return JSON.parse(sums) as Record<string, string>;
  }

  /** Fast shutdown (SIGINT: clients are disconnected, a checkpoint is written); waits until the pid is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child, "SIGINT", 30_000);
  }

  /**
   * Immediate shutdown (SIGQUIT: every backend exits at once, connections drop mid-query, no checkpoint),
   * for tests of a server that goes away during a dump. Unlike SIGKILL of the postmaster alone, it leaves
   * no backend behind. Waits until the pid is gone.
   */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child, "SIGQUIT", 10_000);
  }
}

interface Account {
  uid: number;
  gid: number;
}

/** The account the server runs as: `postgres` when we are root (postgres will not run as root), else us. */
function serverAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch (error) {
    throw new DatabaseServerError(
      "NOT_INSTALLED",
      "running as root, postgres needs the `postgres` account, which the postgresql package creates (scripts/test.sh installs it)",
      { cause: error },
    );
  }
}

/** Debian keeps the server's programs in /usr/lib/postgresql/<major>/bin, off PATH; the newest wins. */
function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return join(root, majors[0], "bin");
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    throw new DatabaseServerError(
      "NOT_INSTALLED",
      `no PostgreSQL server found (no ${root}/*/bin/initdb, no pg_config): install the postgresql package (scripts/test.sh does)`,
    );
  }
}

/** Gives others the execute bit on `folder` and each folder above it that lacks it (a mkdtemp folder is 0700). */
function makeReachable(folder: string): void {
  for (let current = folder; ; current = dirname(current)) {
    const { mode } = statSync(current);
    if ((mode & 0o001) === 0) chmodSync(current, (mode & 0o7777) | 0o001);
    if (dirname(current) === current) return;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
