import type { BackupJob, RunConditions } from "../config/types.js";
import type { SkippedEvent } from "../events.js";
import { maskRepository } from "../restic/environment.js";
import type { PowerReading } from "./power.js";
import {
  formatHostPort,
  proxyEndpoint,
  type RepositoryEndpoint,
  repositoryEndpoint,
  type SshRoute,
} from "./repository-endpoint.js";

export type RunConditionName = NonNullable<SkippedEvent["condition"]>;

/** What the checks read of a job: its conditions, and the repository `reachable` looks at. */
export type ConditionSubject = Pick<BackupJob, "name" | "repository" | "env" | "when">;

/** What a look at a job's `when` found. */
export type ConditionVerdict =
  | { readonly met: true }
  | {
      readonly met: false;
      readonly condition: RunConditionName;
      /** Short, for people, as in `skipped: on battery`. Never holds a secret. */
      readonly reason: string;
    };

/** How a path looked: there, not there, not answering in time (a dead network mount), or an error code. */
export type PathState =
  | { readonly state: "present" }
  | { readonly state: "missing" }
  | { readonly state: "timeout"; readonly timeoutMs: number }
  | { readonly state: "error"; readonly code: string };

/** One TCP connection attempt: it connected, or why not (an errno code such as ECONNREFUSED, or TIMEOUT). */
export type ConnectOutcome =
  | { readonly connected: true }
  | { readonly connected: false; readonly code: string };

export interface CommandOutcome {
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
  /** The first line it printed, if any (its output is otherwise dropped). */
  readonly firstLine: string | undefined;
  /** Why it could not run at all. */
  readonly error: string | undefined;
}

/**
 * Everything the checks learn about the machine goes through here, so tests never read the real one;
 * `createConditionIO` makes the real one. Each method rejects with the signal's reason when aborted.
 */
export interface ConditionIO {
  power(): Promise<PowerReading>;
  pathState(path: string): Promise<PathState>;
  connect(host: string, port: number, signal?: AbortSignal): Promise<ConnectOutcome>;
  /** Where ssh really connects for a host (its config's HostName, Port, ProxyJump), or undefined when ssh cannot say. */
  sshRoute(endpoint: RepositoryEndpoint): Promise<SshRoute | undefined>;
  /** Runs through the shell, without restic's secrets in its environment. */
  runCommand(
    command: string,
    env: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<CommandOutcome>;
  /** The daemon's environment, read for HTTP proxies and a backend's account names; never passed on. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A problem that makes a check count as met (the power source cannot be read): said once. */
  warn(message: string): void;
}

const MET: ConditionVerdict = { met: true };

type Check = (
  job: ConditionSubject,
  when: RunConditions,
  io: ConditionIO,
  signal?: AbortSignal,
) => Promise<ConditionVerdict>;

/** Cheapest first: a few sysfs reads, a stat per path, one TCP connect, a process. */
const CHECKS: readonly Check[] = [checkPower, checkPaths, checkReachable, checkCommand];

/**
 * Whether a job's run conditions (`when`) hold now. Stops at the first that does not and says why; a
 * job without `when` passes without a look. The scheduler calls this at a due slot and then about once
 * a minute while the run is owed, so each check stays cheap. Rejects with the signal's reason when
 * aborted.
 */
export async function checkRunConditions(
  job: ConditionSubject,
  io: ConditionIO,
  options: { readonly signal?: AbortSignal } = {},
): Promise<ConditionVerdict> {
  const { when } = job;
  if (!when) return MET;
  for (const check of CHECKS) {
    options.signal?.throwIfAborted();
    const verdict = await check(job, when, io, options.signal);
    if (!verdict.met) return verdict;
  }
  return MET;
}

const unmet = (condition: RunConditionName, reason: string): ConditionVerdict => ({
  met: false,
  condition,
  reason,
});

async function checkPower(
  _job: ConditionSubject,
  when: RunConditions,
  io: ConditionIO,
): Promise<ConditionVerdict> {
  if (!when.onAcPower) return MET;
  const reading = await io.power();
  switch (reading.source) {
    case "mains":
      return MET;
    case "battery":
      return unmet("on_ac_power", reading.ups ? "on UPS power" : "on battery");
    case "unknown":
      // A backup tool that stops backing up because it cannot read a battery fails its one job.
      io.warn(
        `on_ac_power: cannot tell whether this machine is on battery (${reading.why}); running as if on mains`,
      );
      return MET;
  }
}

async function checkPaths(
  _job: ConditionSubject,
  when: RunConditions,
  io: ConditionIO,
): Promise<ConditionVerdict> {
  for (const path of when.pathExists) {
    const found = await io.pathState(path);
    switch (found.state) {
      case "present":
        continue;
      case "missing":
        return unmet("path_exists", `${path} is not there (is the drive plugged in?)`);
      case "timeout":
        return unmet(
          "path_exists",
          `${path} does not answer within ${seconds(found.timeoutMs)} (a network share that is down?)`,
        );
      case "error":
        return unmet("path_exists", `${path} cannot be checked (${describeFsError(found.code)})`);
    }
  }
  return MET;
}

function describeFsError(code: string): string {
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EIO") return "I/O error: was the drive pulled out?";
  if (code === "ENOTCONN" || code === "ESTALE") return `${code}: a network share that went away?`;
  return code;
}

async function checkReachable(
  job: ConditionSubject,
  when: RunConditions,
  io: ConditionIO,
  signal?: AbortSignal,
): Promise<ConditionVerdict> {
  if (!when.reachable) return MET;
  const env = { ...io.env, ...job.env };
  // A local folder, rclone:, or a backend whose server the URL does not say: nothing to connect to.
  const endpoint = repositoryEndpoint(job.repository, env);
  if (!endpoint) return MET;
  const dial = await dialTarget(endpoint, env, io);
  if (!dial) return MET;
  const outcome = await io.connect(dial.host, dial.port, signal);
  if (outcome.connected) return MET;
  return unmet("reachable", `${dial.label} does not answer (${describeConnectError(outcome.code)})`);
}

/** What a TCP connect must reach for restic to get through: the proxy, ssh's real host, or the server. */
async function dialTarget(
  endpoint: RepositoryEndpoint,
  env: Readonly<Record<string, string | undefined>>,
  io: ConditionIO,
): Promise<{ host: string; port: number; label: string } | undefined> {
  const proxy = proxyEndpoint(endpoint, env);
  if (proxy) return { ...proxy, label: `the proxy ${formatHostPort(proxy.host, proxy.port)}` };
  const written = formatHostPort(endpoint.host, endpoint.port);
  if (endpoint.protocol !== "ssh") return { host: endpoint.host, port: endpoint.port, label: written };
  const route = await io.sshRoute(endpoint);
  // Through a ProxyJump or ProxyCommand only ssh knows the way: not checkable from here.
  if (route?.kind === "proxied") return undefined;
  if (!route) return { host: endpoint.host, port: endpoint.port, label: written };
  const port = endpoint.portGiven ? endpoint.port : route.port;
  const real = formatHostPort(route.host, port);
  return {
    host: route.host,
    port,
    label: route.host === endpoint.host ? real : `${endpoint.host} (${real})`,
  };
}

function describeConnectError(code: string): string {
  switch (code) {
    case "TIMEOUT":
      return "no answer in time";
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
      return "no such host";
    case "EAI_AGAIN":
      return "name lookup failed: offline?";
    case "ENETUNREACH":
      return "network unreachable: offline?";
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ECONNRESET":
      return "connection reset";
    default:
      return code;
  }
}

async function checkCommand(
  job: ConditionSubject,
  when: RunConditions,
  io: ConditionIO,
  signal?: AbortSignal,
): Promise<ConditionVerdict> {
  const { command } = when;
  if (command === undefined) return MET;
  const outcome = await io.runCommand(command, { SIMPLEBACKUP_JOB: job.name }, signal);
  if (outcome.exitCode === 0 && !outcome.timedOut) return MET;
  const shown = `\`${shorten(maskRepository(command), 60)}\``;
  if (outcome.error !== undefined) return unmet("command", `${shown} could not run: ${outcome.error}`);
  if (outcome.timedOut)
    return unmet("command", `${shown} did not finish within ${seconds(outcome.timeoutMs)}`);
  const said = outcome.firstLine ? `: ${shorten(maskRepository(outcome.firstLine), 100)}` : "";
  if (outcome.exitCode === undefined) return unmet("command", `${shown} was stopped by a signal${said}`);
  const hint =
    outcome.exitCode === 127 ? " (command not found)" : outcome.exitCode === 126 ? " (not executable)" : "";
  return unmet("command", `${shown} exited ${outcome.exitCode}${hint}${said}`);
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
