import { useEffect, useMemo, useRef, useState } from "preact/hooks";
// The server's own type, as types.ts imports the others (erased by the build).
import type { RunSeries } from "../../../src/run-series";
import { getJson, jobPath } from "../api";
import { ErrorNote } from "../components/error-note";
import type { ChartSpec, DrawnChart } from "../components/time-chart";
import { formatBytes, formatHumanDuration } from "../format";
import { useLiveEvents, useResource } from "../hooks";
import "./run-plots.css";

const DAY_MS = 24 * 3_600_000;
const RANGES = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 366, label: "a year" },
] as const;
const ENDED = new Set(["success", "partial", "failure"]);

// One load of the chart code for the whole page, whichever chart asks first.
let chartModule: Promise<typeof import("../components/time-chart")> | undefined;
const loadCharts = () => {
  chartModule ??= import("../components/time-chart");
  return chartModule;
};

function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** What the history holds, as plots: restic's counters where it gave them. */
function chartsOf(series: RunSeries): { title: string; spec: ChartSpec }[] {
  const x = series.finishedAt;
  return [
    {
      title: "Duration",
      spec: {
        x,
        lines: [{ label: "duration", values: series.durationS }],
        format: (s) => formatHumanDuration(s * 1000),
      },
    },
    {
      title: "Data added",
      spec: { x, lines: [{ label: "data added", values: series.dataAdded }], format: formatBytes },
    },
    {
      title: "Files new and changed",
      spec: {
        x,
        lines: [
          { label: "new", values: series.filesNew },
          { label: "changed", values: series.filesChanged, dashed: true },
        ],
        format: formatCount,
      },
    },
    {
      title: "Snapshot size (what restic read)",
      spec: { x, lines: [{ label: "snapshot size", values: series.snapshotBytes }], format: formatBytes },
    },
  ];
}

/** The job's runs over time (a year by default), drawn again after each run ends. */
export function RunPlots({ job }: { readonly job: string }) {
  const [days, setDays] = useState<number>(366);
  // The chart code loads while the series is asked for, not after it arrived.
  useEffect(() => {
    loadCharts().catch(() => {}); // a failure shows where a chart asks for it
  }, []);
  const series = useResource(() => {
    const since = new Date(Date.now() - days * DAY_MS).toISOString();
    return getJson<RunSeries>(jobPath(job, `/series?since=${encodeURIComponent(since)}`));
  }, `series\n${job}\n${days}`);
  useLiveEvents((event) => {
    if (event.job === job && ENDED.has(event.type)) series.reload();
  });
  // The job page renders every second (its relative times); a chart is drawn again only for new data.
  const charts = useMemo(() => (series.data ? chartsOf(series.data) : []), [series.data]);
  return (
    <div class="plots">
      <label class="plot-range">
        Show{" "}
        <select value={days} onChange={(event) => setDays(Number(event.currentTarget.value))}>
          {RANGES.map((range) => (
            <option key={range.days} value={range.days}>
              {range.label}
            </option>
          ))}
        </select>
      </label>
      {series.error ? <ErrorNote error={series.error} what="the plots" /> : null}
      {!series.data && !series.error ? <p aria-busy="true">Loading the plots…</p> : null}
      {series.data && series.data.finishedAt.length === 0 ? <p>No runs in this range to plot.</p> : null}
      {series.data && series.data.finishedAt.length > 0
        ? charts.map((chart) => <Chart key={chart.title} title={chart.title} spec={chart.spec} />)
        : null}
    </div>
  );
}

function Chart({ title, spec }: { readonly title: string; readonly spec: ChartSpec }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let drawn: DrawnChart | undefined;
    let gone = false;
    const observer = new ResizeObserver(() => drawn?.resize(element.clientWidth));
    loadCharts().then(
      ({ drawChart }) => {
        if (gone) return;
        drawn = drawChart(element, spec);
        element.dataset.drawn = "true";
        // For the bench (P8) and the browser's performance panel: when each chart was drawn.
        performance.mark("simplebackup:chart-drawn");
        observer.observe(element);
      },
      (failure: Error) => setError(failure),
    );
    return () => {
      gone = true;
      observer.disconnect();
      drawn?.destroy();
    };
  }, [spec]);
  return (
    <figure class="plot">
      <figcaption>
        {title} · {spec.x.length.toLocaleString("en-US")} runs
      </figcaption>
      {error ? <ErrorNote error={error} what="the chart code" /> : null}
      <div ref={ref} class="plot-canvas" />
    </figure>
  );
}
