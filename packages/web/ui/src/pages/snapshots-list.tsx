import { ApiError, getJson, jobPath } from "../api";
import { ErrorNote } from "../components/error-note";
import { formatBytes, formatLocalTime } from "../format";
import { useLiveEvents, useResource } from "../hooks";
import { href } from "../router";
import type { SnapshotRow } from "../types";

const NEW_SNAPSHOT = new Set(["success", "partial"]);

/**
 * The job's snapshots, newest first, as restic lists them (one `restic snapshots` per load, so it is
 * asked for on opening the page and after a run that made one, not on every event).
 */
export function SnapshotsList({ job }: { readonly job: string }) {
  const list = useResource(
    () => getJson<{ snapshots: SnapshotRow[] }>(jobPath(job, "/snapshots")),
    `snapshots\n${job}`,
  );
  useLiveEvents((event) => {
    if (event.job === job && NEW_SNAPSHOT.has(event.type)) list.reload();
  });
  if (list.error instanceof ApiError && list.error.code === "REPO_NOT_FOUND") {
    return <p>No snapshots: the repository does not exist yet (the first run creates it).</p>;
  }
  if (list.error) return <ErrorNote error={list.error} what="the snapshots" />;
  if (!list.data) return <p aria-busy="true">Listing the snapshots…</p>;
  const snapshots = [...list.data.snapshots].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  if (snapshots.length === 0) return <p>No snapshots yet.</p>;
  return (
    <table class="snapshots">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Snapshot</th>
          <th scope="col">Paths</th>
          <th scope="col">Size</th>
          <th scope="col">Files</th>
        </tr>
      </thead>
      <tbody>
        {snapshots.map((snapshot) => (
          <tr key={snapshot.id} data-snapshot={snapshot.shortId}>
            <td>{formatLocalTime(snapshot.time)}</td>
            <td>
              <a href={href.snapshot(job, snapshot.id)} aria-label={`browse snapshot ${snapshot.shortId}`}>
                <code>{snapshot.shortId}</code>
              </a>
              {snapshot.database ? (
                <div class="muted">
                  {snapshot.database.type} database {snapshot.database.name} (restore with restore-db)
                </div>
              ) : null}
            </td>
            <td>{snapshot.paths.join(", ")}</td>
            <td>{snapshot.size === null ? "–" : formatBytes(snapshot.size)}</td>
            <td>{snapshot.files ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
