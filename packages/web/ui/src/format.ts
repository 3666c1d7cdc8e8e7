// One definition of each formatter: the CLI's and the notifier's, from core's source (they import
// nothing, so the page bundles a few hundred bytes of them rather than a copy that drifts).
import { formatHumanDuration } from "../../../core/src/format/duration";
import { formatLocalTime } from "../../../core/src/format/local-time";
import { formatBytes } from "../../../core/src/format/units";

export { formatBytes, formatHumanDuration, formatLocalTime };

/** "3m 5s ago" / "in 2h": a time relative to now, for people; absolute times go in a title. */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return "never";
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return iso;
  if (Math.abs(ms) < 1_000) return "just now";
  return ms < 0 ? `${formatHumanDuration(-ms)} ago` : `in ${formatHumanDuration(ms)}`;
}

/** "42 %": whole percent, never 100 before the run is done (99.6 % reads 99 %). */
export function formatPercent(fraction: number): string {
  return `${Math.min(100, Math.floor(fraction * 100))} %`;
}
