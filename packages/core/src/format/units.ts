/**
 * Sizes and counts as people read them, the same in the CLI's output, the notifier's messages and
 * core's own sentences.
 */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/**
 * `1536` → `"1.50 KiB"`: binary units, as restic prints them; two decimals below 10, one above.
 * Negative sizes (a repository that shrank) read the same with a minus.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const text = value.toFixed(Math.abs(value) < 10 ? 2 : 1);
  // 1,048,575 B is 1023.999 KiB; rounded that would print as "1024.0 KiB" rather than "1.00 MiB".
  if (Math.abs(Number(text)) >= 1024 && unit < BYTE_UNITS.length - 1) {
    return `${(value / 1024).toFixed(2)} ${BYTE_UNITS[unit + 1]}`;
  }
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * `19313` → `"19,313"`. Grouped by hand: the first `toLocaleString` sets up ICU's number formatting,
 * ~35 ms that a one-shot `backup` spent between restic's backup and its forget. Non-integers, which a
 * count never is, are left to String.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) return String(count);
  const grouped = String(Math.abs(count)).replace(/\B(?=(\d{3})+$)/g, ",");
  return count < 0 ? `-${grouped}` : grouped;
}

/**
 * A count with its noun: `1 snapshot`, `2 snapshots`, `1,204 files`; `pluralNoun` for a noun that does
 * not just take an s (`plural(2, "entry", "entries")`).
 */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : pluralNoun}`;
}
