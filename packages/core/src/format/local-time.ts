/**
 * `2026-11-25 12:51:25 +01:00`: a moment in this machine's local time (the TZ environment variable),
 * always with its UTC offset, so a line copied into a ticket or read next to a UTC log is unambiguous.
 * The one formatter of times for people: core's messages (a missed slot, a running daemon), the CLI's
 * output and the notifier's messages all use it; JSON and files keep ISO 8601 in UTC.
 * Built from Date's local getters rather than Intl, which would load ICU's date data for one line.
 * Text that is not a time is returned as it is: a message still reads when restic sends something odd.
 */
export function formatLocalTime(time: Date | string | number): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const two = (n: number) => String(n).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${zone}`;
}
