// The message stream restic prints with `--json` (backup's progress and summary, the errors and
// `exit_error` of every command): typed messages, and the parser that reads one line into them.
// Unknown lines are kept as `unknown`, never dropped.
import * as z from "zod";
import { parseJsonObject } from "../json-object.js";

export interface ResticStatusMessage {
  readonly message_type: "status";
  readonly seconds_elapsed?: number;
  readonly seconds_remaining?: number;
  readonly percent_done: number;
  readonly total_files?: number;
  readonly files_done?: number;
  readonly total_bytes?: number;
  readonly bytes_done?: number;
  readonly error_count?: number;
  readonly current_files?: readonly string[];
}

export interface ResticSummaryMessage {
  readonly message_type: "summary";
  readonly files_new: number;
  readonly files_changed: number;
  readonly files_unmodified: number;
  readonly dirs_new: number;
  readonly dirs_changed: number;
  readonly dirs_unmodified: number;
  readonly data_blobs: number;
  readonly tree_blobs: number;
  readonly data_added: number;
  readonly data_added_packed?: number;
  readonly total_files_processed: number;
  readonly total_bytes_processed: number;
  readonly total_duration: number;
  /** 8 hex chars on 0.14, 64 on 0.15+; absent on 0.17+ when `--skip-if-unchanged` skipped it. */
  readonly snapshot_id?: string;
  readonly dry_run?: boolean;
  readonly backup_start?: string;
  readonly backup_end?: string;
}

/** A file restic could not read. `message` is derived: 0.14 prints `{}` or `{Op,Path,Err}`, 0.17.1+ `{message}`. */
export interface ResticErrorMessage {
  readonly message_type: "error";
  readonly message: string;
  readonly during?: string;
  readonly item?: string;
}

/** 0.18+: a fatal error as JSON on stderr. */
export interface ResticExitErrorMessage {
  readonly message_type: "exit_error";
  readonly code: number;
  readonly message: string;
}

export interface ResticVerboseStatusMessage {
  readonly message_type: "verbose_status";
  readonly action: string;
  readonly item?: string;
}

export interface ResticUnknownMessage {
  readonly message_type: "unknown";
  /** The raw line, as restic printed it. */
  readonly line: string;
}

export type ResticMessage =
  | ResticStatusMessage
  | ResticSummaryMessage
  | ResticErrorMessage
  | ResticExitErrorMessage
  | ResticVerboseStatusMessage
  | ResticUnknownMessage;

// Lines are validated, not trusted: a field with an unexpected type turns the line into `unknown`
// instead of leaking a wrong type into progress maths.
const count = z.number();
const statusSchema = z.object({
  message_type: z.literal("status"),
  seconds_elapsed: count.optional(),
  seconds_remaining: count.optional(),
  percent_done: z.number(),
  total_files: count.optional(),
  files_done: count.optional(),
  total_bytes: count.optional(),
  bytes_done: count.optional(),
  error_count: count.optional(),
  current_files: z.array(z.string()).optional(),
});

const summarySchema = z.object({
  message_type: z.literal("summary"),
  files_new: count,
  files_changed: count,
  files_unmodified: count,
  dirs_new: count,
  dirs_changed: count,
  dirs_unmodified: count,
  data_blobs: count,
  tree_blobs: count,
  data_added: count,
  data_added_packed: count.optional(),
  total_files_processed: count,
  total_bytes_processed: count,
  total_duration: z.number(),
  snapshot_id: z.string().optional(),
  dry_run: z.boolean().optional(),
  backup_start: z.string().optional(),
  backup_end: z.string().optional(),
});

const errorSchema = z.object({
  message_type: z.literal("error"),
  // A raw Go error value on 0.14 (`{}` or `{Op,Path,Err}`), `{message}` on 0.17.1+.
  error: z.unknown(),
  during: z.string().optional(),
  item: z.string().optional(),
});

const exitErrorSchema = z.object({
  message_type: z.literal("exit_error"),
  code: z.number(),
  message: z.string(),
});

const verboseStatusSchema = z.object({
  message_type: z.literal("verbose_status"),
  action: z.string(),
  item: z.string().optional(),
});

const messageSchema = z.discriminatedUnion("message_type", [
  statusSchema,
  summarySchema,
  errorSchema,
  exitErrorSchema,
  verboseStatusSchema,
]);

/**
 * Parses one line restic printed with `--json` (stdout or stderr). Returns undefined for a blank line
 * and `{message_type:"unknown", line}` for anything it does not recognise; never throws.
 */
export function parseResticLine(line: string): ResticMessage | undefined {
  const text = line.replace(/[\r\n]+$/, "");
  if (text.trim() === "") return undefined;
  const unknown = { message_type: "unknown", line: text } as const;

  const json = parseJsonObject(text);
  if (!json) return unknown;
  // 0.14 prints the scan-finished record as a `status` carrying an `action`; 0.16+ as verbose_status.
  const candidate =
    json.message_type === "status" && typeof json.action === "string"
      ? { ...json, message_type: "verbose_status" }
      : json;
  const parsed = messageSchema.safeParse(candidate);
  if (!parsed.success) return unknown;

  const message = parsed.data;
  if (message.message_type === "summary") return withSkippedTimes(message);
  if (message.message_type !== "error") return message;
  return {
    message_type: "error",
    message: describeResticError(message.error),
    ...(message.during === undefined ? {} : { during: message.during }),
    ...(message.item === undefined ? {} : { item: message.item }),
  };
}

/**
 * 0.18's summary of a backup `--skip-if-unchanged` skipped has Go's zero time as `backup_end` and a
 * `total_duration` of about -9.2e9 seconds (measured); neither is a time, so they are left out and 0.
 */
function withSkippedTimes(summary: z.infer<typeof summarySchema>): ResticMessage {
  if (summary.total_duration >= 0 && !summary.backup_end?.startsWith("0001-01-01")) return summary;
  const { backup_end: _zeroTime, ...rest } = summary;
  return { ...rest, total_duration: Math.max(0, summary.total_duration) };
}

// Unix errno values restic's Go errors carry as bare numbers; these agree on Linux, macOS and the BSDs.
const ERRNO_TEXT: Readonly<Record<number, string>> = {
  1: "operation not permitted",
  2: "no such file or directory",
  4: "interrupted system call",
  5: "input/output error",
  9: "bad file descriptor",
  12: "cannot allocate memory",
  13: "permission denied",
  16: "device or resource busy",
  20: "not a directory",
  21: "is a directory",
  22: "invalid argument",
  24: "too many open files",
  28: "no space left on device",
  30: "read-only file system",
};

/** The text a Go error would print, rebuilt from whatever restic serialised. */
function describeResticError(error: unknown, depth = 0): string {
  const fallback = "could not read";
  if (typeof error === "string") return error || fallback;
  if (typeof error === "number") return ERRNO_TEXT[error] ?? `errno ${error}`;
  if (typeof error !== "object" || error === null || depth > 3) return fallback;

  const fields = error as Record<string, unknown>;
  if (typeof fields.message === "string" && fields.message) return fields.message;
  const cause = "Err" in fields ? describeResticError(fields.Err, depth + 1) : undefined;
  // *fs.PathError prints as `open /x: permission denied`, *os.SyscallError as `getxattr: …`.
  const op = typeof fields.Op === "string" ? fields.Op : undefined;
  const path = typeof fields.Path === "string" ? fields.Path : undefined;
  const syscall = typeof fields.Syscall === "string" ? fields.Syscall : undefined;
  const prefix = [op, path].filter(Boolean).join(" ") || syscall;
  if (prefix && cause) return `${prefix}: ${cause}`;
  return cause ?? prefix ?? fallback;
}
