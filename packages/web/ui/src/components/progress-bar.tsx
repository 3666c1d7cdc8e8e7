import { formatBytes, formatHumanDuration, formatPercent } from "../format";
import type { JobView } from "../types";

type Progress = NonNullable<JobView["progress"]>;

/**
 * A running backup's progress: the native <progress> element (announced by screen readers, styled
 * by the stylesheet, no inline style needed) with the percent and ETA as text beside it.
 */
export function ProgressBar({ progress }: { readonly progress: Progress }) {
  const percent = formatPercent(progress.percentDone);
  const eta =
    progress.secondsRemaining === null
      ? "ETA unknown"
      : `ETA ${formatHumanDuration(progress.secondsRemaining * 1000)}`;
  return (
    <div class="progress">
      <progress max={1} value={progress.percentDone} aria-label={`backup progress ${percent}`} />
      <span class="progress-text">
        <strong>{percent}</strong> · {eta} · {formatBytes(progress.bytesDone)} of{" "}
        {formatBytes(progress.totalBytes)}
      </span>
    </div>
  );
}

/**
 * The bar of a run that completed while the page watched: full, so the watcher sees it reach 100 %.
 * A failed run gets no bar; its result says what happened.
 */
export function FinishedBar({ status }: { readonly status: string }) {
  if (status !== "success" && status !== "partial") return null;
  return (
    <div class="progress">
      <progress max={1} value={1} aria-label={`backup finished: ${status}`} />
      <span class="progress-text">
        <strong>100 %</strong> · finished: {status}
      </span>
    </div>
  );
}
