import { useEffect, useState } from "preact/hooks";
import { jobPath, postJson } from "../api";
import { ConfirmButton } from "../components/confirm-button";
import { CopyLag } from "../components/copies";
import { ErrorNote } from "../components/error-note";
import { FinishedBar, ProgressBar } from "../components/progress-bar";
import { JobStateText, ResultText } from "../components/status-text";
import { formatLocalTime, relativeTime } from "../format";
import { useNow } from "../hooks";
import type { UnlockView } from "../types";
import type { JobsState } from "../use-jobs";
import { HistoryTable } from "./history-table";
import { RunPlots } from "./run-plots";
import { SnapshotsList } from "./snapshots-list";
import { UnlockOutcome, unlockSummary } from "./unlock-outcome";

/**
 * One job: its state and live progress, the actions the API offers (run now, cancel, check, drill,
 * unlock), its snapshots (browsing one comes with the snapshot browser's page) and its history with
 * each run's log.
 */
export function JobPage({ name, jobs }: { readonly name: string; readonly jobs: JobsState }) {
  const now = useNow();
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  // The last unlock's answer (its locks left, with their holders), and whether one is on its way.
  const [unlocked, setUnlocked] = useState<UnlockView | undefined>(undefined);
  const [unlocking, setUnlocking] = useState(false);
  // "Run started" is true only until the run ends; its result then speaks for itself.
  const endedRun = jobs.finished.get(name)?.runId;
  useEffect(() => {
    if (endedRun) setNotice(undefined);
  }, [endedRun]);
  if (jobs.error && !jobs.jobs) return <ErrorNote error={jobs.error} what="the jobs" />;
  if (!jobs.jobs) return <p aria-busy="true">Loading…</p>;
  const job = jobs.jobs.find((candidate) => candidate.job === name);
  if (!job) return <p role="alert">No job named “{name}” in the config.</p>;
  const finished = jobs.finished.get(name);
  const busy = job.state === "running" || job.state === "queued";

  const act = (
    what: string,
    path: string,
    said: (body: Record<string, unknown>) => string,
    settled: () => void = () => {},
  ) => {
    setActionError(undefined);
    setNotice(`${what}…`);
    postJson<Record<string, unknown>>(jobPath(name, path)).then(
      (body) => {
        const words = said(body);
        // A quick check's own event can come before this answer: what it said is not overwritten.
        setNotice((current) => (current === `${what}…` ? words : current));
        settled();
        jobs.reload();
      },
      (error: Error) => {
        setNotice(undefined);
        setActionError(error);
        settled();
      },
    );
  };
  const unlock = () => {
    setUnlocked(undefined);
    setUnlocking(true);
    act(
      "Removing stale locks",
      "/unlock",
      (body) => {
        const result = body.unlock as UnlockView;
        setUnlocked(result);
        return unlockSummary(result);
      },
      () => setUnlocking(false),
    );
  };

  return (
    <section>
      <h1>{job.job}</h1>
      <p class="job-summary">
        <JobStateText state={job.state} /> · next run{" "}
        <span title={job.nextRunAt ? formatLocalTime(job.nextRunAt) : undefined}>
          {job.nextRunAt ? relativeTime(job.nextRunAt, now) : "not scheduled"}
        </span>{" "}
        ({job.schedule}) · repository <code>{job.repository ?? "?"}</code>
      </p>
      {job.progress ? <ProgressBar progress={job.progress} /> : null}
      {!job.progress && finished && !busy ? <FinishedBar status={finished.status} /> : null}
      <div class="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() => act("Starting", "/run", () => "Run started; its progress shows above.")}
        >
          Run now
        </button>
        <ConfirmButton
          label="Cancel"
          question={`Stop the ${job.state} run of ${job.job}?`}
          confirmLabel="Yes, cancel it"
          disabled={!busy}
          onConfirm={() =>
            act("Cancelling", "/cancel", (body) =>
              body.cancelled ? "Cancelled." : "Nothing to cancel: the run had ended.",
            )
          }
        />
        <button
          type="button"
          onClick={() =>
            act(
              "Queueing the check",
              "/check",
              () => "Check queued; it runs after the repository's other work.",
            )
          }
        >
          Check repository
        </button>
        <button
          type="button"
          onClick={() =>
            act(
              "Queueing the drill",
              "/drill",
              () => "Drill queued: a test restore of some files, then a compare.",
            )
          }
        >
          Restore drill
        </button>
        <ConfirmButton
          label="Unlock"
          question={`Remove stale locks from the repository of ${job.job}? Locks of running restic processes stay.`}
          confirmLabel="Yes, unlock"
          declineLabel="No"
          disabled={unlocking}
          onConfirm={unlock}
        />
        {notice ? (
          <span class="notice" role="status">
            {notice}
          </span>
        ) : null}
      </div>
      {jobs.maintained.get(name) ? (
        // Kept by the jobs' state, not this page's: the page is drawn anew when the list reloads.
        <p class="notice maintenance" role="status">
          {jobs.maintained.get(name)}
        </p>
      ) : null}
      {unlocked ? <UnlockOutcome result={unlocked} /> : null}
      {actionError ? <ErrorNote error={actionError} what="the action" /> : null}
      <dl class="facts">
        <dt>Last result</dt>
        <dd>
          {job.lastResult ? (
            <>
              <ResultText status={job.lastResult.status} /> {relativeTime(job.lastResult.finishedAt, now)}
              {job.lastResult.errorCode ? ` (${job.lastResult.errorCode})` : ""}
            </>
          ) : (
            "never ran"
          )}
        </dd>
        <dt>Last success</dt>
        <dd>
          {relativeTime(job.lastSuccessAt, now)}
          {job.stale ? <span class="result result-failed"> ⚠ stale</span> : null}
        </dd>
        <dt>Copies</dt>
        <dd>
          <CopyLag copies={job.copies} now={now} />
        </dd>
      </dl>
      <h2>Snapshots</h2>
      <SnapshotsList job={job.job} />
      <h2>Over time</h2>
      <RunPlots job={job.job} />
      <h2>History</h2>
      <HistoryTable job={job.job} />
    </section>
  );
}
