/**
 * The normalized model the rest of core works on. The zod schema (schema.ts) describes the file as a
 * user writes it; load.ts turns that into these types, with every path made absolute.
 */

/** Where restic gets the repository password. Exactly one per job. */
export type PasswordSource =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "command"; readonly command: string }
  | { readonly kind: "env"; readonly variable: string };

/** restic `forget` keep rules; absent keys keep nothing by that rule. */
export interface RetentionPolicy {
  readonly last?: number;
  readonly hours?: number;
  readonly days?: number;
  readonly weeks?: number;
  readonly months?: number;
  readonly years?: number;
  /** A restic duration such as `2y5m7d3h`: keep everything newer than that. */
  readonly within?: string;
}

/** How a failed run is tried again. Only transient failures are retried. */
export interface RetryPolicy {
  /** Total attempts per scheduled run, the first included; 1 means never retry. */
  readonly attempts: number;
  /** Wait before attempt 2, 3, …; the last value repeats when attempts outnumber it. */
  readonly delaysMs: readonly number[];
}

/** A notifier as written in the config; the notifier package checks its options. */
export interface NotifierEntry {
  readonly type?: string;
  readonly module?: string;
  readonly on?: readonly string[];
  readonly [option: string]: unknown;
}

/** Shell commands run around a backup. */
export interface JobHooks {
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly onSuccess: string | undefined;
  readonly onFailure: string | undefined;
  readonly timeoutMs: number;
}

/**
 * A second repository that receives a copy of every snapshot of the job (`copy_to`): `restic copy`
 * after each complete backup, and again as soon as an unreachable target is back.
 */
export interface CopyTarget {
  /** Unique within the job; names the target in events, status and notifications. */
  readonly name: string;
  /** A restic repository: an absolute local path or a backend URL, never the job's own. */
  readonly repository: string;
  readonly password: PasswordSource;
  /** Extra environment for restic's access to the target (its backend credentials). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Retention on the target, scoped to the job; the job's own policy unless the target has one.
   * Undefined keeps every snapshot on the target (the job keeps all, or the target wrote `retention: {}`).
   */
  readonly retention: RetentionPolicy | undefined;
  /** Alert when the target's copy has lagged behind the job's last snapshot for this long. */
  readonly alertAfterMs: number | undefined;
}

/**
 * What must hold for a run to start (`when`). A run whose conditions do not hold is skipped with the
 * reason and stays owed: it runs once as soon as they hold. Each key unset is no condition.
 */
export interface RunConditions {
  /** Only on mains power (a machine without a battery always is). */
  readonly onAcPower: boolean;
  /** Absolute paths that must all exist: a removable drive holding the repository or a source. */
  readonly pathExists: readonly string[];
  /** A remote repository's host must accept a TCP connection before restic starts; never true for a local one. */
  readonly reachable: boolean;
  /** A shell command that must exit 0. */
  readonly command: string | undefined;
}

export type DatabaseType = "postgresql" | "mariadb" | "mysql" | "sqlite";

/** Where a database password comes from; a database on a local socket or a SQLite file may need none. */
export type DatabasePassword =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "env"; readonly variable: string };

/**
 * A database a job dumps (`databases`): with its server's own tool, streamed into restic as a snapshot
 * of its own, tagged `simplebackup-db:<type>:<name>`.
 */
export interface DatabaseSpec {
  readonly type: DatabaseType;
  /** The database's name; `all` for every database of the server. For SQLite, the file's name by default. */
  readonly name: string;
  readonly host?: string;
  readonly port?: number;
  /** PostgreSQL: the socket's folder; MariaDB/MySQL: the socket file. Absolute. */
  readonly socket?: string;
  readonly username?: string;
  readonly password: DatabasePassword | undefined;
  /** Extra flags for the dump tool. */
  readonly options: readonly string[];
  /** SQLite only: the database file, absolute. */
  readonly path?: string;
}

export interface BackupJob {
  readonly name: string;
  /** Absolute paths, in the order the user wrote them; empty for a job of databases only. */
  readonly sources: readonly string[];
  /** Databases dumped after the files, each into a snapshot of its own; empty for none. */
  readonly databases: readonly DatabaseSpec[];
  /** A restic repository: an absolute local path or a backend URL (`sftp:…`, `rest:…`, `s3:…`). */
  readonly repository: string;
  readonly password: PasswordSource;
  /** Cron expression, 5 fields or 6 with seconds. */
  readonly schedule: string;
  readonly excludes: readonly string[];
  /** restic 0.17+ `backup --skip-if-unchanged`: no new snapshot when nothing changed since the last. */
  readonly skipIfUnchanged: boolean;
  /** Undefined when the job has no retention keys: keep everything, never call forget. */
  readonly retention: RetentionPolicy | undefined;
  /** Extra environment for restic (backend credentials). */
  readonly env: Readonly<Record<string, string>>;
  /** User tags, added to the job's own `simplebackup:<name>` tag. */
  readonly tags: readonly string[];
  /** IANA zone for the schedule; undefined means the machine's local time. */
  readonly timezone: string | undefined;
  /** Run once at start (or wake-up) when a slot passed while the daemon was not running. */
  readonly catchUp: boolean;
  /** Upper bound of a delay added to every slot; the delay itself is stable per job. */
  readonly jitterMs: number;
  readonly backupOnStart: boolean;
  /** Back up a source folder that is empty although the job's last snapshot held files under it. */
  readonly allowEmptySources: boolean;
  readonly retry: RetryPolicy;
  /** A lock older than this is treated as stale and removed with `restic unlock`. */
  readonly staleLockAfterMs: number;
  /** restic is stopped, and the run fails as BACKEND_UNAVAILABLE, once it has retried a request this long. */
  readonly backendUnreachableAfterMs: number;
  /** Alert when the job has not succeeded for this long. */
  readonly alertAfterMs: number | undefined;
  /** Notifiers for this job only, added to the top-level ones. */
  readonly notifications: readonly NotifierEntry[];
  readonly hooks: JobHooks | undefined;
  /** Scheduled `restic check`, reading one rotating group of the data each time. */
  readonly check: { readonly schedule: string; readonly readDataGroups: number } | undefined;
  /** Scheduled restore drill. */
  readonly drill: { readonly schedule: string; readonly files: number } | undefined;
  /** Secondary repositories that get a copy of every snapshot of the job; empty for none. */
  readonly copyTo: readonly CopyTarget[];
  /** What must hold for a run to start (the top-level `when` merged under the job's); undefined for nothing. */
  readonly when: RunConditions | undefined;
}

/** The `ui` key: where the dashboard listens and who may log in (see docs/dashboard.md). */
export interface UiSettings {
  /** `host:port`. */
  readonly listen: string;
  /** Absolute paths of the PEM files. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly insecureHttp: boolean;
  /** Host names the dashboard answers to besides 127.0.0.1 and localhost. */
  readonly hosts: readonly string[];
  readonly users: readonly { readonly name: string; readonly passwordHash: string }[];
}

export interface ResolvedConfig {
  /** Absolute path of the file this came from, when it came from a file. */
  readonly file: string | undefined;
  readonly resticBinary: string | undefined;
  readonly stateDir: string | undefined;
  /** Jobs on different repositories that may run at once. */
  readonly maxConcurrent: number;
  /** Per-run log files kept per job. */
  readonly keepLogs: number;
  /** The folder relative paths were resolved against (the config file's folder). */
  readonly baseDir: string;
  readonly notifications: readonly NotifierEntry[];
  /** Absolute path of a Prometheus textfile to write after every run. */
  readonly metricsFile: string | undefined;
  /** The top-level `skip_if_unchanged`: the default of every job's. */
  readonly skipIfUnchanged: boolean;
  readonly jobs: readonly BackupJob[];
  /** The dashboard, when the config asks for it. */
  readonly ui?: UiSettings;
}
