import * as z from "zod";
import { jsonObject, stripAnsi, textLines } from "./output-lines.js";

/** One entry of `ls --json`: a file, folder, symlink, … of the snapshot. */
export interface SnapshotNode {
  readonly type: string;
  /** Absolute path inside the snapshot, as restic recorded the source (`/home/me/a.txt`). */
  readonly path: string;
  /** 0 for an empty file and for folders. */
  readonly size: number;
  /** RFC 3339 with nanoseconds, as restic prints it. */
  readonly mtime: string | undefined;
}

const lsSnapshotSchema = z.object({
  id: z.string(),
  short_id: z.string().optional(),
  time: z.string(),
  tree: z.string(),
  paths: z.array(z.string()).nullish(),
});

const lsNodeSchema = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().optional(),
  mtime: z.string().optional(),
});

export type LsLine =
  | {
      readonly kind: "snapshot";
      readonly id: string;
      readonly shortId: string;
      readonly time: string;
      readonly tree: string;
      readonly paths: readonly string[];
    }
  | { readonly kind: "node"; readonly node: SnapshotNode };

/**
 * One line of `ls --json`. 0.14 names the kind in `struct_type`; 0.17+ also in `message_type`.
 * Returns undefined for anything else (blank lines, text), never throws.
 */
export function parseLsLine(line: string): LsLine | undefined {
  const json = jsonObject(line.trim());
  if (!json) return undefined;
  const kind = json.message_type ?? json.struct_type;
  if (kind === "snapshot") {
    const parsed = lsSnapshotSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const { id, short_id, time, tree, paths } = parsed.data;
    return { kind, id, shortId: short_id ?? id.slice(0, 8), time, tree, paths: paths ?? [] };
  }
  if (kind === "node") {
    const parsed = lsNodeSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const { type, path, size, mtime } = parsed.data;
    return { kind, node: { type, path, size: size ?? 0, mtime } };
  }
  return undefined;
}

/**
 * Nanoseconds since the epoch of an RFC 3339 time with up to nine fraction digits, as restic prints
 * node times (`2026-11-25T11:38:20.538458189Z`, `…+01:00`). JavaScript dates stop at milliseconds,
 * which would call a file unchanged that changed within the same millisecond.
 */
export function parseTimeNanos(text: string): bigint | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = BigInt((match[2] ?? "").padEnd(9, "0"));
  return BigInt(seconds) * 1_000_000n + fraction;
}

/** A file restic could not restore, from 0.14's `ignoring error for <path>: <cause>` or 0.16+ JSON. */
export interface RestoreFileError {
  readonly path: string;
  readonly message: string;
}

/** Restore progress and totals as 0.16+ prints them with `--json`; 0.14 prints none. */
export interface RestoreStatus {
  readonly kind: "status" | "summary";
  readonly percentDone: number | undefined;
  readonly secondsElapsed: number | undefined;
  /** Files and folders (restic counts both: 12 for 6 files in 6 folders, measured on 0.18). */
  readonly totalFiles: number | undefined;
  /** Files and folders written so far; with --include also the folders above what was included. */
  readonly filesRestored: number | undefined;
  readonly filesSkipped: number | undefined;
  readonly totalBytes: number | undefined;
  readonly bytesRestored: number | undefined;
  readonly bytesSkipped: number | undefined;
}

export type RestoreLine =
  | { readonly kind: "progress"; readonly status: RestoreStatus }
  | { readonly kind: "file-error"; readonly error: RestoreFileError }
  | { readonly kind: "text"; readonly text: string };

const optionalCount = z.number().optional();
const restoreStatusSchema = z.object({
  message_type: z.enum(["status", "summary"]),
  percent_done: optionalCount,
  seconds_elapsed: optionalCount,
  total_files: optionalCount,
  files_restored: optionalCount,
  files_skipped: optionalCount,
  total_bytes: optionalCount,
  bytes_restored: optionalCount,
  bytes_skipped: optionalCount,
});

/**
 * One line `restic restore` printed (stdout or stderr). Returns undefined for a blank line or a
 * restic JSON message that is neither progress nor a file error; never throws.
 */
export function parseRestoreLine(line: string): RestoreLine | undefined {
  const text = stripAnsi(line).trimEnd();
  if (text.trim() === "") return undefined;
  const json = jsonObject(text);
  if (!json) {
    const ignored = /^ignoring error for (.+?): (.+)$/.exec(text);
    if (ignored?.[1] && ignored[2])
      return { kind: "file-error", error: { path: ignored[1], message: ignored[2] } };
    return { kind: "text", text };
  }
  if (json.message_type === "error") {
    const error = json.error as { message?: unknown } | undefined;
    const message = typeof error?.message === "string" ? error.message : "could not be restored";
    const path = typeof json.item === "string" ? json.item : "";
    return { kind: "file-error", error: { path, message } };
  }
  const parsed = restoreStatusSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  return {
    kind: "progress",
    status: {
      kind: s.message_type,
      percentDone: s.percent_done,
      secondsElapsed: s.seconds_elapsed,
      totalFiles: s.total_files,
      filesRestored: s.files_restored,
      filesSkipped: s.files_skipped,
      totalBytes: s.total_bytes,
      bytesRestored: s.bytes_restored,
      bytesSkipped: s.bytes_skipped,
    },
  };
}

/** The lock ids `list locks` printed, one 64-hex id per line. */
export function parseLockIds(stdout: string): string[] {
  return textLines(stdout)
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-f]{64}$/.test(line));
}

/** A lock file's content, as `cat lock` prints it. */
export interface LockInfo {
  readonly time: string;
  readonly exclusive: boolean;
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
}

const lockSchema = z.object({
  time: z.string(),
  exclusive: z.boolean().optional(),
  hostname: z.string(),
  username: z.string().optional(),
  pid: z.number(),
});

/** Parses `cat lock` output (pretty-printed JSON); undefined when it is not a lock. */
export function parseLockInfo(stdout: string): LockInfo | undefined {
  try {
    const parsed = lockSchema.safeParse(JSON.parse(stdout));
    if (!parsed.success) return undefined;
    const { exclusive, username, ...rest } = parsed.data;
    return { ...rest, exclusive: exclusive ?? false, username: username ?? "" };
  } catch {
    return undefined;
  }
}
