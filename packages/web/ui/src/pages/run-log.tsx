import { getText, jobPath } from "../api";
import { ErrorNote } from "../components/error-note";
import { useResource } from "../hooks";
import { href } from "../router";

/** One run's log as the daemon wrote it (its last 4 MiB), scrubbed of secrets by the server. */
export function RunLogPage({ job, runId }: { readonly job: string; readonly runId: string }) {
  const log = useResource(
    () => getText(jobPath(job, `/runs/${encodeURIComponent(runId)}/log`)),
    `${job}\n${runId}`,
  );
  return (
    <section>
      <p>
        <a href={href.job(job)}>← {job}</a>
      </p>
      <h1>
        Log of run <code>{runId}</code>
      </h1>
      {log.error ? <ErrorNote error={log.error} what="the log" /> : null}
      {log.data?.truncated ? <p class="muted">The log is long: its last 4 MiB are shown.</p> : null}
      {log.data ? (
        <pre class="log">{log.data.text}</pre>
      ) : log.error ? null : (
        <p aria-busy="true">Loading the log…</p>
      )}
    </section>
  );
}
