import { Transform, type Writable } from "node:stream";
import type { BackupJob } from "../config/types.js";
import type { StartedClient, ToolExit } from "../databases/run-tool.js";
import type { SimplebackupError } from "../errors.js";
import { buildDumpArgs, type DumpArchiveFormat } from "../restic/commands/dump.js";
import { createJobRestic } from "../restic/job-restic.js";
import type { ActionOptions } from "./action-options.js";

/** What reads a dump streamed out of the repository: a database client's stdin, or a file. */
export interface DumpConsumer {
  readonly input: Writable;
  /** Its end: undefined when it took the whole dump, else why it failed. */
  readonly done: Promise<SimplebackupError | undefined>;
  /** Stops it before its input ends: the dump was cut short and must not be taken as whole. */
  stop(): void;
}

/**
 * Streams `restic dump <snapshot> <path>` into `consumer`, never through a temporary file (a dump
 * larger than the free disk still restores; memory stays at the pipes' buffers). The consumer's input
 * is ended only once restic exited 0; if restic fails, the consumer is stopped instead, and if the
 * consumer fails, restic is stopped (SIGINT, so it removes its lock). The one that failed first is
 * the error.
 * With `archive`, a folder is streamed packed that way.
 * @returns the bytes of the dump
 * @throws ResticError when restic failed first or was interrupted; the consumer's error when it failed
 */
export async function streamDump(
  job: BackupJob,
  options: ActionOptions,
  snapshotId: string,
  path: string,
  consumer: DumpConsumer,
  dumpOptions: { readonly archive?: DumpArchiveFormat } = {},
): Promise<number> {
  const stopRestic = new AbortController();
  let consumerFailure: SimplebackupError | undefined;
  const consumerDone = consumer.done.then((failure) => {
    consumerFailure = failure;
    if (failure) stopRestic.abort();
  });
  const signal = options.signal ? AbortSignal.any([options.signal, stopRestic.signal]) : stopRestic.signal;
  const restic = createJobRestic(job, { ...options, signal });
  const args = buildDumpArgs(snapshotId, path, dumpOptions);
  const result = await restic.run(args, { stdout: consumer.input });
  const consumerFailedFirst = stopRestic.signal.aborted;
  const resticOk = result.exitCode === 0 && !result.interrupted;
  if (resticOk) consumer.input.end();
  else consumer.stop();
  await consumerDone;

  if (options.signal?.aborted || (!resticOk && !consumerFailedFirst)) throw restic.error(result, args);
  if (consumerFailure) throw consumerFailure;
  return result.stdoutBytes ?? 0;
}

/**
 * A database client as the consumer of a dump: it failed when `failure` says so of its exit. With
 * `onChunk`, each chunk is shown to it on the way (a drill looks for the dump's tables).
 */
export function clientConsumer(
  client: StartedClient,
  failure: (exit: ToolExit) => SimplebackupError | undefined,
  onChunk?: (chunk: Buffer) => void,
): DumpConsumer {
  const done = client.exited.then(failure);
  if (!onChunk) return { input: client.stdin, done, stop: client.stop };
  const input = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback(null, chunk);
    },
  });
  input.pipe(client.stdin);
  // A client gone takes its input with it: restic's output is then drained, not held.
  void client.exited.then(() => input.destroy());
  return { input, done, stop: client.stop };
}
