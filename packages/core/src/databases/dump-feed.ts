import { PassThrough } from "node:stream";
import type { FoundTool } from "./dump-tools.js";
import type { ToolCommand } from "./engines.js";
import { type StartedTool, startDatabaseTool, type ToolExit } from "./run-tool.js";

/**
 * restic before 0.17 has no `--stdin-from-command`: the dump tool's output is fed to
 * `restic backup --stdin` through this pipe, streamed (never a temporary file: a database larger than
 * the free disk still backs up, and memory stays flat at the pipe's buffer). restic saves its snapshot
 * when its input ends, so the end is withheld until the tool has exited 0. A tool that fails aborts
 * {@link failed} instead, and restic, stopped with SIGINT before the end of its input, saves nothing:
 * a truncated dump never becomes a snapshot.
 */
export class DumpFeed {
  private readonly failure = new AbortController();
  private current: StartedTool | undefined;
  private lastExit: Promise<ToolExit> | undefined;
  private finishing = false;
  private ownFailure: ToolExit | undefined;

  /** Aborted when the dump tool failed: restic must be stopped before its input ends. */
  readonly failed: AbortSignal = this.failure.signal;

  constructor(
    private readonly tool: FoundTool,
    private readonly command: ToolCommand,
    private readonly options: {
      readonly env?: NodeJS.ProcessEnv;
      readonly onStderrLine?: (line: string) => void;
    } = {},
  ) {}

  /**
   * Starts the dump and returns restic's stdin. Called again when restic runs once more (after a stale
   * lock was removed): the earlier dump is stopped and a new one starts from the beginning.
   */
  readonly input = (): NodeJS.ReadableStream => {
    this.current?.stop();
    const started = startDatabaseTool(this.tool, this.command, { ...this.options, stdout: "stream" });
    this.current = started;
    const input = new PassThrough();
    started.stdout?.pipe(input, { end: false });
    this.lastExit = started.exited.then((exit) => {
      // A dump replaced by a new one is neither the end of the input nor its failure.
      if (this.current !== started || this.finishing) return exit;
      if (exit.exitCode === 0) {
        input.end();
      } else {
        this.ownFailure = exit;
        this.failure.abort();
      }
      return exit;
    });
    return input;
  };

  /**
   * After restic has ended: stops a dump still writing (restic failed first, and nothing reads it any
   * more). Returns how the dump ended when it failed by itself, before that; undefined otherwise.
   */
  async finish(): Promise<ToolExit | undefined> {
    this.finishing = true;
    this.current?.stop();
    // What the tool wrote and nobody reads any more is dropped: a stream held up by a full pipe never
    // ends, and the tool's end would never be seen.
    this.current?.stdout?.unpipe();
    this.current?.stdout?.resume();
    await this.lastExit;
    return this.ownFailure;
  }
}
