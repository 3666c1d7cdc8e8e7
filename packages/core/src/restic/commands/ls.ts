// `restic ls`: a snapshot of the job and every file in it, as the restore drill picks files from it.
import * as z from "zod";
import { parseJsonObject } from "../../json-object.js";

/**
 * `restic ls --json` of one snapshot: a snapshot line, then one line per node. By id, not `latest`: the
 * job's latest snapshot may be a database dump, and the drill wants its newest snapshot of files.
 * With `folder`, only that folder's own node and its direct children (0.14 and 0.18 alike, measured;
 * restic matches the path literally, `*` and `[` included), or that file's node alone.
 */
export function buildLsArgs(snapshotId: string, folder?: string): string[] {
  return folder === undefined ? ["ls", "--json", snapshotId] : ["ls", "--json", snapshotId, folder];
}

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
  tags: z.array(z.string()).nullish(),
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
      readonly tags: readonly string[];
    }
  | { readonly kind: "node"; readonly node: SnapshotNode };

/**
 * One line of `ls --json`. 0.14 names the kind in `struct_type`; 0.17+ also in `message_type`.
 * Returns undefined for anything else (blank lines, text), never throws.
 */
export function parseLsLine(line: string): LsLine | undefined {
  const json = parseJsonObject(line.trim());
  if (!json) return undefined;
  const kind = json.message_type ?? json.struct_type;
  if (kind === "snapshot") {
    const parsed = lsSnapshotSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const { id, short_id, time, tree, paths, tags } = parsed.data;
    return {
      kind,
      id,
      shortId: short_id ?? id.slice(0, 8),
      time,
      tree,
      paths: paths ?? [],
      tags: tags ?? [],
    };
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
