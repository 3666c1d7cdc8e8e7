/** The longest path a request may name: Linux's PATH_MAX. @default 4096 */
export const SNAPSHOT_PATH_MAX = 4096;

/** A path inside a snapshot, checked: absolute, normalized, no NUL. */
export type SnapshotPathCheck =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks a path inside a snapshot as someone typed or sent it. restic names every node by its absolute
 * path (`/home/me/docs/a.txt`; on Windows `/C/Users/…`), so that is the only form taken: absolute,
 * without `.` or `..` segments or empty ones (`//`), without NUL (which no file name holds and which
 * would cut an argument short). One trailing `/` is dropped (`/home/me/` is `/home/me`). Refused
 * rather than normalized, so what is listed or downloaded is exactly what was asked for.
 */
export function checkSnapshotPath(text: string): SnapshotPathCheck {
  if (text.includes("\0")) return { ok: false, problem: "a path cannot hold a NUL character" };
  if (text.length > SNAPSHOT_PATH_MAX) {
    return { ok: false, problem: `a path is at most ${SNAPSHOT_PATH_MAX} characters` };
  }
  if (!text.startsWith("/")) {
    return { ok: false, problem: `a path inside a snapshot is absolute, such as /home/me; got "${text}"` };
  }
  if (text === "/") return { ok: true, path: "/" };
  const path = text.endsWith("/") ? text.slice(0, -1) : text;
  const segments = path.slice(1).split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    return {
      ok: false,
      problem: `a path inside a snapshot has no empty, "." or ".." parts, such as /home/me/docs; got "${text}"`,
    };
  }
  return { ok: true, path };
}

/** The folder holding `path` (`/` for a top-level name). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/** The last part of `path`: its name (`/` for the root). */
export function nameOf(path: string): string {
  return path === "/" ? "/" : path.slice(path.lastIndexOf("/") + 1);
}
