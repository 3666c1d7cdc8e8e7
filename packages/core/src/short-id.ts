/**
 * A snapshot or lock id as people read it: its first 8 hex characters, as restic 0.14 prints them.
 * restic 0.15+ reports the full 64-character id in a backup's summary; JSON, history and events keep
 * whatever restic gave, and only text a person reads is cut, so every restic version reads the same.
 * The one place that cuts: core's messages (a failed retention names its snapshot), the CLI's output
 * and the notifier's messages all use it. `(none)` when there is no id.
 */
export function shortId(id: string | undefined): string {
  return id === undefined || id === "" ? "(none)" : id.slice(0, 8);
}
