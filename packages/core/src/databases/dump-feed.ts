import { PassThrough } from "node:stream";
import type { FoundTool } from "./dump-tools.js";
import type { ToolCommand } from "./engines.js";
import { NamedPipe } from "./named-pipe.js";
import { type StartedTool, startDatabaseTool, type ToolExit } from "./run-tool.js";

/**
 * restic before 0.17 has no `--stdin-from-command`: the dump tool's output is fed to
 * `restic backup --stdin`, streamed (never a temporary file: a database larger than the free disk
 * still backs up, and memory stays flat). restic saves its snapshot when its input ends, so the end is
 * withheld until the tool has exited 0. A tool that fails aborts {@link failed} instead, and restic,
 * stopped with SIGINT before the end of its input, saves nothing: a truncated dump never becomes a
 * snapshot.
 *
 * The way is a named pipe ({@link NamedPipe}); where there is none (Windows), the output is relayed
 * through this process, its end withheld the same way.
 */
export class DumpFeed {
  private readonly failure = new AbortController();
  private current: StartedTool | undefined;
  private lastExit: Promise<ToolExit> | undefined;
  private finishing = false;
  private ownFailure: ToolExit | undefined;

  /** Aborted when the dump tool failed: restic must be stopped before its input ends. */
  readonly failed: AbortSignal = this.failure.signal;

  private constructor(
    private readonly tool: FoundTool,
    private readonly command: ToolCommand,
    private readonly options: DumpFeedOptions,
    private readonly pipe: NamedPipe | undefined,
  ) {}

  static async create(
    tool: FoundTool,
    command: ToolCommand,
    options: DumpFeedOptions = {},
  ): Promise<DumpFeed> {
    return new DumpFeed(tool, command, options, await NamedPipe.create());
  }

  /**
   * Starts the dump and returns restic's stdin: the pipe's reading end, or a stream. Called again when
   * restic runs once more (after a stale lock was removed): the earlier dump is stopped and a new one
   * starts from the beginning.
   */
  readonly input = (): NodeJS.ReadableStream | number => {
    this.current?.stop();
    return this.pipe ? this.throughPipe(this.pipe) : this.throughProcess();
  };

  private throughPipe(pipe: NamedPipe): number {
    const { writer, reader } = pipe.openEnds();
    const started = startDatabaseTool(this.tool, this.command, { ...this.options, stdout: writer });
    this.watch(started, () => pipe.close(writer));
    return reader;
  }

  private throughProcess(): NodeJS.ReadableStream {
    const started = startDatabaseTool(this.tool, this.command, { ...this.options, stdout: "stream" });
    const input = new PassThrough();
    started.stdout?.pipe(input, { end: false });
    this.watch(started, () => input.end());
    return input;
  }

  /** Ends restic's input once the tool exited 0; else says it failed, so restic is stopped first. */
  private watch(started: StartedTool, endInput: () => void): void {
    this.current = started;
    this.lastExit = started.exited.then((exit) => {
      // A dump replaced by a new one is neither the end of the input nor its failure.
      if (this.current !== started || this.finishing) return exit;
      if (exit.exitCode === 0) {
        endInput();
      } else {
        this.ownFailure = exit;
        this.failure.abort();
      }
      return exit;
    });
  }

  /**
   * After restic has ended: stops a dump still writing (restic failed first, and nothing reads it any
   * more), removes the pipe, and returns how the dump ended when it failed by itself, before that;
   * undefined otherwise.
   */
  async finish(): Promise<ToolExit | undefined> {
    this.finishing = true;
    this.current?.stop();
    // Relayed output nobody reads any more is dropped: a stream held up by a full pipe never ends, and
    // the tool's end would never be seen.
    this.current?.stdout?.unpipe();
    this.current?.stdout?.resume();
    await this.lastExit;
    await this.pipe?.dispose();
    return this.ownFailure;
  }
}

export interface DumpFeedOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onStderrLine?: (line: string) => void;
  /** Relay through this process even where a named pipe could be made (the way tests take on Linux). */
  readonly relay?: boolean;
}
