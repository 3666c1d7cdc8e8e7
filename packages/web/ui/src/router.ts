import { useEffect, useState } from "preact/hooks";

/*
 * Pages live in the address's hash (#/jobs/docs), so every page is a real link that can be opened in
 * a new tab or bookmarked, and the server serves one file for all of them.
 */

export type Route =
  | { readonly page: "overview" }
  | { readonly page: "job"; readonly job: string }
  | { readonly page: "log"; readonly job: string; readonly runId: string }
  | { readonly page: "snapshot"; readonly job: string; readonly id: string; readonly path: string }
  | { readonly page: "config" }
  | { readonly page: "notifiers" }
  | { readonly page: "not-found"; readonly hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((part) => part !== "")
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  const [first, job, runs, runId] = parts;
  if (first === undefined) return { page: "overview" };
  if (first === "config" && parts.length === 1) return { page: "config" };
  if (first === "notifiers" && parts.length === 1) return { page: "notifiers" };
  if (first === "jobs" && job !== undefined && parts.length === 2) return { page: "job", job };
  if (first === "jobs" && job !== undefined && runs === "runs" && runId !== undefined && parts.length === 4) {
    return { page: "log", job, runId };
  }
  // #/jobs/<job>/snapshots/<id>[/<folder>]: the folder is one encoded part, so Back walks up folders.
  if (
    first === "jobs" &&
    job !== undefined &&
    runs === "snapshots" &&
    runId !== undefined &&
    parts.length <= 5
  ) {
    return { page: "snapshot", job, id: runId, path: parts[4] ?? "/" };
  }
  return { page: "not-found", hash };
}

export const href = {
  overview: () => "#/",
  job: (job: string) => `#/jobs/${encodeURIComponent(job)}`,
  log: (job: string, runId: string) => `#/jobs/${encodeURIComponent(job)}/runs/${encodeURIComponent(runId)}`,
  snapshot: (job: string, id: string, path = "/") =>
    `#/jobs/${encodeURIComponent(job)}/snapshots/${encodeURIComponent(id)}/${encodeURIComponent(path)}`,
  config: () => "#/config",
  notifiers: () => "#/notifiers",
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}
