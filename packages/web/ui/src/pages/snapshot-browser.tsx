import { useEffect, useState } from "preact/hooks";
import { getJson, jobPath } from "../api";
import { ErrorNote } from "../components/error-note";
import { formatBytes, formatLocalTime } from "../format";
import { useResource } from "../hooks";
import { href } from "../router";
import { childPath, parseResticTime, pathCrumbs, snapshotApi } from "../snapshot-paths";
import type { SnapshotEntry, SnapshotRow } from "../types";
import { RestoreForm } from "./restore-form";

type TreeEntry = Pick<SnapshotEntry, "name" | "type" | "size" | "mtime">;

/** A type in words, so the listing reads without its symbols and without colour. */
const TYPE_WORDS: Readonly<Record<SnapshotEntry["type"], string>> = {
  dir: "folder",
  file: "file",
  symlink: "symlink",
  other: "other",
};

/**
 * One snapshot of a job, one folder at a time: each folder is listed when it is opened (one
 * `restic ls` per folder, so a snapshot of a million files opens as fast as one of ten). A file
 * downloads as it is, a folder as .tar or .zip; chosen paths, from any folders, restore together.
 */
export function SnapshotBrowserPage(props: {
  readonly job: string;
  readonly id: string;
  readonly path: string;
}) {
  const { job, id, path } = props;
  // Chosen paths outlive a walk through folders, not a move to another snapshot.
  const [chosen, setChosen] = useState<readonly string[]>([]);
  useEffect(() => setChosen([]), [job, id]);
  const snapshots = useResource(
    () => getJson<{ snapshots: SnapshotRow[] }>(jobPath(job, "/snapshots")),
    `snapshots\n${job}`,
  );
  const tree = useResource(
    () => getJson<{ path: string; entries: TreeEntry[] }>(snapshotApi(job, id, "tree", { path })),
    `tree\n${job}\n${id}\n${path}`,
  );
  const snapshot = snapshots.data?.snapshots.find((row) => row.id.startsWith(id));
  const toggle = (entryPath: string, on: boolean) =>
    setChosen((now) => (on ? [...now, entryPath] : now.filter((other) => other !== entryPath)));

  return (
    <section>
      <p>
        <a href={href.job(job)}>← {job}</a>
      </p>
      <h1>
        Snapshot <code>{snapshot?.shortId ?? id.slice(0, 8)}</code>
      </h1>
      {snapshot ? (
        <p class="muted">
          {formatLocalTime(snapshot.time)} · {snapshot.hostname} · backed up:{" "}
          {snapshot.paths.map((backedUp) => (
            <a key={backedUp} href={href.snapshot(job, id, backedUp)} class="path-link">
              {backedUp}
            </a>
          ))}
        </p>
      ) : null}
      {snapshot?.database ? (
        <p class="notice-box" role="note">
          This is a dump of the {snapshot.database.type} database <code>{snapshot.database.name}</code>.
          Download the dump below, or load it back with{" "}
          <code>
            simplebackup restore-db {job} --database {snapshot.database.name} --snapshot {snapshot.shortId}
          </code>
          .
        </p>
      ) : null}
      <nav aria-label="folder" class="crumbs">
        {pathCrumbs(path).map((crumb, index, all) =>
          index === all.length - 1 ? (
            <span key={crumb.path} aria-current="page">
              {crumb.name}
            </span>
          ) : (
            <a key={crumb.path} href={href.snapshot(job, id, crumb.path)}>
              {crumb.name}
            </a>
          ),
        )}
      </nav>
      <p class="actions">
        Download this folder:{" "}
        <a href={snapshotApi(job, id, "archive", { path, format: "tar" })} download>
          .tar
        </a>{" "}
        <a href={snapshotApi(job, id, "archive", { path, format: "zip" })} download>
          .zip
        </a>
      </p>
      {tree.error ? <ErrorNote error={tree.error} what={`the folder ${path}`} /> : null}
      {!tree.data && !tree.error ? <p aria-busy="true">Listing {path}…</p> : null}
      {tree.data && tree.data.path === path ? (
        <FolderTable
          job={job}
          id={id}
          folder={path}
          entries={tree.data.entries}
          chosen={chosen}
          onToggle={toggle}
          choosable={!snapshot?.database}
        />
      ) : null}
      {snapshot?.database ? null : (
        <RestoreForm job={job} id={id} chosen={chosen} onRemove={(gone) => toggle(gone, false)} />
      )}
    </section>
  );
}

function FolderTable(props: {
  readonly job: string;
  readonly id: string;
  readonly folder: string;
  readonly entries: readonly TreeEntry[];
  readonly chosen: readonly string[];
  readonly onToggle: (path: string, on: boolean) => void;
  /** False for a database's dump, which restore-db restores, not this page. */
  readonly choosable: boolean;
}) {
  const { job, id, folder } = props;
  if (props.entries.length === 0) return <p>This folder is empty.</p>;
  return (
    <table class="tree">
      <thead>
        <tr>
          {props.choosable ? <th scope="col">Restore</th> : null}
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Size</th>
          <th scope="col">Modified</th>
          <th scope="col">Download</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((entry) => {
          const path = childPath(folder, entry.name);
          const time = parseResticTime(entry.mtime);
          return (
            <tr key={path} data-entry={entry.name}>
              {props.choosable ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`choose ${entry.name} to restore`}
                    checked={props.chosen.includes(path)}
                    onChange={(event) => props.onToggle(path, event.currentTarget.checked)}
                  />
                </td>
              ) : null}
              <td>
                {entry.type === "dir" ? <a href={href.snapshot(job, id, path)}>{entry.name}/</a> : entry.name}
              </td>
              <td>{TYPE_WORDS[entry.type]}</td>
              <td>{entry.type === "file" ? formatBytes(entry.size) : "–"}</td>
              <td>{time ? formatLocalTime(time) : "–"}</td>
              <td>
                {entry.type === "file" ? (
                  <a
                    href={snapshotApi(job, id, "file", { path })}
                    download
                    aria-label={`download ${entry.name}`}
                  >
                    file
                  </a>
                ) : entry.type === "dir" ? (
                  <>
                    <a
                      href={snapshotApi(job, id, "archive", { path, format: "tar" })}
                      download
                      aria-label={`download ${entry.name} as .tar`}
                    >
                      .tar
                    </a>{" "}
                    <a
                      href={snapshotApi(job, id, "archive", { path, format: "zip" })}
                      download
                      aria-label={`download ${entry.name} as .zip`}
                    >
                      .zip
                    </a>
                  </>
                ) : (
                  "–"
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
