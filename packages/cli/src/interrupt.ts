import { formatHumanDuration } from "@simplebackup/core";

/**
 * How long the work gets after a signal before the process exits regardless: a signal ends a command
 * within 10 s. The work normally ends well before: restic gets SIGINT, then SIGTERM after 3 s and
 * SIGKILL 2 s later (core's runResticProcess), and the `restic unlock` after it 3 s at most.
 */
export const EXIT_AFTER_SIGNAL_MS = 9_500;

/** What happens when the work has not ended {@link EXIT_AFTER_SIGNAL_MS} after a signal. */
export interface SignalBackstop {
  readonly afterMs: number;
  readonly exit: (message: string) => void;
}

const EXIT_NOW: SignalBackstop = {
  afterMs: EXIT_AFTER_SIGNAL_MS,
  exit: (message) => {
    console.error(message);
    process.exit(130);
  },
};

/**
 * Runs `work` with a signal that SIGINT or SIGTERM aborts; `interrupted` tells whether one came.
 *
 * Ctrl-C reaches restic through the terminal too; the abort covers a SIGINT sent to us alone.
 * The handlers are `once` and go when the work ends, so a second Ctrl-C, or any signal after the work,
 * ends the process the default way. Once a signal came, the process exits after `backstop.afterMs`
 * whatever is still running (a hook, a notifier); the timer does not keep it alive.
 */
export async function withInterrupt<T>(
  work: (signal: AbortSignal) => Promise<T>,
  backstop: SignalBackstop = EXIT_NOW,
): Promise<{ result: T; interrupted: boolean }> {
  const controller = new AbortController();
  const abort = (name: NodeJS.Signals) => {
    controller.abort();
    setTimeout(
      () =>
        backstop.exit(
          `simplebackup: still stopping ${formatHumanDuration(backstop.afterMs)} after ${name}; exiting now (the next run removes a lock restic may have left)`,
        ),
      backstop.afterMs,
    ).unref();
  };
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
