import { CopyLag } from "../components/copies";
import { ErrorNote } from "../components/error-note";
import { FinishedBar, ProgressBar } from "../components/progress-bar";
import { JobStateText, ResultText } from "../components/status-text";
import { formatLocalTime, relativeTime } from "../format";
import { useNow } from "../hooks";
import { href } from "../router";
import type { JobView } from "../types";
import type { Finished, JobsState } from "../use-jobs";

/** Every job in one table: what it is doing, when it runs next, how its last run went. */
export function OverviewPage({ jobs }: { readonly jobs: JobsState }) {
  const now = useNow();
  if (jobs.error && !jobs.jobs) return <ErrorNote error={jobs.error} what="the jobs" />;
  if (!jobs.jobs) return <p aria-busy="true">Loading the jobs…</p>;
  return (
    <section>
      <h1>Backups</h1>
      {jobs.jobs.length === 0 ? <p>No jobs in the config.</p> : null}
      <table class="jobs">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">Last result</th>
            <th scope="col">Last success</th>
            <th scope="col">Next run</th>
            <th scope="col">Copies</th>
          </tr>
        </thead>
        <tbody>
          {jobs.jobs.map((job) => (
            <JobRow key={job.job} job={job} finished={jobs.finished.get(job.job)} now={now} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function JobRow(props: {
  readonly job: JobView;
  readonly finished: Finished | undefined;
  readonly now: number;
}) {
  const { job, finished, now } = props;
  return (
    <tr data-job={job.job}>
      <th scope="row">
        <a href={href.job(job.job)}>{job.job}</a>
      </th>
      <td>
        <JobStateText state={job.state} />
        {job.progress ? <ProgressBar progress={job.progress} /> : null}
        {!job.progress && finished && job.state !== "running" ? (
          <FinishedBar status={finished.status} />
        ) : null}
        {job.retry ? (
          <div class="muted">
            retry {job.retry.attempt} {relativeTime(job.retry.at, now)}
          </div>
        ) : null}
      </td>
      <td>
        {job.lastResult ? (
          <>
            <ResultText status={job.lastResult.status} />{" "}
            <span title={formatLocalTime(job.lastResult.finishedAt)}>
              {relativeTime(job.lastResult.finishedAt, now)}
            </span>
            {job.lastResult.errorCode ? <div class="muted">{job.lastResult.errorCode}</div> : null}
          </>
        ) : (
          <span class="muted">never ran</span>
        )}
      </td>
      <td>
        <span title={job.lastSuccessAt ? formatLocalTime(job.lastSuccessAt) : undefined}>
          {relativeTime(job.lastSuccessAt, now)}
        </span>
        {job.stale ? <div class="result result-failed">⚠ stale</div> : null}
      </td>
      <td>
        <span title={job.nextRunAt ? formatLocalTime(job.nextRunAt) : undefined}>
          {job.nextRunAt ? relativeTime(job.nextRunAt, now) : "not scheduled"}
        </span>
        <div class="muted">{job.schedule}</div>
      </td>
      <td>
        <CopyLag copies={job.copies} now={now} />
      </td>
    </tr>
  );
}
