import type { BackupStats } from "@simplebackup/core";

/**
 * The one place where the CLI turns numbers, times and ids into text for a person. Every command uses
 * these, so `status`, `snapshots` and the daemon's log all read the same way.
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mmss = `${String(m).padStart(h ? 2 : 1, "0")}:${String(s).padStart(2, "0")}`;
  return h ? `${h}:${mmss}` : mmss;
}

/**
 * `19313` → `"19,313"`. Grouped by hand: the first `toLocaleString` sets up ICU's number formatting,
 * ~35 ms that a one-shot `backup` spent between restic's backup and its forget.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) return String(count);
  const digits = String(Math.abs(count));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ",");
  return count < 0 ? `-${grouped}` : grouped;
}

/** `1 snapshot`, `2 snapshots`, `1,204 files`; `pluralNoun` for nouns that do not just take an s. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : pluralNoun}`;
}

/**
 * From core, so its messages and the CLI read the same: `formatTime`, local time with its offset
 * (`2026-11-25 12:51:25 +01:00`); `shortId`, a snapshot or lock id cut to 8 characters on every restic
 * version (`a297c296`).
 */
export { formatLocalTime as formatTime, shortId } from "@simplebackup/core";

/**
 * What a backup's numbers mean, each named: the size and files the snapshot covers, then what the run
 * wrote to the repository. restic's `data_added` counts new file data *and* the snapshot's metadata
 * (directory trees), so a first backup of 168 B adds ~3 KiB; printed bare next to the total, it read
 * as if the total were wrong.
 * `168 B in 3 files (2 new, 1 changed); 3.30 KiB added to the repository`
 */
export function formatBackupSize(stats: BackupStats): string {
  const kinds = [
    [stats.filesNew, "new"],
    [stats.filesChanged, "changed"],
    [stats.filesUnmodified, "unmodified"],
  ] as const;
  const breakdown = kinds.filter(([n]) => n > 0).map(([n, what]) => `${formatCount(n)} ${what}`);
  const files = `${plural(stats.totalFilesProcessed, "file")}${breakdown.length > 0 ? ` (${breakdown.join(", ")})` : ""}`;
  return `${formatBytes(stats.totalBytesProcessed)} in ${files}; ${formatBytes(stats.dataAdded)} added to the repository`;
}

export interface Column {
  readonly heading: string;
  /** Numbers and sizes line up on the right. @default "left" */
  readonly align?: "left" | "right";
  /** Left out when no row has anything in it, rather than a heading over nothing. @default false */
  readonly optional?: boolean;
}

/**
 * A table with a heading over every column, columns two spaces apart, each line indented. Trailing
 * spaces are cut, so a last column that is empty on some rows leaves no padding behind.
 */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  indent = "  ",
): string[] {
  const shown = columns.flatMap((column, i) =>
    column.optional && rows.every((row) => !row[i]) ? [] : [{ column, i }],
  );
  if (shown.length < columns.length) {
    return formatTable(
      shown.map(({ column }) => column),
      rows.map((row) => shown.map(({ i }) => row[i] ?? "")),
      indent,
    );
  }
  const widths = columns.map((column, i) =>
    Math.max(column.heading.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const render = (cells: readonly string[]) =>
    `${indent}${columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return column.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")}`.trimEnd();
  return [render(columns.map((column) => column.heading)), ...rows.map(render)];
}
