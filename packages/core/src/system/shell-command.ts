import { x } from "tinyexec";

export interface ShellCommandOptions {
  /**
   * The command's whole environment. tinyexec merges process.env underneath, so a variable set to
   * undefined here is removed (see `commandEnvironment`).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  /** Stops the command (its whole process group) like a timeout does. */
  readonly signal?: AbortSignal;
  /** Each line it prints, stdout and stderr together. */
  readonly onLine?: (line: string) => void;
}

export interface ShellCommandResult {
  /** Undefined when a signal stopped it or it could not start. */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Why it could not run at all (no shell); undefined when it ran. */
  readonly error: string | undefined;
}

/** How long a command stopped with SIGTERM gets before its process group is sent SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs a user's command through the shell (/bin/sh -c, cmd.exe on Windows), used by hooks and by the
 * `command` run condition. On POSIX it gets its own process group, so a timeout or an abort stops what
 * the shell started too (a `sleep`, a pg_dump), with SIGKILL when SIGTERM is not enough.
 */
export async function runShellCommand(
  command: string,
  options: ShellCommandOptions,
): Promise<ShellCommandResult> {
  const [shell, flags] = process.platform === "win32" ? ["cmd.exe", ["/d", "/s", "/c"]] : ["/bin/sh", ["-c"]];
  const detached = process.platform !== "win32";
  const child = x(shell, [...flags, command], {
    throwOnError: false,
    nodePath: false,
    nodeOptions: { env: { ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached },
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    const pid = child.pid;
    if (pid === undefined) return;
    try {
      if (detached) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {}
  };
  let stopped: "timeout" | "abort" | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: "timeout" | "abort") => {
    if (stopped) return;
    stopped = why;
    signalGroup("SIGTERM");
    killTimer = setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
  const onAbort = () => stop("abort");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let error: string | undefined;
  try {
    for await (const line of child) options.onLine?.(line);
  } catch (thrown) {
    error = (thrown as Error).message;
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  return { exitCode: child.exitCode, timedOut: stopped === "timeout", aborted: stopped === "abort", error };
}

/** restic's password and backend secrets: a user's command never inherits them. */
const SECRET_VARIABLES =
  /^(RESTIC_PASSWORD|RESTIC_PASSWORD_FILE|RESTIC_PASSWORD_COMMAND|RESTIC_REPOSITORY.*|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|B2_ACCOUNT_KEY|AZURE_ACCOUNT_KEY|AZURE_ACCOUNT_SAS|GOOGLE_APPLICATION_CREDENTIALS|OS_PASSWORD|RCLONE_CONFIG_PASS)$/;

/**
 * The environment of a user's command: what it inherits without restic's secrets, plus `extra`. A
 * secret is set to undefined rather than left out, since tinyexec merges process.env underneath.
 */
export function commandEnvironment(
  inherited: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys({ ...process.env, ...inherited })) {
    env[key] = SECRET_VARIABLES.test(key) ? undefined : inherited[key];
  }
  return { ...env, ...extra };
}
