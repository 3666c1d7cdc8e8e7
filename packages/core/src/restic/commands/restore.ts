// `restic restore`: its arguments (one snapshot by id, into a target, optionally only some paths) and
// the lines it prints: 0.14's text, 0.16+'s `--json` progress, and the files it could not restore.
import * as z from "zod";
import { parseJsonObject } from "../../json-object.js";
import { stripAnsi } from "../output-lines.js";

/**
 * `restic restore` arguments for one snapshot, named by its id (resolved among the job's own snapshots
 * first: with an explicit id restic ignores `--tag`, checked on 0.14). restic recreates each file's
 * absolute path under the target, so a file never lands on its original unless the target is `/`.
 * `--json` gives status and summary lines on 0.16+ and is ignored by 0.14, which prints text only.
 * `--verify` re-reads the restored files and checks them against the repository (0.14+).
 */
export function buildRestoreArgs(
  snapshotId: string,
  target: string,
  options: { readonly include?: readonly string[]; readonly verify?: boolean } = {},
): string[] {
  if (!/^[0-9a-f]{8,64}$/.test(snapshotId)) {
    throw new RangeError(`A snapshot id is 8 to 64 hex characters, got ${JSON.stringify(snapshotId)}`);
  }
  return [
    "restore",
    "--json",
    "--target",
    target,
    ...(options.include ?? []).flatMap((pattern) => ["--include", pattern]),
    ...(options.verify ? ["--verify"] : []),
    snapshotId,
  ];
}

/**
 * A restic include/exclude pattern that matches exactly this path. Patterns are Go `filepath.Match`
 * globs, so `*`, `?`, `[` and `\` in a file name are escaped (checked on 0.14 with `we*ird [1].txt`
 * and `back\slash.txt`).
 */
export function escapeRestorePattern(path: string): string {
  return path.replace(/[*?[\\]/g, "\\$&");
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
  const json = parseJsonObject(text);
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
