/** Every failure a caller can act on has a stable code. */
export type SimplebackupErrorCode =
  | "CONFIG_NOT_FOUND"
  | "CONFIG_INVALID"
  | "RESTIC_NOT_FOUND"
  | "RESTIC_VERSION_UNSUPPORTED"
  | "REPO_NOT_FOUND"
  | "WRONG_PASSWORD"
  | "PASSWORD_UNAVAILABLE"
  | "REPO_LOCKED"
  | "DESTINATION_FULL"
  | "SOURCE_MISSING"
  | "SOURCE_EMPTY"
  | "RETENTION_UNSAFE"
  | "BACKEND_UNAVAILABLE"
  | "INTERRUPTED"
  | "JOB_NOT_FOUND"
  | "HOOK_FAILED"
  | "CHECK_FAILED"
  | "DRILL_FAILED"
  | "FILE_EXISTS"
  | "TARGET_NOT_EMPTY"
  | "TARGET_IN_PLACE"
  | "TARGET_UNWRITABLE"
  | "RESTORE_INCOMPLETE"
  | "SNAPSHOT_NOT_FOUND"
  | "SNAPSHOT_PATH_NOT_FOUND"
  | "STATE_LOCKED"
  | "STATE_UNWRITABLE"
  | "HISTORY_QUERY_INVALID"
  | "REPOSITORY_BUSY"
  | "DATABASE_TOOL_MISSING"
  | "DATABASE_NOT_FOUND"
  | "DATABASE_AUTH_FAILED"
  | "DATABASE_UNREACHABLE"
  | "DATABASE_DUMP_FAILED"
  | "DATABASE_LOAD_FAILED"
  | "DATABASE_NOT_CONFIGURED"
  | "DATABASE_LOGIN_UNSUPPORTED"
  | "RESTIC_FAILED";

/**
 * An error with a stable `code` a caller can act on, the original error kept as `cause`: the base of
 * each package's own typed errors (core's {@link SimplebackupError}, the dashboard's), each with its
 * own union of codes, so `instanceof` on one never takes in another's.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class SimplebackupError extends CodedError<SimplebackupErrorCode> {
  override name = "SimplebackupError";
}

/** One problem in a config file, named by its place (`backupjobs[1] ("Photos").backup_interval`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends SimplebackupError {
  override name = "ConfigError";
  readonly file: string | undefined;
  readonly problems: readonly ConfigProblem[];

  constructor(
    code: "CONFIG_INVALID" | "CONFIG_NOT_FOUND",
    file: string | undefined,
    problems: readonly ConfigProblem[],
  ) {
    const where = file ? `${file}: ` : "";
    const lines = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    super(code, `${where}${lines.join("\n")}`);
    this.file = file;
    this.problems = problems;
  }
}

export type ResticErrorCode = Extract<
  SimplebackupErrorCode,
  | "REPO_NOT_FOUND"
  | "WRONG_PASSWORD"
  | "PASSWORD_UNAVAILABLE"
  | "REPO_LOCKED"
  | "DESTINATION_FULL"
  | "SOURCE_MISSING"
  | "BACKEND_UNAVAILABLE"
  | "INTERRUPTED"
  | "RESTIC_FAILED"
>;

/** A restic process that failed. Carries what is needed to act on it, never a secret. */
export class ResticError extends SimplebackupError {
  override name = "ResticError";
  declare readonly code: ResticErrorCode;
  /** The restic subcommand and its flags (argv holds no secrets by construction). */
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
  /** The last lines restic wrote to stderr. */
  readonly stderrTail: string;

  constructor(
    code: ResticErrorCode,
    message: string,
    details: {
      command: readonly string[];
      exitCode: number | undefined;
      stderrTail: string;
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: details.cause });
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stderrTail = details.stderrTail;
  }
}

export function isSimplebackupError(error: unknown): error is SimplebackupError {
  return error instanceof SimplebackupError;
}

/**
 * Any thrown value as a SimplebackupError: a typed one as it is, anything else (a bug, a surprise from
 * Node) as RESTIC_FAILED with the original kept as `cause`, so a crash is reported with a code and can
 * still be traced.
 */
export function asSimplebackupError(error: unknown): SimplebackupError {
  if (error instanceof SimplebackupError) return error;
  return new SimplebackupError("RESTIC_FAILED", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
