import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { FoundTool } from "./dump-tools.js";
import type { ToolCommand } from "./engines.js";

/** How a database tool ended: its exit code (undefined when a signal ended it) and what it said. */
export interface ToolExit {
  readonly exitCode: number | undefined;
  readonly signal: NodeJS.Signals | null;
  /** Its stderr, line by line, the last {@link KEPT_STDERR_LINES} only. */
  readonly stderrLines: readonly string[];
}

/** A dump tool that fails says why in its last lines; a chatty one must not fill memory. */
const KEPT_STDERR_LINES = 50;

/** `exit 1`, or `killed by SIGTERM`: how a tool ended, in a message. */
export function describeToolExit(exit: Pick<ToolExit, "exitCode" | "signal">): string {
  return exit.exitCode === undefined ? `killed by ${exit.signal ?? "a signal"}` : `exit ${exit.exitCode}`;
}

/** A started database tool: its stdout to read, and its end. */
export interface StartedTool {
  readonly stdout: NodeJS.ReadableStream;
  readonly exited: Promise<ToolExit>;
  /** Stops it (SIGTERM) unless it has ended. */
  stop(): void;
}

/**
 * Starts a database tool with its settings in its environment (never on argv), stdin fed `input` or
 * closed, stderr kept for the failure message and told line by line to `onStderrLine`.
 */
export function startDatabaseTool(
  tool: FoundTool,
  command: ToolCommand,
  options: {
    readonly env?: NodeJS.ProcessEnv;
    readonly input?: string;
    readonly onStderrLine?: (line: string) => void;
  } = {},
): StartedTool {
  const child = spawn(tool.path, [...command.args], {
    env: { ...(options.env ?? process.env), ...command.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined) {
    // A tool that exits before reading all of its input is judged by its exit code, not by EPIPE.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input);
  }
  const stderrLines: string[] = [];
  const stderrDone = new Promise<void>((resolve) => {
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      stderrLines.push(line);
      if (stderrLines.length > KEPT_STDERR_LINES) stderrLines.shift();
      options.onStderrLine?.(line);
    });
    lines.on("close", resolve);
  });
  const exited = new Promise<ToolExit>((resolve) => {
    child.on("error", (error) => {
      stderrLines.push(error.message);
      resolve({ exitCode: 127, signal: null, stderrLines });
    });
    child.on("close", (code, signal) => {
      void stderrDone.then(() => resolve({ exitCode: code ?? undefined, signal, stderrLines }));
    });
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  return {
    stdout: child.stdout as NodeJS.ReadableStream,
    exited,
    stop: () => {
      if (!ended) child.kill("SIGTERM");
    },
  };
}

/** Runs a tool to its end with its stdout collected: a short query (the databases of a server). */
export async function runDatabaseTool(
  tool: FoundTool,
  command: ToolCommand,
  options: { readonly env?: NodeJS.ProcessEnv; readonly input?: string } = {},
): Promise<ToolExit & { readonly stdout: string }> {
  const started = startDatabaseTool(tool, command, options);
  const chunks: Buffer[] = [];
  started.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const exit = await started.exited;
  return { ...exit, stdout: Buffer.concat(chunks).toString("utf8") };
}
