import { createInterface } from "node:readline";
import { x } from "tinyexec";
import { SimplebackupError } from "../errors.js";

export interface ResticProcessOptions {
  /** Full environment overrides; a key set to undefined is removed from the inherited environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly onStdoutLine?: ((line: string) => void) | undefined;
  readonly onStderrLine?: ((line: string) => void) | undefined;
  /** Called once the process exists, e.g. to record its PID. */
  readonly onSpawn?: ((pid: number | undefined) => void) | undefined;
}

export interface ResticProcessResult {
  readonly exitCode: number | undefined;
  /** Set when the process died from a signal. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when our AbortSignal asked it to stop. */
  readonly interrupted: boolean;
}

/**
 * Runs restic once and streams its lines. Cancelling sends SIGINT, never SIGTERM: restic 0.14 removes
 * its lock on SIGINT but leaves it behind on SIGTERM.
 */
export async function runResticProcess(
  binary: string,
  args: readonly string[],
  options: ResticProcessOptions,
): Promise<ResticProcessResult> {
  const child = x(binary, args, {
    throwOnError: false,
    nodePath: false,
    nodeOptions: { env: options.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
  });
  const proc = child.process;
  options.onSpawn?.(child.pid);

  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    child.kill("SIGINT");
  };
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener("abort", interrupt, { once: true });

  const stdoutLines = collectLines(proc?.stdout, options.onStdoutLine);
  const stderrLines = collectLines(proc?.stderr, options.onStderrLine);
  try {
    const [stdout, stderr] = await Promise.all([stdoutLines, stderrLines]);
    await child;
    return { exitCode: child.exitCode, signal: child.signalCode, stdout, stderr, interrupted };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SimplebackupError("RESTIC_NOT_FOUND", `restic could not be started: ${binary} not found`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", interrupt);
  }
}

async function collectLines(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine: ((line: string) => void) | undefined,
): Promise<string> {
  if (!stream) return "";
  const lines: string[] = [];
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    lines.push(line);
    onLine?.(line);
  }
  return lines.join("\n");
}
