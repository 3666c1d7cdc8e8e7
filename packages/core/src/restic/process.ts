import { createInterface } from "node:readline";
import { x } from "tinyexec";
import { DEFAULT_BACKEND_UNREACHABLE_AFTER_MS } from "../config/defaults.js";
import { SimplebackupError } from "../errors.js";
import { formatHumanDuration } from "../format/duration.js";
import {
  type BackendRetry,
  createBackendRetryWatchdog,
  type ResticTimers,
  realTimers,
} from "./backend-watchdog.js";

/**
 * How long restic gets after SIGINT before SIGTERM, and after SIGTERM before SIGKILL. restic removes its
 * lock on SIGINT, but against a backend it cannot reach it retries that removal for about a minute
 * (0.14 and 0.18 alike, measured) and 0.18 ignores SIGTERM meanwhile: a signal must end a command
 * within 10 s all the same. A lock left behind is stale (its process is gone); the next run removes it.
 */
export interface StopEscalation {
  readonly sigtermAfterMs: number;
  readonly sigkillAfterMs: number;
}

const DEFAULT_STOP_ESCALATION: StopEscalation = Object.freeze({
  sigtermAfterMs: 3_000,
  sigkillAfterMs: 2_000,
});

/** How long the pipes may stay open after SIGKILL, by a process that restic started. */
const PIPES_AFTER_SIGKILL_MS = 1_000;

export interface ResticProcessOptions {
  /** Full environment overrides; a key set to undefined is removed from the inherited environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly onStdoutLine?: ((line: string) => void) | undefined;
  readonly onStderrLine?: ((line: string) => void) | undefined;
  /** Called once the process exists, e.g. to record its PID. */
  readonly onSpawn?: ((pid: number | undefined) => void) | undefined;
  /**
   * restic is stopped (SIGINT) once it has retried one backend request for this long; the result
   * then carries `backendUnreachable`. `Infinity` lets restic retry as long as it likes.
   * @default 45 s
   */
  readonly backendUnreachableAfterMs?: number | undefined;
  /** @default {@link DEFAULT_STOP_ESCALATION} */
  readonly stopEscalation?: StopEscalation | undefined;
  /** Told when restic had to be sent more than SIGINT to stop. */
  readonly onNotice?: ((line: string) => void) | undefined;
  /** @default the real timers */
  readonly timers?: ResticTimers | undefined;
  /**
   * What restic reads on stdin (`backup --stdin`); its end is restic's end of input. Without it restic's
   * stdin is closed. If restic exits first, the stream is unpiped and left to its owner. A file
   * descriptor (a named pipe's reading end) becomes restic's stdin itself; its owner closes it.
   */
  readonly stdin?: NodeJS.ReadableStream | number | undefined;
  /**
   * Where restic's stdout goes as bytes (`dump`), instead of being read as lines: `onStdoutLine` is not
   * called and the result's `stdout` is empty. Never ended here: its owner ends it once restic exited 0,
   * so a reader of a dump cut short by restic's failure is stopped rather than told it was whole. If it
   * stops taking data (its reader exited), the rest of restic's output is read and dropped.
   */
  readonly stdout?: NodeJS.WritableStream | undefined;
}

export interface ResticProcessResult {
  readonly exitCode: number | undefined;
  /** Set when the process died from a signal. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when our AbortSignal asked it to stop. */
  readonly interrupted: boolean;
  /** Set when restic was stopped because it kept retrying a backend request (the watchdog). */
  readonly backendUnreachable?: BackendRetry | undefined;
  /** The backend request restic was still retrying when it ended, if any. */
  readonly backendFailing?: BackendRetry | undefined;
  /** With the `stdout` option: how many bytes restic wrote there. */
  readonly stdoutBytes?: number | undefined;
}

/**
 * Runs restic once and streams its lines. Stopping sends SIGINT first, never SIGTERM first: restic 0.14
 * removes its lock on SIGINT but leaves it behind on SIGTERM. It stops on our AbortSignal, and when
 * restic has retried a backend request past `backendUnreachableAfterMs`.
 */
export async function runResticProcess(
  binary: string,
  args: readonly string[],
  options: ResticProcessOptions,
): Promise<ResticProcessResult> {
  const timers = options.timers ?? realTimers;
  const child = x(binary, args, {
    throwOnError: false,
    nodePath: false,
    nodeOptions: {
      env: options.env as NodeJS.ProcessEnv,
      stdio: [
        typeof options.stdin === "number" ? options.stdin : options.stdin ? "pipe" : "ignore",
        "pipe",
        "pipe",
      ],
    },
  });
  const proc = child.process;
  options.onSpawn?.(child.pid);
  const detachStdin = typeof options.stdin === "number" ? () => {} : feedStdin(options.stdin, proc?.stdin);

  let interrupted = false;
  let backendUnreachable: BackendRetry | undefined;
  const watchdog = createBackendRetryWatchdog({
    unreachableAfterMs: options.backendUnreachableAfterMs ?? DEFAULT_BACKEND_UNREACHABLE_AFTER_MS,
    timers,
    onUnreachable: (retry) => {
      backendUnreachable = retry;
      stopper.stop();
    },
  });
  const stdoutLines: PipedOutput = options.stdout
    ? pipeStdout(proc?.stdout, options.stdout)
    : collectLines(proc?.stdout, options.onStdoutLine);
  const stderrLines = collectLines(proc?.stderr, (line) => {
    watchdog.observe(line);
    options.onStderrLine?.(line);
  });
  // A process restic left behind (a wrapper's child, an ssh) may hold the pipes open past restic's
  // death by SIGKILL; the command ends all the same.
  const stopper = createStopper(child, timers, options, () => {
    stdoutLines.abandon();
    stderrLines.abandon();
  });
  const interrupt = () => {
    interrupted = true;
    stopper.stop();
  };
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener("abort", interrupt, { once: true });

  try {
    const [stdout, stderr] = await Promise.all([stdoutLines.text, stderrLines.text]);
    await child;
    return {
      exitCode: child.exitCode,
      signal: child.signalCode,
      stdout,
      stderr,
      interrupted,
      backendUnreachable,
      backendFailing: backendUnreachable ?? watchdog.failing(),
      ...(stdoutLines.bytes ? { stdoutBytes: stdoutLines.bytes() } : {}),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SimplebackupError("RESTIC_NOT_FOUND", `restic could not be started: ${binary} not found`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    detachStdin();
    watchdog.stop();
    stopper.exited();
    options.signal?.removeEventListener("abort", interrupt);
  }
}

/**
 * Pipes `input` into restic's stdin. restic may exit before reading it all (a wrong password, a
 * failure): the write then fails with EPIPE, which is restic's failure to report, not a crash of ours.
 * @returns a function that unpipes, once restic has exited
 */
function feedStdin(
  input: NodeJS.ReadableStream | undefined,
  stdin: NodeJS.WritableStream | null | undefined,
): () => void {
  if (!input || !stdin) return () => {};
  stdin.on("error", () => {});
  input.pipe(stdin);
  return () => input.unpipe(stdin);
}

/** SIGINT, then SIGTERM and SIGKILL while restic has not exited; each step is said. */
function createStopper(
  child: { kill(signal: NodeJS.Signals): boolean },
  timers: ResticTimers,
  options: Pick<ResticProcessOptions, "stopEscalation" | "onNotice">,
  abandonPipes: () => void,
) {
  const { sigtermAfterMs, sigkillAfterMs } = options.stopEscalation ?? DEFAULT_STOP_ESCALATION;
  let stopping = false;
  let timer: object | undefined;
  const later = (ms: number, step: () => void) => {
    timer = timers.setTimer(() => {
      timer = undefined;
      step();
    }, ms);
  };
  return {
    stop() {
      if (stopping) return;
      stopping = true;
      child.kill("SIGINT");
      later(sigtermAfterMs, () => {
        options.onNotice?.(
          `restic had not exited ${formatHumanDuration(sigtermAfterMs)} after SIGINT: sent SIGTERM`,
        );
        child.kill("SIGTERM");
        later(sigkillAfterMs, () => {
          options.onNotice?.(
            `restic had not exited ${formatHumanDuration(sigkillAfterMs)} after SIGTERM: sent SIGKILL`,
          );
          child.kill("SIGKILL");
          later(PIPES_AFTER_SIGKILL_MS, abandonPipes);
        });
      });
    },
    exited() {
      if (timer !== undefined) timers.clearTimer(timer);
      timer = undefined;
    },
  };
}

/** A stream of restic's being read: what it said (lines; empty when piped), and the bytes piped. */
interface PipedOutput {
  readonly text: Promise<string>;
  abandon(): void;
  readonly bytes?: () => number;
}

/**
 * Pipes restic's stdout into `destination` with backpressure (a slow reader slows restic, memory stays
 * at the pipes' buffers), counting the bytes. A destination that fails (EPIPE: its reader exited) is
 * unpiped and the rest drained, so restic never blocks on a full pipe nobody reads.
 */
function pipeStdout(
  stream: NodeJS.ReadableStream | null | undefined,
  destination: NodeJS.WritableStream,
): PipedOutput & { readonly bytes: () => number } {
  let bytes = 0;
  if (!stream) return { text: Promise.resolve(""), abandon() {}, bytes: () => bytes };
  stream.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const drain = () => {
    stream.unpipe(destination);
    stream.resume();
  };
  destination.on("error", drain);
  destination.on("close", drain);
  stream.pipe(destination, { end: false });
  const text = new Promise<string>((resolve) => {
    stream.once("end", () => resolve(""));
    stream.once("close", () => resolve(""));
  }).finally(() => {
    destination.removeListener("error", drain);
    destination.removeListener("close", drain);
  });
  return {
    text,
    abandon() {
      (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
    },
    bytes: () => bytes,
  };
}

/** Collects a stream's lines; `abandon` ends that at once, keeping the lines read so far. */
function collectLines(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine: ((line: string) => void) | undefined,
): { text: Promise<string>; abandon(): void } {
  if (!stream) return { text: Promise.resolve(""), abandon() {} };
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const lines: string[] = [];
  const text = (async () => {
    for await (const line of reader) {
      lines.push(line);
      onLine?.(line);
    }
    return lines.join("\n");
  })();
  return {
    text,
    abandon() {
      reader.close();
      (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
    },
  };
}
