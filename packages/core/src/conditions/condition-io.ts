import { stat } from "node:fs/promises";
import { connect } from "node:net";
import { x } from "tinyexec";
import { errnoCode } from "../system/errno-code.js";
import { commandEnvironment, runShellCommand } from "../system/shell-command.js";
import {
  LINUX_POWER_SUPPLY_ROOT,
  type PowerReading,
  parsePmsetBatt,
  parseWin32Battery,
  readLinuxPower,
} from "./power.js";
import { parseSshConfig, type RepositoryEndpoint, type SshRoute } from "./repository-endpoint.js";
import type { CommandOutcome, ConditionIO, ConnectOutcome, PathState } from "./run-conditions.js";

export interface ConditionIOOptions {
  /** Told once per distinct problem that makes a check count as met (the power source cannot be read). */
  readonly warn?: (message: string) => void;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** Linux's power-supply folder; tests point it at a fake tree. @default "/sys/class/power_supply" */
  readonly powerSupplyRoot?: string;
  /** Read for HTTP proxies and backend account names; a `command` never gets restic's secrets from it. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** A path that does not answer within this is unmet (a hard NFS mount whose server is down). @default 5000 */
  readonly statTimeoutMs?: number;
  /** @default 30000 */
  readonly commandTimeoutMs?: number;
  /** How long one power reading serves every job that asks (all owed jobs look at the same minute). @default 15000 */
  readonly powerCacheMs?: number;
}

/** How long `ssh -G`'s answer for a host is kept: ssh's config seldom changes. */
const SSH_ROUTE_CACHE_MS = 10 * 60_000;
/** pmset and PowerShell answer in well under a second; one that hangs must not hold the check. */
const POWER_COMMAND_TIMEOUT_MS = 15_000;

/**
 * The run conditions' view of this machine: its power source, its files, the network, a shell. Built
 * once and kept: it holds small caches (a power reading for a few seconds, ssh's answer per host for a
 * few minutes) and shares a path's pending stat, so a hung network mount ties up one of libuv's threads
 * at most, not a new one every minute.
 */
export function createConditionIO(options: ConditionIOOptions = {}): ConditionIO {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const powerCacheMs = options.powerCacheMs ?? 15_000;
  const statTimeoutMs = options.statTimeoutMs ?? 5_000;
  const said = new Set<string>();
  const pendingStats = new Map<string, Promise<PathState>>();
  const sshRoutes = new Map<string, { at: number; route: Promise<SshRoute | undefined> }>();
  let power: { at: number; reading: Promise<PowerReading> } | undefined;

  return {
    env,
    warn(message) {
      if (said.has(message)) return;
      said.add(message);
      options.warn?.(message);
    },
    power() {
      if (!power || Date.now() - power.at >= powerCacheMs) {
        power = {
          at: Date.now(),
          reading: readPower(platform, options.powerSupplyRoot ?? LINUX_POWER_SUPPLY_ROOT),
        };
      }
      return power.reading;
    },
    pathState(path) {
      let pending = pendingStats.get(path);
      if (!pending) {
        pending = statState(path).finally(() => pendingStats.delete(path));
        pendingStats.set(path, pending);
      }
      return withTimeout(pending, statTimeoutMs, { state: "timeout", timeoutMs: statTimeoutMs });
    },
    connect: (host, port, signal) => connectOnce(host, port, options.connectTimeoutMs ?? 5_000, signal),
    sshRoute(endpoint) {
      const key = `${endpoint.user ?? ""}@${endpoint.host}:${endpoint.portGiven ? endpoint.port : ""}`;
      const cached = sshRoutes.get(key);
      if (cached && Date.now() - cached.at < SSH_ROUTE_CACHE_MS) return cached.route;
      const route = askSsh(endpoint);
      sshRoutes.set(key, { at: Date.now(), route });
      return route;
    },
    runCommand: (command, extra, signal) =>
      runCondition(command, commandEnvironment(env, extra), options.commandTimeoutMs ?? 30_000, signal),
  };
}

async function readPower(platform: NodeJS.Platform, root: string): Promise<PowerReading> {
  switch (platform) {
    case "linux":
      return readLinuxPower(root);
    case "darwin":
      return readCommandPower("pmset", ["-g", "batt"], parsePmsetBatt);
    case "win32":
      return readCommandPower(
        "powershell.exe",
        [
          "-NoProfile",
          "-NonInteractive",
          "-Command",
          "Get-CimInstance -ClassName Win32_Battery | Select-Object -Property *",
        ],
        parseWin32Battery,
      );
    default:
      return { source: "unknown", why: `reading the power source is not supported on ${platform}` };
  }
}

async function readCommandPower(
  program: string,
  args: readonly string[],
  parse: (output: string) => PowerReading,
): Promise<PowerReading> {
  const shown = [program, ...args.slice(0, 2)].join(" ");
  try {
    const result = await x(program, args, {
      throwOnError: false,
      nodePath: false,
      timeout: POWER_COMMAND_TIMEOUT_MS,
    });
    if (result.exitCode !== 0) {
      const said = result.stderr.trim().split(/\r?\n/, 1)[0] ?? "";
      return {
        source: "unknown",
        why: `${shown} exited ${result.exitCode ?? "on a signal"}${said ? `: ${said}` : ""}`,
      };
    }
    return parse(result.stdout);
  } catch (error) {
    return { source: "unknown", why: `${shown} could not run: ${(error as Error).message}` };
  }
}

async function statState(path: string): Promise<PathState> {
  try {
    await stat(path);
    return { state: "present" };
  } catch (error) {
    const code = errnoCode(error) ?? "unknown error";
    return code === "ENOENT" || code === "ENOTDIR" ? { state: "missing" } : { state: "error", code };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function connectOnce(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ConnectOutcome> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const socket = connect({ host, port });
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      settle();
    };
    const timer = setTimeout(() => finish(() => resolve({ connected: false, code: "TIMEOUT" })), timeoutMs);
    const onAbort = () => finish(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish(() => resolve({ connected: true })));
    socket.once("error", (error) =>
      finish(() => resolve({ connected: false, code: connectErrorCode(error) })),
    );
  });
}

/** Node tries each address of a host in turn (happy eyeballs) and reports them all together. */
function connectErrorCode(error: Error): string {
  const first = error instanceof AggregateError ? error.errors[0] : error;
  return errnoCode(first) ?? errnoCode(error) ?? error.message;
}

/** `ssh -G` prints the options ssh would use for a host, without connecting. */
async function askSsh(endpoint: RepositoryEndpoint): Promise<SshRoute | undefined> {
  const args = ["-G"];
  if (endpoint.user) args.push("-l", endpoint.user);
  if (endpoint.portGiven) args.push("-p", String(endpoint.port));
  try {
    const result = await x("ssh", [...args, "--", endpoint.host], {
      throwOnError: false,
      nodePath: false,
      timeout: 5_000,
    });
    return result.exitCode === 0 ? parseSshConfig(result.stdout) : undefined;
  } catch {
    // No ssh here: restic could not use sftp either; the host as written is the best guess.
    return undefined;
  }
}

async function runCondition(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CommandOutcome> {
  signal?.throwIfAborted();
  let firstLine: string | undefined;
  const result = await runShellCommand(command, {
    env,
    timeoutMs,
    ...(signal ? { signal } : {}),
    onLine: (line) => {
      if (firstLine === undefined && line.trim() !== "") firstLine = line.trim();
    },
  });
  if (result.aborted) throw signal?.reason;
  return { exitCode: result.exitCode, timedOut: result.timedOut, timeoutMs, firstLine, error: result.error };
}
