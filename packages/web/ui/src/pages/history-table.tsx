import { useState } from "preact/hooks";
import { getJson, jobPath } from "../api";
import { ErrorNote } from "../components/error-note";
import { ResultText } from "../components/status-text";
import { formatBytes, formatHumanDuration, formatLocalTime } from "../format";
import { useLiveEvents, useResource } from "../hooks";
import { href } from "../router";
import type { RunHistoryRecord } from "../types";

const PAGE_SIZE = 50;
const RUN_ENDS = new Set(["success", "partial", "failure", "skipped"]);

function stat(record: RunHistoryRecord, name: string): number | undefined {
  return record.stats?.[name];
}

/**
 * A job's runs, newest first, a page at a time (`before` is the oldest start shown). The first page
 * is asked for again when a run of the job ends, so its row appears without a reload.
 */
export function HistoryTable({ job }: { readonly job: string }) {
  const first = useResource(
    () => getJson<{ runs: RunHistoryRecord[] }>(jobPath(job, `/history?limit=${PAGE_SIZE}`)),
    job,
  );
  const [older, setOlder] = useState<RunHistoryRecord[]>([]);
  const [olderError, setOlderError] = useState<Error | undefined>(undefined);
  const [exhausted, setExhausted] = useState(false);
  useLiveEvents((event) => {
    if (event.job === job && RUN_ENDS.has(event.type)) first.reload();
  });
  if (first.error && !first.data) return <ErrorNote error={first.error} what="the history" />;
  if (!first.data) return <p aria-busy="true">Loading the history…</p>;
  const runs = [...first.data.runs, ...older];
  const loadOlder = () => {
    const oldest = runs[runs.length - 1];
    if (!oldest) return;
    const before = encodeURIComponent(oldest.startedAt);
    getJson<{ runs: RunHistoryRecord[] }>(jobPath(job, `/history?limit=${PAGE_SIZE}&before=${before}`)).then(
      (page) => {
        setOlder((old) => [...old, ...page.runs]);
        setExhausted(page.runs.length < PAGE_SIZE);
      },
      (error: Error) => setOlderError(error),
    );
  };
  if (runs.length === 0) return <p>No runs yet.</p>;
  return (
    <>
      <table class="history">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Result</th>
            <th scope="col">Duration</th>
            <th scope="col">Files new / changed</th>
            <th scope="col">Data added</th>
            <th scope="col">Snapshot</th>
            <th scope="col">Log</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <HistoryRow key={run.runId} job={job} run={run} />
          ))}
        </tbody>
      </table>
      {olderError ? <ErrorNote error={olderError} what="older runs" /> : null}
      {!exhausted && first.data.runs.length === PAGE_SIZE ? (
        <button type="button" onClick={loadOlder}>
          Older runs
        </button>
      ) : null}
    </>
  );
}

function HistoryRow({ job, run }: { readonly job: string; readonly run: RunHistoryRecord }) {
  const added = stat(run, "dataAdded");
  const filesNew = stat(run, "filesNew");
  const filesChanged = stat(run, "filesChanged");
  return (
    <tr data-run={run.runId}>
      <td>{formatLocalTime(run.startedAt)}</td>
      <td>
        <ResultText status={run.status} />
        {run.errorCode ? <div class="muted">{run.errorCode}</div> : null}
        {run.errorMessage ? <div class="message">{run.errorMessage}</div> : null}
      </td>
      <td>{formatHumanDuration(run.durationMs)}</td>
      <td>{filesNew === undefined ? "–" : `${filesNew} / ${filesChanged ?? 0}`}</td>
      <td>{added === undefined ? "–" : formatBytes(added)}</td>
      <td>
        {run.snapshotId ? <code>{run.snapshotId.slice(0, 8)}</code> : run.unchanged ? "unchanged" : "–"}
      </td>
      <td>
        <a
          href={href.log(job, run.runId)}
          aria-label={`log of the run started ${formatLocalTime(run.startedAt)}`}
        >
          log
        </a>
      </td>
    </tr>
  );
}
