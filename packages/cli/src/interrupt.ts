/**
 * Runs `work` with a signal that SIGINT or SIGTERM aborts; `interrupted` tells whether one came.
 *
 * Ctrl-C reaches restic through the terminal too; the abort covers a SIGINT sent to us alone.
 * The handlers are `once` and go when the work ends, so a second Ctrl-C, or any signal after the work,
 * ends the process the default way.
 */
export async function withInterrupt<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ result: T; interrupted: boolean }> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once("SIGINT", abort).once("SIGTERM", abort);
  try {
    const result = await work(controller.signal);
    return { result, interrupted: controller.signal.aborted };
  } finally {
    process.off("SIGINT", abort).off("SIGTERM", abort);
  }
}

/**
 * For an action that throws once aborted: an error the interrupt caused prints `message`, sets exit
 * code 130 and gives undefined. A result that still arrives after the signal is returned as usual:
 * the action finished, so its outcome is the one to report.
 */
export async function runInterruptible<T>(
  message: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  const { result: finished } = await withInterrupt(async (signal) => {
    try {
      return { result: await work(signal) };
    } catch (error) {
      if (signal.aborted) return undefined;
      throw error;
    }
  });
  if (finished) return finished.result;
  console.error(message);
  process.exitCode = 130;
  return undefined;
}
