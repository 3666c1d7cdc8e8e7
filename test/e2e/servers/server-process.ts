import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** What went wrong with a test database server; `code` says which step, the message carries the log tail. */
export class DatabaseServerError extends Error {
  constructor(
    readonly code: "NOT_INSTALLED" | "START_FAILED" | "COMMAND_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DatabaseServerError";
  }
}

/** A port nothing listens on right now (another process may still take it first: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts a server at a free port (or at `port` on a restart), and when another test took that port
 * between freePort() and the server's bind (its log says `portTaken`), at another, three tries in all.
 * @returns the port it listens on
 * @throws DatabaseServerError START_FAILED with `what`, the reason and the log's tail
 */
export async function launchAtFreePort(options: {
  readonly port: number;
  readonly launch: (port: number) => Promise<void>;
  readonly portTaken: RegExp;
  readonly what: string;
  readonly logPath: string;
}): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 || attempt > 1 ? await freePort() : options.port;
    try {
      await options.launch(port);
      return port;
    } catch (error) {
      const portTaken = error instanceof ServerExitedError && options.portTaken.test(error.log);
      if (!portTaken || attempt === 3) {
        throw new DatabaseServerError(
          "START_FAILED",
          `${options.what}: ${(error as Error).message}\n${logTail(options.logPath)}`,
          { cause: error },
        );
      }
    }
  }
}

/** The last `lines` lines of a log file, or a note that there is none. */
export function logTail(path: string, lines = 25): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Appends to `path` and returns the descriptor, for a child's stdout and stderr. */
export function openLog(path: string): number {
  return openSync(path, "a", 0o600);
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin (SQL goes here, not into argv, so its size is not limited). */
  input?: string;
  uid?: number;
  gid?: number;
  cwd?: string;
}

/**
 * Runs a command to its end and returns its stdout; a non-zero exit throws with the stderr tail. Secrets go
 * in `env`, never in `args`: the error names the command line.
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on("error", () => {}); // a command that exits early closes its stdin; the exit code tells
    child.once("error", (error: NodeJS.ErrnoException) => {
      const code = error.code === "ENOENT" ? "NOT_INSTALLED" : "COMMAND_FAILED";
      const hint = code === "NOT_INSTALLED" ? " (scripts/test.sh installs what the tests need)" : "";
      reject(
        new DatabaseServerError(code, `${file} could not start: ${error.message}${hint}`, { cause: error }),
      );
    });
    child.once("close", (code, signal) => {
      const out = Buffer.concat(stdout).toString("utf8");
      if (code === 0) return resolve(out);
      const tail = Buffer.concat(stderr).toString("utf8").trimEnd().split("\n").slice(-15).join("\n");
      reject(
        new DatabaseServerError(
          "COMMAND_FAILED",
          `${file} ${args.join(" ")} exited with ${code ?? signal}:\n${tail}`,
        ),
      );
    });
    child.stdin.end(options.input ?? "");
  });
}

/** The environment without variables whose prefix is given (PGHOST, MYSQL_HOST, ... would redirect clients). */
export function envWithout(prefixes: readonly string[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Waits until the server's log, from `fromOffset` on, has a line matching `ready`. Rejects when the child
 * exits first or after `timeoutMs`, with the log tail. Reading the log needs no client process per poll and
 * sees "ready" only once the server really accepts logins (postgres listens before it does).
 */
export async function waitForLogLine(
  child: ChildProcess,
  logPath: string,
  fromOffset: number,
  ready: RegExp,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logPath) ? readFileSync(logPath).subarray(fromOffset).toString("utf8") : "";
    if (ready.test(text)) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ServerExitedError(text, child.exitCode ?? child.signalCode);
    }
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The server process ended during its start; `log` is what it wrote in this attempt. */
export class ServerExitedError extends Error {
  constructor(
    readonly log: string,
    exit: number | string | null,
  ) {
    super(`the server exited with ${exit} while starting`);
  }
}

/**
 * Sends `signal` to the child and waits until it has exited (and is reaped: its pid is then gone). After
 * `graceMs` it sends SIGKILL, so a stop never leaves a process behind.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The command line that runs a server so that it gets `signal` when the test process that started it dies,
 * however it dies: vitest ends its workers without running their exit handlers, and a test that fails
 * before its afterAll must not leave a database server running on the machine. setpriv (util-linux) sets
 * the parent-death signal after the spawn's uid change (which would clear it) and execs the server, so the
 * child's pid stays the server's own.
 */
export function diesWithParent(
  file: string,
  args: readonly string[],
  signal: NodeJS.Signals,
): [string, string[]] {
  if (!existsSync("/usr/bin/setpriv")) return [file, [...args]];
  return ["/usr/bin/setpriv", [`--pdeathsig=${signal.replace(/^SIG/, "")}`, "--", file, ...args]];
}
