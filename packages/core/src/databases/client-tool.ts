import { spawn } from "node:child_process";
import type { Writable } from "node:stream";
import type { FoundTool } from "./dump-tools.js";
import type { ToolCommand } from "./engines.js";

/** How a client tool (psql, mariadb, sqlite3) ended, and the last lines it wrote on stderr. */
export interface ClientExit {
  /** Undefined when a signal ended it, or it could not be started. */
  readonly exitCode: number | undefined;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  /** Its stdout, when asked for (`collectStdout`). */
  readonly stdout: string;
}

/** A running client whose stdin the caller feeds (a dump streamed from restic). */
export interface StartedClient {
  readonly stdin: Writable;
  readonly exited: Promise<ClientExit>;
  /** Ends it (SIGTERM) unless it has ended: its input was cut short and must not be taken as whole. */
  stop(): void;
}

/** Enough of a failing client's stderr to say why, and never a screenful. */
const STDERR_TAIL_CHARS = 2_000;

/**
 * Starts a database client with its settings in its environment (never on argv) and its stdin open
 * for the caller. Its stdout is dropped unless `collectStdout` (a query's answer).
 */
export function startClient(
  tool: FoundTool,
  command: ToolCommand,
  options: { readonly env?: NodeJS.ProcessEnv; readonly collectStdout?: boolean } = {},
): StartedClient {
  const child = spawn(tool.path, [...command.args], {
    env: { ...(options.env ?? process.env), ...command.env },
    stdio: ["pipe", options.collectStdout ? "pipe" : "ignore", "pipe"],
  });
  const stdin = child.stdin as Writable;
  // A client that exits before reading all of its input is judged by its exit code, not by EPIPE.
  stdin.on("error", () => {});
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
  });
  const stdout: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  let ended = false;
  const exited = new Promise<ClientExit>((resolve) => {
    const end = (exitCode: number | undefined, signal: NodeJS.Signals | null) => {
      ended = true;
      resolve({
        exitCode,
        signal,
        stderrTail: stderr.trim(),
        stdout: Buffer.concat(stdout).toString("utf8"),
      });
    };
    child.on("error", (error) => {
      stderr += `${error.message}\n`;
      end(undefined, null);
    });
    child.on("close", (code, signal) => end(code ?? undefined, signal));
  });
  return {
    stdin,
    exited,
    stop: () => {
      if (!ended) child.kill("SIGTERM");
    },
  };
}

/** Runs a client to its end on `input` (a short query), its stdout collected. */
export function runClient(
  tool: FoundTool,
  command: ToolCommand & { readonly stdin: string },
  env?: NodeJS.ProcessEnv,
): Promise<ClientExit> {
  const started = startClient(tool, command, { ...(env ? { env } : {}), collectStdout: true });
  started.stdin.end(command.stdin);
  return started.exited;
}

/** `exit 3`, or `killed by SIGTERM`: how a client ended, in a message. */
export function describeClientExit(exit: Pick<ClientExit, "exitCode" | "signal">): string {
  if (exit.exitCode !== undefined) return `exit ${exit.exitCode}`;
  return exit.signal ? `killed by ${exit.signal}` : "could not be started";
}
