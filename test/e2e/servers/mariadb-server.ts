import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export interface MariaDbQueryOptions {
  /** The default database of the session; none when left out. */
  database?: string;
}

/**
 * A private MariaDB server for one test file: its own data in `<folder>/data`, listening on 127.0.0.1 at a
 * free port and on `<folder>/mysqld.sock`, logging to `<folder>/mariadbd.log`, with real grant tables: the
 * account `user` (all privileges, from 127.0.0.1 and over the socket) logs in with `password`, and a wrong
 * one is refused. MariaDB's own root can log in only over the socket, as the OS user who started it.
 */
export class MariaDbServer {
  readonly host = "127.0.0.1";
  port = 0;
  readonly dataDir: string;
  readonly socketPath: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;

  constructor(
    readonly folder: string,
    readonly user = "admin",
    readonly password = "maria-pass-9b47c0",
  ) {
    this.dataDir = join(folder, "data");
    this.socketPath = join(folder, "mysqld.sock");
    this.logPath = join(folder, "mariadbd.log");
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Creates the data folder and the account on first use, then starts the server and waits until it is ready. */
  async start(): Promise<void> {
    if (this.pid !== undefined) return;
    mkdirSync(this.folder, { recursive: true });
    if (!existsSync(join(this.dataDir, "mysql"))) await this.installDb();
    this.port = await launchAtFreePort({
      port: this.port,
      launch: (port) => {
        this.port = port;
        return this.launch();
      },
      portTaken: /Address already in use|Bind on TCP\/IP port/,
      what: `mariadbd did not start in ${this.folder}`,
      logPath: this.logPath,
    });
  }

  /**
   * mariadb-install-db runs the server in bootstrap mode, where grant tables are off; the extra SQL file
   * turns them on (FLUSH PRIVILEGES) and creates the account, so no second login as root is needed. The
   * file holds the password, so it is 0600 and removed afterwards.
   */
  private async installDb(): Promise<void> {
    const accountFile = join(this.folder, "create-account.sql");
    const password = quoteString(this.password);
    const grants = ["127.0.0.1", "localhost"].map((host) => {
      const account = `${quoteString(this.user)}@${quoteString(host)}`;
      return `CREATE USER ${account} IDENTIFIED BY ${password};\nGRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION;`;
    });
    writeFileSync(accountFile, ["FLUSH PRIVILEGES;", ...grants, ""].join("\n"), { mode: 0o600 });
    try {
      await runCommand(
        "mariadb-install-db",
        [
          "--no-defaults",
          `--datadir=${this.dataDir}`,
          "--auth-root-authentication-method=socket",
          "--skip-test-db",
          "--skip-name-resolve",
          `--extra-file=${accountFile}`,
          ...asRoot(),
          // Passed on to mariadbd: a small redo log instead of the default 96 MB makes the folder 22 MB.
          ...["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M", "--skip-log-bin"],
        ],
        { env: envWithout(["MYSQL", "MARIADB"]), cwd: this.folder },
      );
    } catch (error) {
      if (error instanceof DatabaseServerError && error.code === "NOT_INSTALLED") throw error;
      throw new DatabaseServerError(
        "START_FAILED",
        `mariadb-install-db failed in ${this.folder}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      rmSync(accountFile, { force: true });
    }
  }

  private async launch(): Promise<void> {
    const log = openLog(this.logPath);
    const fromOffset = statSync(this.logPath).size;
    const [file, args] = diesWithParent(
      existsSync("/usr/sbin/mariadbd") ? "/usr/sbin/mariadbd" : "mariadbd",
      [
        "--no-defaults",
        `--datadir=${this.dataDir}`,
        `--socket=${this.socketPath}`,
        `--port=${this.port}`,
        `--bind-address=${this.host}`,
        `--pid-file=${join(this.folder, "mariadbd.pid")}`,
        "--skip-name-resolve",
        "--lc-messages=en_US",
        "--max-connections=50",
        ...asRoot(),
        // No fsync: a machine crash may lose a test's data, which is fine. Each commit still reaches the
        // redo log file (flush-log-at-trx-commit=2, not 0), so kill() (SIGKILL) loses nothing committed.
        ...["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M", "--skip-log-bin"],
        ...["--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--innodb-flush-method=nosync"],
        ...["--innodb-buffer-pool-load-at-startup=0", "--innodb-buffer-pool-dump-at-shutdown=0"],
        // io_uring needs locked memory that containers often lack; the tests need no native AIO.
        "--innodb-use-native-aio=0",
      ],
      "SIGKILL",
    );
    const child = spawn(file, args, {
      cwd: this.folder,
      env: envWithout(["MYSQL", "MARIADB"]),
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    child.once("error", () => {}); // a binary that cannot be spawned exits too, which waitForLogLine reports
    this.child = child;
    try {
      await waitForLogLine(child, this.logPath, fromOffset, /ready for connections/, 30_000);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** Runs SQL through the mariadb client over TCP with the password; returns its output (tab-separated, no header). */
  async sql(sql: string, options: MariaDbQueryOptions = {}): Promise<string> {
    return (await this.client(sql, options, "--batch")).replace(/\n$/, "");
  }

  /** The environment for a MariaDB client run by a test: the password, and no stray MYSQL_* settings. */
  clientEnv(): NodeJS.ProcessEnv {
    return envWithout(["MYSQL", "MARIADB"], { MYSQL_PWD: this.password });
  }

  async createDatabase(name: string): Promise<void> {
    await this.sql(`CREATE DATABASE ${quoteIdentifier(name)};`);
  }

  /**
   * The md5 of each base table's rows, keyed by table name: each row's columns are quoted and joined, the
   * rows' md5s sorted and hashed again, so equal maps mean equal contents whatever the rows' order and
   * whatever the tables' storage (CHECKSUM TABLE would depend on the row format).
   */
  async tableChecksums(database: string): Promise<Record<string, string>> {
    const listed = await this.json(
      `SELECT JSON_ARRAYAGG(JSON_ARRAY(c.TABLE_NAME, c.COLUMN_NAME) ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION)
         FROM information_schema.COLUMNS c
         JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
        WHERE c.TABLE_SCHEMA = ${quoteString(database)} AND t.TABLE_TYPE = 'BASE TABLE';`,
      database,
    );
    const columns = new Map<string, string[]>();
    for (const [table, column] of (listed ?? []) as [string, string][]) {
      columns.set(table, [...(columns.get(table) ?? []), column]);
    }
    if (columns.size === 0) return {};
    const parts = [...columns].map(([table, names]) => {
      const row = names.map((name) => `QUOTE(CAST(${quoteIdentifier(name)} AS BINARY))`).join(", ");
      return `SELECT ${quoteString(table)} AS name, COALESCE(MD5(GROUP_CONCAT(h ORDER BY h SEPARATOR '')), MD5('')) AS sum
                FROM (SELECT MD5(CONCAT_WS(',', ${row})) AS h FROM ${quoteIdentifier(table)}) AS hashes`;
    });
    const sums = (await this.json(
      `SELECT JSON_OBJECTAGG(name, sum) FROM (${parts.join("\nUNION ALL\n")}) AS sums;`,
      database,
    )) as Record<string, string>;
    return Object.fromEntries(Object.entries(sums).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Stops the server by its process id (SIGTERM: a clean shutdown) and waits until the pid is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child, "SIGTERM", 30_000);
  }

  /** Kills the server at once (SIGKILL: connections drop mid-query), for tests of a server lost during a dump. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child, "SIGKILL", 10_000);
  }

  /** One JSON value from a query, read raw (batch mode would escape its backslashes). Long GROUP_CONCATs fit. */
  private async json(query: string, database: string): Promise<unknown> {
    const out = await this.client(
      `SET SESSION group_concat_max_len = 1073741824;\n${query}`,
      { database },
      "--raw",
    );
    const value = out.trim();
    return value === "NULL" || value === "" ? null : JSON.parse(value);
  }

  private client(sql: string, options: MariaDbQueryOptions, mode: "--batch" | "--raw"): Promise<string> {
    return runCommand(
      "mariadb",
      [
        "--no-defaults",
        "--protocol=TCP",
        `--host=${this.host}`,
        `--port=${this.port}`,
        `--user=${this.user}`,
        "--batch",
        "--skip-column-names",
        ...(mode === "--raw" ? ["--raw"] : []),
        "--connect-timeout=10",
        ...(options.database ? [`--database=${options.database}`] : []),
      ],
      { env: this.clientEnv(), input: sql },
    );
  }
}

/** mariadbd refuses to run as root unless told to; under root (CI) it is told. */
function asRoot(): string[] {
  return process.getuid?.() === 0 ? ["--user=root"] : [];
}

function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

function quoteString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
