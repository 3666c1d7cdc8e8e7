import * as z from "zod";
import type { ConfigProblem } from "../errors.js";

/** A problem before its place is written out: the path is kept so problems can be sorted. */
export interface RawProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Turns zod issues into problems, one per unknown key, with "did you mean" when a known key is close. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): RawProblem[] {
  return issues.flatMap((issue): RawProblem[] => {
    if (issue.code === "unrecognized_keys") {
      const known = objectKeysAt(schema, issue.path);
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        message: unknownKeyMessage(key, known),
      }));
    }
    return [{ path: issue.path, message: issue.message }];
  });
}

/** Sorts problems by where they sit in the file and names each place, e.g. `backupjobs[1] ("Photos").retention`. */
export function finishProblems(problems: readonly RawProblem[], input: unknown): ConfigProblem[] {
  return problems
    .map((problem) => ({ problem, order: fileOrder(problem.path, input) }))
    .sort((a, b) => compareOrder(a.order, b.order))
    .map(({ problem }) => ({ path: formatPlace(problem.path, input), message: problem.message }));
}

/** An error option for zod: "expected X, got Y", or "missing" when the key is absent. */
export function expected(what: string) {
  return {
    error: (issue: z.core.$ZodRawIssue) => {
      if (issue.code === "unrecognized_keys" || issue.code === "custom") return undefined;
      if (issue.input === undefined) return `missing; expected ${what}`;
      return `expected ${what}, got ${describeValue(issue.input)}`;
    },
  };
}

/** How a value the user wrote is shown in "got …": short, and quoted when it is a string. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = didYouMean(key, known);
  if (suggestion !== undefined) return `unknown key; did you mean \`${suggestion}\`?`;
  return `unknown key; expected one of: ${known.join(", ")}`;
}

/** The closest known key: same letters in another case, or at most 2 edits away. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const sameCase = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  if (sameCase !== undefined) return sameCase;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = levenshtein(key, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The keys the schema allows for the object at `path`, found by walking the schema along it. */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    current = unwrapOptional(current);
    if (current instanceof z.ZodArray) current = current.element;
    else if (current instanceof z.ZodRecord) current = current.valueType;
    else if (current instanceof z.ZodObject) current = current.shape[String(segment)];
    else return [];
  }
  current = unwrapOptional(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrapOptional(schema: unknown): unknown {
  let current = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap();
  return current;
}

/**
 * A sort key per path: the position of each key among its object's keys as written (JSON.parse keeps
 * file order), array indexes as they are. Keys the file lacks sort after the keys it has.
 */
function fileOrder(path: readonly PropertyKey[], input: unknown): number[] {
  const order: number[] = [];
  let current: unknown = input;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") {
      order.push(segment);
      current = current[segment];
    } else if (isPlainObject(current)) {
      const index = Object.keys(current).indexOf(String(segment));
      order.push(index === -1 ? Number.MAX_SAFE_INTEGER : index);
      current = current[String(segment)];
    } else {
      order.push(Number.MAX_SAFE_INTEGER);
      current = undefined;
    }
  }
  return order;
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  // A problem with a whole object comes before the problems inside it.
  return a.length - b.length;
}

/**
 * Writes a path the way a user finds it in the file. A job, and a copy target, is labelled with its name
 * when it has a usable one, except on the name itself, whose message already quotes it.
 */
function formatPlace(path: readonly PropertyKey[], input: unknown): string {
  let place = "";
  for (const [index, segment] of path.entries()) {
    if (typeof segment === "number") place += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(segment)))
      place += `${index === 0 ? "" : "."}${String(segment)}`;
    else place += `[${JSON.stringify(String(segment))}]`;

    if (index === 1 && path[0] === "backupjobs" && typeof segment === "number" && path[2] !== "jobname") {
      const name = jobNameAt(input, segment);
      if (name !== undefined) place += ` (${JSON.stringify(name)})`;
    }
    if (index === 3 && path[2] === "copy_to" && typeof segment === "number" && path[4] !== "name") {
      const name = targetNameAt(input, path[1], segment);
      if (name !== undefined) place += ` (${JSON.stringify(name)})`;
    }
  }
  return place;
}

function targetNameAt(input: unknown, jobIndex: PropertyKey | undefined, index: number): string | undefined {
  if (!isPlainObject(input) || !Array.isArray(input.backupjobs) || typeof jobIndex !== "number")
    return undefined;
  const job: unknown = input.backupjobs[jobIndex];
  if (!isPlainObject(job) || !Array.isArray(job.copy_to)) return undefined;
  const target: unknown = job.copy_to[index];
  const name = isPlainObject(target) ? target.name : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function jobNameAt(input: unknown, index: number): string | undefined {
  if (!isPlainObject(input) || !Array.isArray(input.backupjobs)) return undefined;
  const job: unknown = input.backupjobs[index];
  if (!isPlainObject(job)) return undefined;
  const name = job.jobname;
  return typeof name === "string" && name !== "" && !name.includes(",") ? name : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Names the line and column of a JSON syntax error. Node 20 gives a position for most errors but not for
 * "Unexpected token"; then a small scanner finds it, so the user always learns where to look.
 */
export function jsonSyntaxProblem(text: string, error: unknown): ConfigProblem {
  const raw = error instanceof Error ? error.message : String(error);
  let reason = raw;
  let position: number;
  const at = /\s+(?:in JSON )?at position (\d+)(?:\s*\(line \d+ column \d+\))?$/.exec(raw);
  if (at) {
    position = Number(at[1]);
    reason = raw.slice(0, at.index);
  } else if (raw.startsWith("Unexpected end of JSON input")) {
    position = text.trimEnd().length;
  } else {
    position = findJsonSyntaxError(text) ?? text.trimEnd().length;
    reason = raw.replace(/^(Unexpected token '.+?'),\s.*is not valid JSON$/s, "$1");
  }
  const { line, column } = lineAndColumn(text, position);
  return {
    path: "",
    message: `invalid JSON at line ${line}, column ${column}: ${reason}${hint(text, position, reason)}`,
  };
}

function hint(text: string, position: number, reason: string): string {
  const here = text[position];
  const before = text.slice(0, position).trimEnd().at(-1);
  if (before === "," && (here === "}" || here === "]")) {
    return "; remove the trailing ',' (JSON allows no comma after the last item)";
  }
  if (reason.startsWith("Bad escaped character")) {
    return "; in a Windows path write each \\ as \\\\, or use / (C:/Users/me)";
  }
  if (here === "'") return "; JSON needs double quotes around keys and strings";
  if (here === "/") return "; JSON does not allow comments";
  return "";
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

/** Offset of the first JSON syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[i] !== char) fail();
    i++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      const char = text[i];
      if (char === undefined || char < " ") fail();
      i++;
      if (char === '"') return;
      if (char === "\\") {
        if (text[i] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
        else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i] ?? "")) i++;
        else fail();
      }
    }
  };
  const members = (close: string, member: () => void) => {
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(",");
    }
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === "{") {
      i++;
      members("}", () => {
        string();
        expect(":");
        value();
      });
    } else if (char === "[") {
      i++;
      members("]", value);
    } else if (char === '"') {
      string();
    } else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
      number.lastIndex = i;
      if (!number.test(text)) {
        if (char === "-") i++; // JSON.parse points past the sign, at the missing digit
        fail();
      }
      i = number.lastIndex;
    } else {
      const literal = ["true", "false", "null"].find((word) => word[0] === char);
      if (literal === undefined) fail();
      for (const expected of literal ?? "") {
        if (text[i] !== expected) fail();
        i++;
      }
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.position;
    throw error;
  }
}

class SyntaxAt {
  constructor(readonly position: number) {}
}
