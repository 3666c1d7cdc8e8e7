import type { SimplebackupErrorCode } from "@simplebackup/core";

interface Reason {
  /** Short words for the title and the start of the body. */
  readonly words: string;
  /** What a person can do about it. */
  readonly hint: string | undefined;
}

/**
 * Words per error code. Keyed by string rather than typed exhaustively: core grows codes (restore,
 * hooks) faster than messages need them, and a code without words still reads fine (see reasonFor).
 */
const REASONS: Readonly<Record<string, Reason>> = {
  CONFIG_NOT_FOUND: { words: "Config not found", hint: "Create the config file or pass --config." },
  CONFIG_INVALID: { words: "Config invalid", hint: "Run `simplebackup validate` to see every problem." },
  RESTIC_NOT_FOUND: { words: "restic not found", hint: "Install restic or set restic_binary." },
  RESTIC_VERSION_UNSUPPORTED: { words: "restic too old", hint: "Update restic." },
  REPO_NOT_FOUND: {
    words: "Repository not found",
    hint: "Check the destination; is the drive mounted or the server path right?",
  },
  WRONG_PASSWORD: { words: "Wrong repository password", hint: "Check the job's password setting." },
  PASSWORD_UNAVAILABLE: {
    words: "Password unavailable",
    hint: "Check the password file, command or environment variable.",
  },
  REPO_LOCKED: {
    words: "Repository locked",
    hint: "Another restic is using it; if none is, run `restic unlock`.",
  },
  DESTINATION_FULL: {
    words: "Destination full",
    hint: "Free space at the destination, or keep fewer snapshots (retention).",
  },
  SOURCE_MISSING: { words: "Source missing", hint: "Check that the job's sources exist and are mounted." },
  SOURCE_EMPTY: {
    words: "Source empty",
    hint: "Mount the drive the source lives on, or set allow_empty_sources: true if it is meant to be empty.",
  },
  BACKEND_UNAVAILABLE: {
    words: "Destination unreachable",
    hint: "Check the network and the backup server.",
  },
  INTERRUPTED: { words: "Interrupted", hint: undefined },
  JOB_NOT_FOUND: { words: "Job not found", hint: undefined },
  HOOK_FAILED: { words: "Hook failed", hint: "See the run log for the hook's output." },
  CHECK_FAILED: {
    words: "Repository check failed",
    hint: "restic check found a problem: see the run log before trusting this repository.",
  },
  DRILL_FAILED: {
    words: "Restore drill failed",
    hint: "A test restore did not give the files back: see the run log.",
  },
  SNAPSHOT_NOT_FOUND: {
    words: "Snapshot not found",
    hint: "`simplebackup snapshots` lists the job's snapshots.",
  },
  FILE_EXISTS: { words: "File exists", hint: undefined },
  TARGET_NOT_EMPTY: { words: "Target folder not empty", hint: undefined },
  TARGET_IN_PLACE: { words: "Target is the original place", hint: undefined },
  STATE_LOCKED: { words: "State folder locked", hint: "Another simplebackup daemon is running." },
  STATE_UNWRITABLE: { words: "State folder not writable", hint: "Check the state folder's permissions." },
  RESTIC_FAILED: { words: "restic failed", hint: "See the run log for restic's output." },
  DATABASE_TOOL_MISSING: { words: "Database dump tool missing", hint: undefined },
  DATABASE_AUTH_FAILED: {
    words: "Database login refused",
    hint: "Check the database's username and password; it is not retried, so the account is not locked.",
  },
  DATABASE_NOT_FOUND: {
    words: "Database not found",
    hint: "Check the database's name, or remove it from the job.",
  },
  DATABASE_UNREACHABLE: { words: "Database server unreachable", hint: "Is the database server running?" },
  DATABASE_DUMP_FAILED: {
    words: "Database dump failed",
    hint: "See the run log for the dump tool's output.",
  },
};

export function reasonFor(code: SimplebackupErrorCode): Reason {
  // DESTINATION_FULL → "Destination full", for a code that has no words of its own yet.
  const words = code.charAt(0) + code.slice(1).toLowerCase().replaceAll("_", " ");
  return REASONS[code] ?? { words, hint: undefined };
}

/**
 * "Destination full: /mnt/backup has no space left": the words for the code, then core's message,
 * without saying the words twice when the message starts with them already.
 */
export function describeReason(code: SimplebackupErrorCode, message: string): string {
  const { words } = reasonFor(code);
  const text = message.trim();
  if (text === "") return words;
  if (text.toLowerCase().startsWith(words.toLowerCase())) return text;
  return `${words}: ${text}`;
}

/**
 * Hints for a failed copy to a `copy_to` target, where the repository in trouble is the target: its
 * own password, space and server. The job's hints ("Check the job's password setting") would send a
 * person to the wrong entry of the config. Codes not listed here read as for a backup.
 */
const COPY_HINTS: Readonly<Record<string, (target: string) => string>> = {
  WRONG_PASSWORD: (target) =>
    `Check the password of copy_to target "${target}": it is that repository's own.`,
  PASSWORD_UNAVAILABLE: (target) =>
    `Check the password file, command or environment variable of copy_to target "${target}".`,
  DESTINATION_FULL: (target) =>
    `Free space at "${target}", or keep fewer snapshots there (the target's retention).`,
  REPO_NOT_FOUND: (target) =>
    `Check the destination of copy_to target "${target}"; is the drive mounted or the server path right?`,
  BACKEND_UNAVAILABLE: (target) => `Check the network and the server of "${target}".`,
};

export function copyHintFor(code: SimplebackupErrorCode, target: string): string | undefined {
  return COPY_HINTS[code]?.(target) ?? reasonFor(code).hint;
}
