/**
 * How long something took or will take, for people: `"1.5s"`, `"45s"`, `"1m 23s"`, `"2h 5m"`,
 * `"3d 4h"`. Tenths of a second below 10 s, whole seconds below a minute, then the two largest units
 * (the smaller left out when it is 0: `"2h"`, not `"2h 0m"`), so a run of seconds and a job stale for
 * days read alike in the CLI, the notifier and core's messages.
 *
 * Not the config's syntax: `formatConfigDuration` (config/duration.ts) writes `"1h30m"` for
 * `parseDuration` to read back.
 */
export function formatHumanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatHumanDuration(-ms)}`;
  // Rounded before the unit is chosen, so 59.96 s reads "1m", not "60s", and 9.96 s "10s", not "10.0s".
  const tenths = Math.round(ms / 100);
  if (tenths < 100) return `${tenths / 10}s`;
  const seconds = Math.round(ms / 1000);
  const parts = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor(seconds / 3600) % 24, "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"],
  ] as const;
  const largest = parts.findIndex(([count]) => count > 0);
  return parts
    .slice(largest, largest + 2)
    .filter(([count], i) => i === 0 || count > 0)
    .map(([count, unit]) => `${count}${unit}`)
    .join(" ");
}
