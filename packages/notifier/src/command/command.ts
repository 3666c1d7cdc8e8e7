import { basename } from "node:path";
import { NonZeroExitError, x } from "tinyexec";
import { DEFAULT_NOTIFY_ON, type NotifierEventKind } from "../events.js";
import { formatMessage } from "../format/format-message.js";
import type { Notifier } from "../notifier.js";
import { redactOptions, redactText } from "../secrets/redact.js";

export interface CommandOptions {
  /** The program: a name on PATH or a path (relative to `cwd`). Run without a shell. */
  readonly command: string;
  readonly args?: readonly string[];
  /** The program is killed after this long. @default 30_000 */
  readonly timeoutMs?: number;
  /** Added to the daemon's environment; a good place for tokens (masked in logs and status). */
  readonly env?: Readonly<Record<string, string>>;
  /** @default the daemon's working folder; the config file's folder for config entries */
  readonly cwd?: string;
  /** @default the failure side, see DEFAULT_NOTIFY_ON */
  readonly on?: readonly NotifierEventKind[];
  /** @default "command <program name>" */
  readonly name?: string;
}

/**
 * Runs a program per event with `{ event, notification }` as JSON on stdin (the webhook's payload,
 * so one receiver script serves both) and SIMPLEBACKUP_EVENT, _JOB, _TITLE, _SEVERITY (and _TARGET for
 * a copy event) set for scripts that need no JSON. A non-zero exit counts as a failed delivery.
 */
export function command(options: CommandOptions): Notifier {
  const on = options.on ?? DEFAULT_NOTIFY_ON;
  const name = options.name ?? `command ${basename(options.command)}`;
  return {
    name,
    on,
    async notify(event, context) {
      const notification = formatMessage(event);
      const proc = x(options.command, options.args ?? [], {
        timeout: options.timeoutMs ?? 30_000,
        ...(context?.signal ? { signal: context.signal } : {}),
        nodeOptions: {
          ...(options.cwd ? { cwd: options.cwd } : {}),
          env: {
            ...options.env,
            SIMPLEBACKUP_EVENT: event.type,
            SIMPLEBACKUP_JOB: event.job,
            SIMPLEBACKUP_TITLE: notification.title,
            SIMPLEBACKUP_SEVERITY: notification.severity,
            // The copy_to target a copy event is about, for scripts that route by it without JSON.
            ...("target" in event ? { SIMPLEBACKUP_TARGET: event.target } : {}),
          },
        },
        throwOnError: true,
      });
      // Written here rather than through tinyexec's `stdin` option: a program that exits without
      // reading makes the pipe fail with EPIPE, which must not become an uncaught error in the daemon.
      const stdin = proc.process?.stdin;
      if (stdin) {
        stdin.on("error", () => {});
        stdin.end(JSON.stringify({ event, notification }));
      }
      try {
        await proc;
      } catch (error) {
        const abortedByHub = context?.signal.aborted === true;
        throw new Error(describeFailure(name, error, options.timeoutMs ?? 30_000, abortedByHub), {
          cause: error,
        });
      }
    },
    toJSON: () => ({
      name,
      type: "command",
      on,
      options: redactOptions({
        command: options.command,
        args: options.args,
        env: options.env,
        cwd: options.cwd,
        timeoutMs: options.timeoutMs,
      }) as Record<string, unknown>,
    }),
  };
}

function describeFailure(name: string, error: unknown, timeoutMs: number, abortedByHub: boolean): string {
  if (abortedByHub) return `${name} was stopped: the hub gave up on it`;
  if (error instanceof NonZeroExitError) {
    const stderr = (error.output?.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
    const how =
      error.result.signalCode !== null
        ? `was stopped by ${error.result.signalCode}`
        : `exited with code ${error.exitCode}`;
    return redactText(`${name} ${how}${stderr ? `: ${stderr}` : ""}`);
  }
  // tinyexec rejects with an AbortError when its timeout or the hub's signal stopped the program.
  if (error instanceof Error && error.name === "AbortError") {
    const timedOut = error.cause instanceof Error && error.cause.name === "TimeoutError";
    return `${name} was stopped: ${timedOut ? `it ran longer than ${timeoutMs} ms` : "the hub gave up on it"}`;
  }
  return redactText(`${name} could not run: ${error instanceof Error ? error.message : String(error)}`);
}
