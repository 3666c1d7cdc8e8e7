// `restic dump`: one file of a snapshot as its bytes, or a folder as a tar or zip archive.

/** How `restic dump` packs a folder. Both are written to a pipe on 0.14 and 0.18 (zip needs no seeking). */
export type DumpArchiveFormat = "tar" | "zip";

/**
 * `restic dump <id> <path>`, by id (one the job owns, resolved first: with an id restic ignores
 * `--tag`). A file's bytes come out as they are and `archive` is ignored; a folder comes out as an
 * archive whose entries carry their absolute paths without the leading `/` (`tmp/src/a.txt`).
 */
export function buildDumpArgs(
  snapshotId: string,
  path: string,
  options: { readonly archive?: DumpArchiveFormat } = {},
): string[] {
  return ["dump", ...(options.archive === undefined ? [] : ["--archive", options.archive]), snapshotId, path];
}
