// The page is a client of the server's own contract: these are the server's types, imported for
// their shape only (erased by the build), so a field renamed there fails the UI's typecheck here.
export type { RestoreResult, RunHistoryRecord, SnapshotEntry } from "@simplebackup/core";
export type { JobView, NotifierView, UnlockView } from "../../src/views";

/**
 * A snapshot as GET /api/jobs/:job/snapshots lists it. Written out here because routes/snapshots.ts
 * keeps its view function's type to itself; exporting it from there would make this an import.
 */
export interface SnapshotRow {
  readonly id: string;
  readonly shortId: string;
  readonly time: string;
  readonly paths: readonly string[];
  readonly hostname: string;
  readonly tags: readonly string[];
  /** Set on a database's dump snapshot. */
  readonly database: { readonly type: string; readonly name: string } | null;
  readonly size: number | null;
  readonly files: number | null;
}
