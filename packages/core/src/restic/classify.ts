import type { ResticErrorCode } from "../errors.js";
import { parseResticLine, type ResticMessage } from "./messages.js";

export interface ResticFailure {
  readonly code: ResticErrorCode;
  /** One line naming the cause, for people. */
  readonly message: string;
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly user: string;
  /** Local time of the holder's host as restic prints it (`2026-11-25 10:13:10`), no zone. */
  readonly createdAt?: string;
  /** The lock's age when restic looked, from its `(2.236527495s ago)`; zone-free, unlike createdAt. */
  readonly ageSeconds?: number;
  readonly exclusive: boolean;
  /** The start of the lock's id (`storage ID 640a58e8`), to tell whether `unlock` removed it. */
  readonly storageId?: string;
}

// 0.14 prints `\x1b[2K` (erase line) before "signal interrupt received" even when stderr is a file.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

function lines(stderr: string): string[] {
  return stderr
    .replace(ANSI_ESCAPE, "")
    .split(/\r?\n|\r/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "");
}

/** The last `count` non-empty stderr lines, without terminal escapes: what a person needs to see. */
export function stderrTail(stderr: string, count = 20): string {
  return lines(stderr).slice(-count).join("\n");
}

/** Sources 0.14 skipped with `<path> does not exist, skipping` (it still exits 0 if another exists). */
export function findSkippedSources(stderr: string): string[] {
  const skipped: string[] = [];
  for (const line of lines(stderr)) {
    const match = /^(.+) does not exist, skipping$/.exec(line);
    if (match?.[1]) skipped.push(match[1]);
  }
  return skipped;
}

/**
 * Who holds the lock that made restic fail, from its `repository is already locked …` text, which
 * 0.18 with `--json` prints inside an `exit_error` line.
 */
export function parseLockHolder(stderr: string): LockHolder | undefined {
  const text = lines(stderr)
    .map((line) => {
      const message = line.startsWith("{") ? parseResticLine(line) : undefined;
      return message?.message_type === "exit_error" ? message.message : line;
    })
    .join("\n");
  const holder =
    /repository is already locked (exclusively )?by PID (\d+) on (\S+) by (.+?)(?: \(UID -?\d+, GID -?\d+\))?$/m.exec(
      text,
    );
  if (!holder?.[2] || !holder[3] || !holder[4]) return undefined;
  const created = /^lock was created at (.+?)(?: \((.+) ago\))?$/m.exec(text);
  const ageSeconds = created?.[2] === undefined ? undefined : parseGoDuration(created[2]);
  const storageId = /^storage ID ([0-9a-f]+)$/m.exec(text)?.[1];
  return {
    pid: Number(holder[2]),
    host: holder[3],
    user: holder[4],
    ...(created?.[1] ? { createdAt: created[1] } : {}),
    ...(ageSeconds === undefined ? {} : { ageSeconds }),
    exclusive: holder[1] !== undefined,
    ...(storageId === undefined ? {} : { storageId }),
  };
}

const GO_DURATION_UNITS: Readonly<Record<string, number>> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  µs: 1e-6,
  us: 1e-6,
  ns: 1e-9,
};

/** Go's `time.Duration.String()` form: `1h2m3.5s`, `350.539238ms`. */
export function parseGoDuration(text: string): number | undefined {
  // \u00b5 is Go's "µs" (escaped: the CLI bundle keeps to ASCII, which esbuild does not do in regexes).
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|\u00b5s|us|ns|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce(
    (sum, [, value, unit]) => sum + Number(value) * (GO_DURATION_UNITS[unit ?? ""] ?? 0),
    0,
  );
}

// A bare "EOF" only counts after an HTTP request or sftp: a local `unexpected EOF` is a damaged file.
const NETWORK_FAILURE =
  /connection refused|connection reset|no such host|i\/o timeout|network is unreachable|no route to host|dial tcp|tls handshake timeout|context deadline exceeded|\b50[0-4] (?:Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway Timeout)\b|unexpected HTTP response \(5\d\d\)|server response unexpected: 5\d\d|unable to start the sftp session|(?:^|subprocess )ssh: |rclone: |"https?:\/\/[^"]*": (?:unexpected )?EOF/i;

/**
 * Names why a restic run failed. Prefers what newer restic states outright (the 0.18 `exit_error`
 * JSON, the 0.17 exit codes 10/11/12) and falls back to the stderr texts of 0.14.
 */
export function classifyFailure(input: {
  exitCode: number | undefined;
  stderr: string;
  messages?: readonly ResticMessage[];
}): ResticFailure {
  const exitError = findExitError(input);
  const exitCode = input.exitCode ?? exitError?.code;
  const text = exitError ? `${exitError.message}\n${input.stderr}` : input.stderr;
  const all = lines(text).filter((line) => !line.startsWith("{"));
  const has = (pattern: RegExp) => all.some((line) => pattern.test(line));
  const find = (pattern: RegExp) => all.find((line) => pattern.test(line));

  if (exitCode === 130 || has(/signal interrupt received/)) {
    return { code: "INTERRUPTED", message: "restic was interrupted (SIGINT) and stopped before finishing" };
  }
  // 0.17+ says "an empty password is not allowed by default. Pass the flag `--insecure-no-password`…";
  // the advice is restic's own flag, so only the first sentence is kept.
  const passwordLine = find(
    /Resolving password failed|an empty password is not (?:a password|allowed)|Password file and command are mutually exclusive/,
  );
  if (passwordLine) {
    const cause = withoutPrefixes(
      passwordLine.replace(/^.*Resolving password failed:\s*/, "").replace(/\. Pass the flag .*$/, ""),
    );
    return { code: "PASSWORD_UNAVAILABLE", message: `Could not get the repository password: ${cause}` };
  }
  if (exitCode === 12 || has(/wrong password or no key found/)) {
    return {
      code: "WRONG_PASSWORD",
      message: "Wrong password: no key in the repository matches it",
    };
  }
  if (exitCode === 11 || has(/repository is already locked/)) {
    return { code: "REPO_LOCKED", message: describeLock(parseLockHolder(text)) };
  }
  const fullLine = find(/no space left on device/i);
  if (fullLine) {
    const where = /(?:write|open|create|mkdir|rename|sync) (.+?): no space left on device/i.exec(
      fullLine,
    )?.[1];
    const suffix = where ? ` writing to ${repositoryRoot(where)}` : "";
    return { code: "DESTINATION_FULL", message: `Destination full: no space left on device${suffix}` };
  }
  if (exitCode !== 10) {
    const networkLine = find(NETWORK_FAILURE);
    if (networkLine) {
      return {
        code: "BACKEND_UNAVAILABLE",
        message: `Cannot reach the repository backend: ${withoutPrefixes(networkLine)}`,
      };
    }
  }
  if (exitCode === 10 || has(/repository does not exist/) || isMissingConfig(all)) {
    const location = repositoryLocation(all);
    return {
      code: "REPO_NOT_FOUND",
      message: location
        ? `No restic repository at ${location}`
        : "No restic repository at the configured location",
    };
  }
  // 0.14: "all target directories/files do not exist"; 0.18: "all source directories/files …".
  if (has(/all (?:target|source) directories\/files do not exist/)) {
    const skipped = findSkippedSources(input.stderr);
    return {
      code: "SOURCE_MISSING",
      message: skipped.length
        ? `None of the backup sources exist: ${skipped.join(", ")}`
        : "None of the backup sources exist",
    };
  }
  return { code: "RESTIC_FAILED", message: describeGenericFailure(all, exitCode, exitError?.message) };
}

function findExitError(input: {
  stderr: string;
  messages?: readonly ResticMessage[];
}): Extract<ResticMessage, { message_type: "exit_error" }> | undefined {
  const fromMessages = input.messages?.findLast((m) => m.message_type === "exit_error");
  if (fromMessages?.message_type === "exit_error") return fromMessages;
  for (const line of input.stderr.split("\n").reverse()) {
    const message = parseResticLine(line);
    if (message?.message_type === "exit_error") return message;
  }
  return undefined;
}

// A config that is absent (local stat, rest-server 404), as opposed to one that could not be read:
// 0.14 asks "Is there a repository…?" after network and permission failures too.
function isMissingConfig(all: readonly string[]): boolean {
  return all.some(
    (line) =>
      /unable to open config file/.test(line) && /no such file or directory|does not exist/.test(line),
  );
}

// 0.14 names the location on the line after its question; 0.17+ keeps the same two lines.
function repositoryLocation(all: readonly string[]): string | undefined {
  const question = all.findIndex((line) => /Is there a repository at the following location\?/.test(line));
  if (question >= 0) return all[question + 1];
  const config = /stat (.+)[/\\]config: /.exec(all.join("\n"));
  return config?.[1];
}

function describeLock(holder: LockHolder | undefined): string {
  if (!holder) return "Repository is locked by another restic process";
  const kind = holder.exclusive ? "locked exclusively" : "locked";
  const since = holder.createdAt ? ` since ${holder.createdAt}` : "";
  return `Repository is ${kind} by PID ${holder.pid} on ${holder.host} by ${holder.user}${since}; if that process is gone, \`restic unlock\` removes the stale lock`;
}

// restic names the temporary pack or index file; the repository folder is what a person recognises.
function repositoryRoot(path: string): string {
  const inRepo = /^(.*?)[/\\](?:data[/\\][0-9a-f]{2}|index|snapshots|locks|keys)[/\\][^/\\]+$/.exec(path);
  if (inRepo?.[1]) return inRepo[1];
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash > 0 ? path.slice(0, slash) : path;
}

function withoutPrefixes(line: string): string {
  return line.replace(/^(?:(?:Fatal|subprocess ssh|error):\s*)+/i, "").trim();
}

function describeGenericFailure(
  all: readonly string[],
  exitCode: number | undefined,
  exitErrorMessage: string | undefined,
): string {
  // A Go panic ends in a goroutine dump; its first line is the one that says what happened.
  const line =
    (exitErrorMessage ? lines(exitErrorMessage)[0] : undefined) ??
    all.findLast((l) => l.startsWith("Fatal:")) ??
    all.find((l) => l.startsWith("panic:")) ??
    all.at(-1);
  // 0.18 repeats "Fatal: " inside a message ("create repository at /r failed: Fatal: unable to open…").
  if (line) return withoutPrefixes(line).replaceAll(": Fatal: ", ": ") || line;
  return exitCode === undefined ? "restic failed without output" : `restic exited with code ${exitCode}`;
}
