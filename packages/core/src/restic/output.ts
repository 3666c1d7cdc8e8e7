import * as z from "zod";
import type { ResticMessage } from "./types.js";

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

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  // Cheap pre-check so plain-text lines (prune's report, warnings) skip JSON.parse entirely.
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
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

/** A snapshot as `forget --json` lists it. */
export interface SnapshotRef {
  readonly id?: string;
  readonly short_id?: string;
  readonly time: string;
  readonly paths: readonly string[];
  readonly tags?: readonly string[];
}

/** One group `forget` applied the policy to. */
export interface ForgetGroup {
  readonly tags: readonly string[] | null;
  readonly host: string;
  /** Empty when the group key leaves out `paths`. */
  readonly paths: readonly string[];
  readonly keep: readonly SnapshotRef[];
  readonly remove: readonly SnapshotRef[];
  /** Why each kept snapshot was kept, e.g. `["last snapshot", "daily snapshot"]`. */
  readonly reasons: readonly { readonly id?: string; readonly matches: readonly string[] }[];
}

const snapshotRefSchema = z.object({
  id: z.string().optional(),
  short_id: z.string().optional(),
  time: z.string(),
  tree: z.string().optional(),
  paths: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
});

// restic prints `null` for every empty list here (remove, and keep when the policy keeps nothing).
const forgetGroupSchema = z.object({
  tags: z.array(z.string()).nullish(),
  host: z.string().nullish(),
  paths: z.array(z.string()).nullish(),
  keep: z.array(snapshotRefSchema).nullish(),
  remove: z.array(snapshotRefSchema).nullish(),
  reasons: z
    .array(
      z.object({
        snapshot: snapshotRefSchema.optional(),
        matches: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

/**
 * Parses `forget --json` stdout. With `--prune` the JSON array is the first line and prune's plain-text
 * report follows, so only the first line is read. Empty output (no policy given) means no groups.
 * @throws Error when the first line is not a forget report.
 */
export function parseForgetOutput(stdout: string): ForgetGroup[] {
  const firstLine = stdout.trimStart().split("\n", 1)[0] ?? "";
  if (firstLine.trim() === "") return [];
  const groups = parseJsonWith(z.array(forgetGroupSchema), firstLine, "forget --json");

  return groups.map((group) => {
    const keep = (group.keep ?? []).map(toSnapshotRef);
    const keptRaw = group.keep ?? [];
    return {
      tags: group.tags ?? null,
      host: group.host ?? "",
      paths: group.paths ?? [],
      keep,
      remove: (group.remove ?? []).map(toSnapshotRef),
      reasons: (group.reasons ?? []).map((reason) => {
        // 0.18 repeats the kept snapshot with its id; 0.14 without, so find it among the kept ones.
        const id =
          reason.snapshot?.id ??
          keptRaw.find((s) => s.time === reason.snapshot?.time && s.tree === reason.snapshot?.tree)?.id;
        return { ...(id === undefined ? {} : { id }), matches: reason.matches ?? [] };
      }),
    };
  });
}

function toSnapshotRef(snapshot: z.infer<typeof snapshotRefSchema>): SnapshotRef {
  return {
    ...(snapshot.id === undefined ? {} : { id: snapshot.id }),
    ...(snapshot.short_id === undefined ? {} : { short_id: snapshot.short_id }),
    time: snapshot.time,
    paths: snapshot.paths ?? [],
    ...(snapshot.tags ? { tags: snapshot.tags } : {}),
  };
}

/** One entry of `snapshots --json`. */
export interface SnapshotInfo {
  /** Full 64-hex id. */
  readonly id: string;
  readonly short_id: string;
  /** RFC 3339 with nanoseconds, as restic prints it. */
  readonly time: string;
  readonly parent?: string;
  readonly tree: string;
  readonly paths: readonly string[];
  readonly hostname: string;
  readonly username: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly excludes?: readonly string[];
  readonly tags?: readonly string[];
  /** 0.16+. */
  readonly program_version?: string;
  /** 0.17+: the backup summary stored in the snapshot. */
  readonly summary?: Readonly<Record<string, unknown>>;
}

const snapshotSchema = z.object({
  id: z.string(),
  short_id: z.string().optional(),
  time: z.string(),
  parent: z.string().optional(),
  tree: z.string(),
  paths: z.array(z.string()).nullish(),
  hostname: z.string(),
  username: z.string(),
  uid: z.number().optional(),
  gid: z.number().optional(),
  excludes: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  program_version: z.string().optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Parses `snapshots --json` stdout (an array; `[]` when nothing matches).
 * @throws Error when the output is not a snapshot list.
 */
export function parseSnapshots(stdout: string): SnapshotInfo[] {
  if (stdout.trim() === "") return [];
  const snapshots = parseJsonWith(z.array(snapshotSchema), stdout.trim(), "snapshots --json");
  return snapshots.map(({ short_id, paths, excludes, tags, ...rest }) => ({
    ...rest,
    short_id: short_id ?? rest.id.slice(0, 8),
    paths: paths ?? [],
    ...(excludes ? { excludes } : {}),
    ...(tags ? { tags } : {}),
  }));
}

function parseJsonWith<T>(schema: z.ZodType<T>, text: string, command: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`restic ${command} printed something that is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `restic ${command} printed JSON of an unexpected shape: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

export interface ResticVersion {
  /** As restic names it, e.g. `0.14.0` or `0.18.0-dev`. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Whether `version` is `wanted` (`"0.17.0"`) or newer. An unknown version counts as old: a feature
 * of newer restic is used only when the binary is known to have it.
 */
export function versionAtLeast(version: ResticVersion | undefined, wanted: string): boolean {
  if (!version) return false;
  const [major = 0, minor = 0, patch = 0] = wanted.split(".").map(Number);
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

/**
 * Reads `restic version` output: the text line of 0.14 (`restic 0.14.0 compiled with go1.19.8 on
 * linux/amd64`, also printed for `--json`) or the `{"message_type":"version",…}` object of 0.17+.
 */
export function parseResticVersion(stdout: string): ResticVersion | undefined {
  for (const line of stdout.split("\n")) {
    const json = parseJsonObject(line.trim());
    const candidate =
      json?.message_type === "version" && typeof json.version === "string"
        ? json.version
        : /^restic\s+(\S+)/.exec(line.trim())?.[1];
    const match = candidate && /^v?(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.+-]*)?/.exec(candidate);
    if (match) {
      return {
        version: match[0].replace(/^v/, ""),
        major: Number(match[1]),
        minor: Number(match[2]),
        patch: Number(match[3]),
      };
    }
  }
  return undefined;
}
