// `restic check`: its arguments (which data to read: all, a subset, or a subset that rotates so that a
// series of checks reads the whole repository) and a finished check read, in the two forms restic
// prints it: text (0.14 to 0.17) and the JSON of 0.18+. Both were captured from real runs
// (packages/core/test/actions/check-fixtures/<version>/).
import { parseJsonObject } from "../../json-object.js";
import { textLines } from "../output-lines.js";

/**
 * `restic check`. `json` asks for 0.18's structured report (a `summary` line on stdout, `error` lines on
 * stderr); 0.14 to 0.17 print text only and get no `--json`.
 * @throws RangeError for a subset restic would reject (see {@link normalizeReadDataSubset}).
 */
export function buildCheckArgs(
  options: {
    readonly readData?: boolean;
    readonly readDataSubset?: string | undefined;
    readonly json?: boolean;
  } = {},
): string[] {
  const args = options.json ? ["check", "--json"] : ["check"];
  if (options.readDataSubset !== undefined) {
    args.push("--read-data-subset", normalizeReadDataSubset(options.readDataSubset));
  } else if (options.readData) {
    args.push("--read-data");
  }
  return args;
}

const SIZE_SUBSET = /^(\d+(?:\.\d+)?)([kKmMgGtT])?$/;

/**
 * Checks a `--read-data-subset` value before restic sees it and returns it normalised: `n/t` (read
 * group n of t, 1 ≤ n ≤ t), `x%` or `x.y%` (a random share above 0 and at most 100), or a size such as
 * `500M` (a random subset of that many bytes).
 * @throws RangeError for anything else; restic 0.14 would fail only after opening the repository.
 */
export function normalizeReadDataSubset(subset: string): string {
  const text = subset.trim();
  const group = /^(\d+)\/(\d+)$/.exec(text);
  if (group) {
    const n = Number(group[1]);
    const t = Number(group[2]);
    if (n >= 1 && t >= 1 && n <= t && Number.isSafeInteger(t)) return `${n}/${t}`;
    throw new RangeError(`--read-data-subset ${subset}: n/t needs 1 ≤ n ≤ t`);
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value > 0 && value <= 100) return `${percent[1]}%`;
    throw new RangeError(`--read-data-subset ${subset}: a percentage must be above 0% and at most 100%`);
  }
  const size = SIZE_SUBSET.exec(text);
  if (size && Number(size[1]) > 0) return text;
  throw new RangeError(
    `--read-data-subset ${JSON.stringify(subset)}: expected n/t (e.g. 1/5), a percentage (e.g. 5%) or a size (e.g. 500M)`,
  );
}

/**
 * The subset for the next scheduled check, so that `groups` consecutive checks read the whole
 * repository once: `1/t`, `2/t`, … `t/t`, then `1/t` again. A previous value that is not `n/groups`
 * (none yet, a percentage, another group count) starts over at `1/groups`.
 * @example nextCheckSubset("3/4", 4) === "4/4"; nextCheckSubset("4/4", 4) === "1/4"
 * @throws RangeError when groups is not a whole number of 1 or more.
 */
export function nextCheckSubset(previous: string | undefined, groups: number): string {
  if (!Number.isSafeInteger(groups) || groups < 1) {
    throw new RangeError(`The number of check groups must be a whole number of 1 or more, got ${groups}`);
  }
  const match = previous === undefined ? null : /^\s*(\d+)\/(\d+)\s*$/.exec(previous);
  const n = Number(match?.[1]);
  if (!match || Number(match[2]) !== groups || n < 1 || n > groups) return `1/${groups}`;
  return `${(n % groups) + 1}/${groups}`;
}

/** What `restic check` found. */
export interface CheckReport {
  readonly ok: boolean;
  /**
   * What restic reported as errors, one entry each (`pack 8cd0…: does not exist`); a damaged tree's
   * header and its findings are joined (`error for tree 26711868: decrypting blob …`).
   */
  readonly errors: string[];
  /** Findings restic calls non-critical (an unreferenced pack), and its advice (`restic repair packs …`). */
  readonly notes: string[];
  /** What restic said it read: `read group #1 of 3 data packs (…)`, `read 5.0% of data packs`. 0.18's JSON has none. */
  readonly read: string | undefined;
}

export interface CheckRun {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

// Steps and progress that restic prints on stdout; the rest of stdout is findings it calls non-critical.
const STEP =
  /^(?:using temporary cache|create exclusive lock|load indexes|check all packs|check snapshots|read all data|\[\d+:\d+\]|no errors were found)/;
const READ = /^read (?:group #\d+ of|all data|[\d.]+% of data|\d+ bytes of data)/;
const CONTAINS_ERRORS = /^(?:Fatal: )?repository contains errors/;

/**
 * What restic prints around its errors to say what to do, not what it found (0.16+, the same words in
 * text and JSON): `The repository contains damaged pack files. …`, `restic repair packs <id>`,
 * `restic repair snapshots --forget`, `Damaged pack files can be caused by …`, `The repository is
 * damaged and must be repaired. …`, `The repository index is damaged and must be repaired. …`.
 * Counted as errors they made one damaged pack read as 4 errors.
 */
const ADVICE =
  /^(?:The repository (?:contains damaged pack files|(?:index )?is damaged and must be repaired)|Damaged pack files can be caused|restic repair )/;

/** `error for tree 26711868:`, followed by that tree's findings, each on an indented line. */
const TREE_HEADER = /^error for tree \S+:$/;

/** Sorts restic's error output into errors and advice, joining each tree's findings to its header. */
function sortErrorLines(errorLines: readonly string[], errors: string[], notes: string[]): void {
  let tree: string | undefined;
  for (const line of errorLines) {
    const text = line.trim();
    if (text === "" || CONTAINS_ERRORS.test(text)) continue;
    if (TREE_HEADER.test(text)) {
      tree = text;
    } else if (tree !== undefined && /^\s/.test(line)) {
      errors.push(`${tree} ${text}`);
    } else {
      tree = undefined;
      if (ADVICE.test(text) || /non-critical/.test(text)) notes.push(text);
      else errors.push(text);
    }
  }
}

/**
 * Reads a finished `restic check`: `json` for 0.18+ run with `--json`, text otherwise. Returns
 * undefined when the check could not run at all (wrong password, locked repository, …): that is a
 * failure of the run, not a finding, and the caller classifies it.
 */
export function parseCheckOutput(
  result: CheckRun,
  format: { readonly json: boolean },
): CheckReport | undefined {
  return format.json ? parseCheckJson(result) : parseCheckText(result);
}

/**
 * The text of 0.14 to 0.17: steps, what was read and non-critical notes on stdout; errors on stderr,
 * ending in `Fatal: repository contains errors`.
 */
function parseCheckText(result: CheckRun): CheckReport | undefined {
  const errors: string[] = [];
  const notes: string[] = [];
  let read: string | undefined;
  for (const line of textLines(result.stdout).map((l) => l.trim())) {
    if (READ.test(line)) read = line;
    else if (!STEP.test(line)) notes.push(line);
  }
  const stderr = textLines(result.stderr);
  const containsErrors = stderr.some((line) => CONTAINS_ERRORS.test(line.trim()));
  sortErrorLines(stderr, errors, notes);
  return finish({ exitCode: result.exitCode, containsErrors, errors, notes, read });
}

/**
 * The JSON of 0.18+: one `summary` line on stdout (`num_errors`, `broken_packs`, `suggest_repair_index`,
 * `suggest_prune`), each error and each piece of advice as an `error` line on stderr, and an
 * `exit_error` whose message says whether the repository has errors. 0.18 prints the summary (with
 * `num_errors: 1`) even when the check could not run, so only that message tells a finding from a
 * failure. Steps, notes and what was read are not printed at all.
 */
function parseCheckJson(result: CheckRun): CheckReport | undefined {
  const errors: string[] = [];
  const notes: string[] = [];
  const errorLines: string[] = [];
  let containsErrors = false;
  let summary: Record<string, unknown> | undefined;
  for (const line of [...textLines(result.stdout), ...textLines(result.stderr)]) {
    const json = parseJsonObject(line);
    if (!json) {
      // A text line beside the JSON (a backend's retry message): not a finding about the data.
      if (CONTAINS_ERRORS.test(line.trim())) containsErrors = true;
      else notes.push(line.trim());
    } else if (json.message_type === "summary") {
      summary = json;
    } else if (json.message_type === "error" && typeof json.message === "string") {
      errorLines.push(...json.message.split("\n"));
    } else if (json.message_type === "exit_error" && typeof json.message === "string") {
      containsErrors ||= CONTAINS_ERRORS.test(json.message);
    }
  }
  sortErrorLines(errorLines, errors, notes);
  const numErrors = typeof summary?.num_errors === "number" ? summary.num_errors : undefined;
  const suggest = (command: string, why: string) => {
    if (!notes.some((note) => note.includes(command))) notes.push(`${why}; restic suggests "${command}"`);
  };
  const brokenPacks = Array.isArray(summary?.broken_packs) ? summary.broken_packs.map(String) : [];
  if (brokenPacks.length > 0 && !notes.some((note) => note.includes("restic repair packs"))) {
    notes.push(`damaged packs: ${brokenPacks.join(", ")}`);
  }
  if (summary?.suggest_repair_index === true)
    suggest("restic repair index", "duplicate or damaged index entries");
  if (summary?.suggest_prune === true) suggest("restic prune", "non-critical: unreferenced or mixed packs");
  if (containsErrors && errors.length === 0 && numErrors !== undefined && numErrors > 0) {
    errors.push(`restic reported ${numErrors === 1 ? "1 error" : `${numErrors} errors`} in the repository`);
  }
  return finish({ exitCode: result.exitCode, containsErrors, errors, notes, read: undefined });
}

function finish(report: {
  readonly exitCode: number | undefined;
  readonly containsErrors: boolean;
  readonly errors: string[];
  readonly notes: string[];
  readonly read: string | undefined;
}): CheckReport | undefined {
  const { exitCode, containsErrors, errors, notes, read } = report;
  if (!containsErrors) {
    // Whatever a passing check wrote as an error is a warning, not a finding against the data.
    return exitCode === 0 ? { ok: true, errors: [], notes: [...notes, ...errors], read } : undefined;
  }
  if (errors.length === 0) errors.push("restic reported errors in the repository");
  return { ok: false, errors, notes, read };
}
