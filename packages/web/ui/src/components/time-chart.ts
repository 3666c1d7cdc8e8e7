/*
 * uPlot behind one function, loaded only by the job page (Vite splits it into its own chunk), so the
 * overview never downloads it. uPlot rather than a larger library: ~50 KB minified, ~22 KB gzipped,
 * and it draws tens of thousands of points on a canvas in milliseconds (a year of hourly runs is
 * 8,760). It sets element sizes through the CSSOM (el.style.x = …), which the page's CSP
 * `style-src 'self'` permits: no inline style attribute, no injected <style>.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** A dashed line, so two lines differ without colour. */
  readonly dashed?: boolean;
}

export interface ChartSpec {
  /** Unix seconds, ascending. */
  readonly x: readonly number[];
  readonly lines: readonly ChartLine[];
  /** How a value of the y axis reads (bytes, durations, counts). */
  readonly format: (value: number) => string;
}

export interface DrawnChart {
  resize(width: number): void;
  destroy(): void;
}

const HEIGHT = 180;

/** The page's own colours (light or dark), read when the chart is drawn. */
function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function drawChart(element: HTMLElement, spec: ChartSpec): DrawnChart {
  const fg = themeColour("--fg", "#1c1d1f");
  const line = themeColour("--line", "#d8dadd");
  const colours = [themeColour("--accent", "#1f5fbf"), themeColour("--warn", "#8a5a00")];
  const axis = (values?: (u: uPlot, splits: number[]) => string[]): uPlot.Axis => ({
    stroke: fg,
    grid: { stroke: line, width: 1 },
    ticks: { stroke: line, width: 1 },
    ...(values ? { values, size: 70 } : {}),
  });
  const chart = new uPlot(
    {
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      // The run's finish is the x; a line between hourly points, a gap where restic gave no counter.
      series: [
        {},
        ...spec.lines.map(
          (one, index): uPlot.Series => ({
            label: one.label,
            stroke: colours[index % colours.length],
            width: 1.5,
            ...(one.dashed ? { dash: [6, 4] } : {}),
            points: { show: false },
            value: (_u, value) => (value == null ? "—" : spec.format(value)),
          }),
        ),
      ],
      axes: [axis(), axis((_u, splits) => splits.map((value) => spec.format(value)))],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] } },
      cursor: { drag: { x: true, y: false } },
    },
    [spec.x as number[], ...spec.lines.map((one) => one.values as (number | null)[])],
    element,
  );
  return {
    resize: (width) => chart.setSize({ width: Math.max(200, width), height: HEIGHT }),
    destroy: () => chart.destroy(),
  };
}
