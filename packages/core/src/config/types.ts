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

export interface BackupJob {
  readonly name: string;
  /** Absolute paths, in the order the user wrote them. */
  readonly sources: readonly string[];
  /** A restic repository: an absolute local path or a backend URL (`sftp:…`, `rest:…`, `s3:…`). */
  readonly repository: string;
  readonly password: PasswordSource;
  /** Cron expression, 5 fields or 6 with seconds. */
  readonly schedule: string;
  readonly excludes: readonly string[];
  /** Undefined when the job has no retention keys: keep everything, never call forget. */
  readonly retention: RetentionPolicy | undefined;
  /** Extra environment for restic (backend credentials). */
  readonly env: Readonly<Record<string, string>>;
  /** User tags, added to the job's own `simplebackup:<name>` tag. */
  readonly tags: readonly string[];
}

export interface ResolvedConfig {
  /** Absolute path of the file this came from, when it came from a file. */
  readonly file: string | undefined;
  readonly resticBinary: string | undefined;
  readonly stateDir: string | undefined;
  readonly jobs: readonly BackupJob[];
}
