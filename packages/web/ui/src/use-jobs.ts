import { useEffect, useRef, useState } from "preact/hooks";
import { getJson } from "./api";
import { useLiveEvents, useLiveState, useResource } from "./hooks";
import type { LiveEvent } from "./live";
import type { JobView } from "./types";

type Progress = NonNullable<JobView["progress"]>;

/** The last result a job's run ended with, as its event said, until the jobs are loaded again. */
export interface Finished {
  readonly runId: string;
  readonly status: string;
}

export interface JobsState {
  readonly jobs: readonly JobView[] | undefined;
  readonly error: Error | undefined;
  /** Runs that ended while the page watched, by job: their bar stays, full or stopped. */
  readonly finished: ReadonlyMap<string, Finished>;
  /** How the last check or drill that ended while the page watched went, by job, in words. */
  readonly maintained: ReadonlyMap<string, string>;
  reload(): void;
}

const RESULT_OF_EVENT: Record<string, string> = {
  success: "success",
  partial: "partial",
  failure: "failed",
};

function progressOf(event: LiveEvent): Progress {
  return {
    runId: String(event.runId),
    percentDone: Number(event.percentDone),
    secondsRemaining: typeof event.secondsRemaining === "number" ? event.secondsRemaining : null,
    bytesDone: Number(event.bytesDone),
    totalBytes: Number(event.totalBytes),
    filesDone: Number(event.filesDone),
    totalFiles: Number(event.totalFiles),
  };
}

/**
 * Every job as GET /api/jobs says, kept current by the event stream: a progress event moves its
 * job's bar in place (several a second, not worth a request each); any other event of a job changes
 * its state, next run or last result, so the list is asked for again, once for a burst of events.
 */
export function useJobs(): JobsState {
  const resource = useResource(() => getJson<{ jobs: JobView[] }>("/api/jobs"), "jobs");
  const [progress, setProgress] = useState<ReadonlyMap<string, Progress>>(new Map());
  const [finished, setFinished] = useState<ReadonlyMap<string, Finished>>(new Map());
  const [maintained, setMaintained] = useState<ReadonlyMap<string, string>>(new Map());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadSoon = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(resource.reload, 150);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveState(resource.reload);
  useLiveEvents((event) => {
    const job = event.job;
    if (typeof job !== "string") return reloadSoon();
    if (event.type === "progress") {
      setProgress((old) => new Map(old).set(job, progressOf(event)));
      return;
    }
    const said = maintenanceWords(event);
    if (said) setMaintained((old) => new Map(old).set(job, said));
    const result = RESULT_OF_EVENT[event.type];
    if (event.type === "start" || result) {
      setProgress((old) => {
        const next = new Map(old);
        next.delete(job);
        return next;
      });
      setFinished((old) => {
        const next = new Map(old);
        if (result) next.set(job, { runId: String(event.runId), status: result });
        else next.delete(job);
        return next;
      });
    }
    reloadSoon();
  });
  // A loaded list is the truth for running jobs; live progress only goes beyond it for the same run.
  const jobs = resource.data?.jobs.map((job) => {
    const live = progress.get(job.job);
    return job.state === "running" && live && (!job.progress || job.progress.runId === live.runId)
      ? { ...job, progress: live }
      : job;
  });
  return { jobs, error: resource.error, finished, maintained, reload: resource.reload };
}

/** A check's or drill's end in words (check-done, drill-done, or a failure of that phase); else undefined. */
function maintenanceWords(event: LiveEvent): string | undefined {
  if (event.type === "check-done" || event.type === "drill-done") return String(event.message);
  if (event.type === "failure" && (event.phase === "check" || event.phase === "drill")) {
    return `${event.phase === "check" ? "Check" : "Drill"} FAILED [${String(event.code)}]: ${String(event.message)}`;
  }
  return undefined;
}
