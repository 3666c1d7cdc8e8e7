/**
 * The candidate closest to a mistyped word, for a "did you mean" hint; undefined when none is close.
 * Close means a few edits away (a swapped pair of letters counts as one edit: `--jsno` → `--json`), or a
 * prefix of exactly one candidate (`--snap` → `--snapshot`). Case is ignored (`--dryRun` → `--dry-run`).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  if (typed.length === 0) return undefined;
  // One edit in a two-letter word is half of it (`-x` is not a typo of `-o`): short words get fewer.
  const allowed = typed.length <= 2 ? 0 : typed.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= allowed) return best;
  // ...but a swapped pair is still a typo of a two-letter word, its letters all there (`--iu` → `--ui`).
  if (
    best !== undefined &&
    bestDistance === 1 &&
    typed.length === 2 &&
    sameLetters(typed, best.toLowerCase())
  ) {
    return best;
  }
  const prefixed = candidates.filter((c) => typed.length >= 3 && c.toLowerCase().startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function sameLetters(a: string, b: string): boolean {
  return [...a].sort().join("") === [...b].sort().join("");
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
