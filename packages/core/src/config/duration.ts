const UNITS = [
  ["w", 7 * 24 * 3_600_000],
  ["d", 24 * 3_600_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

// Units in descending order, each at most once. `m(?!s)` keeps "5ms" from reading as 5 minutes and an "s".
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Reads a duration such as `"90s"`, `"1h30m"`, `"2d"` or `"500ms"` as milliseconds. Units: w, d, h, m, s,
 * ms, largest first, no spaces. Returns undefined for anything else, bare numbers included: a bare
 * `"30"` could mean seconds or minutes, and guessing wrong delays a retry by a factor of 60.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === "") return undefined;

  let total = 0;
  for (const [index, [, unitMs]] of UNITS.entries()) {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * unitMs;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Writes milliseconds in the form parseDuration reads, largest units first: `"1h30m"`, `"45s"`, `"0s"`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot format ${ms} as a duration`);

  let rest = Math.round(ms);
  let text = "";
  for (const [unit, unitMs] of UNITS) {
    const count = Math.floor(rest / unitMs);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * unitMs;
    }
  }
  return text === "" ? "0s" : text;
}
