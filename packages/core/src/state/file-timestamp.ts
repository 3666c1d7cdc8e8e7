/**
 * An ISO time fit for a file name: Windows forbids colons. Fixed width, so names sort by time
 * (until the year 10000).
 */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}
