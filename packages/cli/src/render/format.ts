import { type BackupStats, formatBytes, formatCount, plural } from "@simplebackup/core";

/**
 * What only the CLI prints: a backup's sizes, each named, and tables. Sizes, counts, plurals,
 * durations, times and ids come from core (`formatBytes`, `formatCount`, `plural`,
 * `formatHumanDuration`, `formatLocalTime`, `shortId`), so the CLI, the notifier and core's own
 * messages read the same.
 */

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
