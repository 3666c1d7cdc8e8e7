import { jobPath } from "./api";

/*
 * Paths inside a snapshot as the API takes them: absolute, normalized, `/` the snapshot's root.
 * Names may hold anything but `/` and NUL, so they are always encoded, never pasted into a URL.
 */

/** `/home/me` + `docs` → `/home/me/docs`. */
export function childPath(folder: string, name: string): string {
  return folder === "/" ? `/${name}` : `${folder}/${name}`;
}

/** `/home/me` → [{name: "/", path: "/"}, {name: "home", path: "/home"}, {name: "me", path: "/home/me"}]. */
export function pathCrumbs(path: string): { readonly name: string; readonly path: string }[] {
  const crumbs = [{ name: "/", path: "/" }];
  let walked = "";
  for (const name of path.split("/").filter((part) => part !== "")) {
    walked += `/${name}`;
    crumbs.push({ name, path: walked });
  }
  return crumbs;
}

/** `/api/jobs/<job>/snapshots/<id>/<what>?path=…` with every part encoded. */
export function snapshotApi(
  job: string,
  id: string,
  what: "tree" | "file" | "archive" | "restore",
  query: Record<string, string> = {},
): string {
  const search = new URLSearchParams(query).toString();
  return jobPath(job, `/snapshots/${encodeURIComponent(id)}/${what}${search ? `?${search}` : ""}`);
}

/** restic's mtime carries nanoseconds; Date takes milliseconds. */
export function parseResticTime(time: string | null): string | null {
  return time === null ? null : time.replace(/(\.\d{3})\d+/, "$1");
}
