/*
 * Database tools as child processes (pg_dump, psql, mariadb-dump, mariadb, sqlite3), for the dump of
 * a run, a restore's load and the short queries around them: settings in the environment, never on
 * argv; what they say on stderr kept for the failure message.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { FoundTool } from "./dump-tools.js";
import type { ToolCommand } from "./engines.js";

/** How a database tool ended, and what it said. */
export interface ToolExit {
  /** Undefined when a signal ended it, or it could not be started. */
  readonly exitCode: number | undefined;
  readonly signal: NodeJS.Signals | null;
  /** Its stderr, line by line, the last {@link KEPT_STDERR_LINES} only. */
  readonly stderrLines: readonly string[];
  /** The same, as one text. */
  readonly stderrTail: string;
  /** Its stdout, when collected (`stdout: "collect"`). */
  readonly stdout: string;
}

/** A tool that fails says why in its last lines; a chatty one must not fill memory. */
const KEPT_STDERR_LINES = 50;

/** `exit 1`, or `killed by SIGTERM`: how a tool ended, in a message. */
export function describeToolExit(exit: Pick<ToolExit, "exitCode" | "signal">): string {
  if (exit.exitCode !== undefined) return `exit ${exit.exitCode}`;
  return exit.signal ? `killed by ${exit.signal}` : "could not be started";
}

/** A started database tool: its streams as asked for, and its end. */
export interface StartedTool {
  /** Open for the caller with `stdin: "stream"`; else undefined. */
  readonly stdin: Writable | undefined;
  /** To read with `stdout: "stream"`; else undefined. */
  readonly stdout: Readable | undefined;
  readonly exited: Promise<ToolExit>;
  /** Stops it (SIGTERM) unless it has ended: its input was cut short, or nobody reads it any more. */
  stop(): void;
}

export interface StartToolOptions {
  /** The environment it inherits; the command's own settings go on top. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** `stream`: the caller feeds it; a string: written to it whole; else closed. */
  readonly stdin?: "stream" | string;
  /**
   * `stream`: the caller reads it; `collect`: kept for {@link ToolExit.stdout}; a file descriptor: the
   * tool writes there itself (a named pipe to restic); else dropped.
   */
  readonly stdout?: "stream" | "collect" | number;
  readonly onStderrLine?: (line: string) => void;
}

export function startDatabaseTool(
  tool: FoundTool,
  command: ToolCommand,
  options: StartToolOptions = {},
): StartedTool {
  const child = spawn(tool.path, [...command.args], {
    env: { ...(options.env ?? process.env), ...command.env },
    stdio: [
      options.stdin === undefined ? "ignore" : "pipe",
      typeof options.stdout === "number" ? options.stdout : options.stdout ? "pipe" : "ignore",
      "pipe",
    ],
  });
  // A tool that exits before reading all of its input is judged by its exit code, not by EPIPE.
  child.stdin?.on("error", () => {});
  if (options.stdin !== undefined && options.stdin !== "stream") child.stdin?.end(options.stdin);
  const collected: Buffer[] = [];
  if (options.stdout === "collect") child.stdout?.on("data", (chunk: Buffer) => collected.push(chunk));

  const stderrLines: string[] = [];
  const stderrDone = new Promise<void>((resolve) => {
    if (!child.stderr) return resolve();
    const lines = createInterface({ input: child.stderr });
    lines.on("line", (line) => {
      stderrLines.push(line);
      if (stderrLines.length > KEPT_STDERR_LINES) stderrLines.shift();
      options.onStderrLine?.(line);
    });
    lines.on("close", resolve);
  });
  let ended = false;
  const exited = new Promise<ToolExit>((resolve) => {
    const end = (exitCode: number | undefined, signal: NodeJS.Signals | null) => {
      ended = true;
      void stderrDone.then(() =>
        resolve({
          exitCode,
          signal,
          stderrLines,
          stderrTail: stderrLines.join("\n").trim(),
          stdout: Buffer.concat(collected).toString("utf8"),
        }),
      );
    };
    child.on("error", (error) => {
      stderrLines.push(error.message);
      end(undefined, null);
    });
    child.on("close", (code, signal) => end(code ?? undefined, signal));
  });
  return {
    stdin: options.stdin === "stream" ? (child.stdin ?? undefined) : undefined,
    stdout: options.stdout === "stream" ? (child.stdout ?? undefined) : undefined,
    exited,
    stop: () => {
      if (!ended) child.kill("SIGTERM");
    },
  };
}

/** Runs a tool to its end on `input` (a short query), its stdout collected. */
export function runDatabaseTool(
  tool: FoundTool,
  command: ToolCommand,
  options: { readonly env?: NodeJS.ProcessEnv; readonly input?: string } = {},
): Promise<ToolExit> {
  return startDatabaseTool(tool, command, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.input === undefined ? {} : { stdin: options.input }),
    stdout: "collect",
  }).exited;
}

/** A client whose stdin the caller feeds (a dump streamed from restic into psql, mariadb or sqlite3). */
export interface StartedClient extends StartedTool {
  readonly stdin: Writable;
}

export function startClient(tool: FoundTool, command: ToolCommand, env?: NodeJS.ProcessEnv): StartedClient {
  const started = startDatabaseTool(tool, command, { ...(env ? { env } : {}), stdin: "stream" });
  return { ...started, stdin: started.stdin as Writable };
}

/** Runs a client on its query (`buildServerQuery`), its answer collected. */
export function runClient(
  tool: FoundTool,
  command: ToolCommand & { readonly stdin: string },
  env?: NodeJS.ProcessEnv,
): Promise<ToolExit> {
  return runDatabaseTool(tool, command, { ...(env ? { env } : {}), input: command.stdin });
}
