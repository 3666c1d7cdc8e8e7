// Reading a finished `restic check`, in the two forms restic prints it: text (0.14 to 0.17) and the
// JSON of 0.18+. Both were captured from real runs (packages/core/test/restic/fixtures/<version>/check*).
import { jsonObject, textLines } from "./output-lines.js";

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
    const json = jsonObject(line);
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
