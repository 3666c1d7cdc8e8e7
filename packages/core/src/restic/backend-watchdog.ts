import { formatHumanDuration } from "../format/duration.js";
import { parseGoDuration, type ResticFailure } from "./classify.js";
import { maskRepository } from "./environment.js";

/**
 * The timers the restic adapter waits on. The scheduler's `Clock` fits this shape, so tests pass a
 * manual clock; the adapter itself stays free of the scheduler.
 */
export interface ResticTimers {
  now(): number;
  setTimer(callback: () => void, delayMs: number): object;
  clearTimer(handle: object): void;
}

export const realTimers: ResticTimers = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * After restic's announced wait, how long a retried request that fails fast (refused, reset) takes to
 * fail again. Past it we stop assuming the request still fails: restic 0.14 never says that one
 * recovered, so a quiet request must not count as failing.
 */
const SETTLE_MS = 5_000;

/**
 * How long a retried request may take to fail: restic's dial timeout is 30 s, so against a host that
 * drops packets the next retry line comes that much after the announced wait. A retry of the same
 * request within its wait plus this continues its streak rather than starting a new one.
 */
const SLOW_FAILURE_MS = 35_000;

/** One of restic's backend retry reports, as its retry layer prints it on stderr. */
export type BackendRetryLine =
  | { readonly kind: "retry"; readonly operation: string; readonly waitMs: number; readonly cause: string }
  | { readonly kind: "recovered"; readonly operation: string; readonly retries: number };

// `Save(<data/f30a16399f>)`, `Stat(<config/>)`, `Load(<lock/ef16789499>, 0, 0)`, `List(lock)`.
const OPERATION = String.raw`(\w+\(.*?\))`;
const RETRY = new RegExp(String.raw`^${OPERATION} returned error, retrying after (\S+): (.*)$`);
const RECOVERED = new RegExp(String.raw`^${OPERATION} operation successful after (\d+) retries$`);

/**
 * Reads one stderr line: `<op> returned error, retrying after <wait>: <cause>` (0.14 and 0.17+) or
 * `<op> operation successful after <n> retries` (0.17+ only). When restic gives up on a request it
 * fails the command itself, so that report needs no reading here.
 */
export function parseBackendRetryLine(line: string): BackendRetryLine | undefined {
  const retry = RETRY.exec(line);
  if (retry?.[1] && retry[2] && retry[3] !== undefined) {
    const seconds = parseGoDuration(retry[2]);
    if (seconds === undefined) return undefined;
    return { kind: "retry", operation: retry[1], waitMs: seconds * 1000, cause: maskRepository(retry[3]) };
  }
  const recovered = RECOVERED.exec(line);
  if (recovered?.[1]) return { kind: "recovered", operation: recovered[1], retries: Number(recovered[2]) };
  return undefined;
}

/** A backend request restic has been retrying. */
export interface BackendRetry {
  readonly operation: string;
  /** The last retry's error, as restic printed it (URL credentials masked). */
  readonly cause: string;
  readonly retries: number;
  /** How long the request has been failing: from its first retry line to now. */
  readonly failingForMs: number;
}

export interface BackendRetryWatchdogOptions {
  /** A request still failing this long after its first retry means the backend cannot be reached. */
  readonly unreachableAfterMs: number;
  /** Called once, when a request has failed for `unreachableAfterMs`; the watchdog stops then. */
  readonly onUnreachable: (retry: BackendRetry) => void;
  readonly timers?: ResticTimers;
}

export interface BackendRetryWatchdog {
  /** Reads one line of restic's stderr; lines that are not retry reports are ignored. */
  observe(line: string): void;
  /** The request restic was retrying most recently, if it may still be failing now. */
  failing(): BackendRetry | undefined;
  /** Stops the timer; call when restic has exited. */
  stop(): void;
}

interface Streak {
  readonly operation: string;
  readonly since: number;
  readonly retries: number;
  readonly cause: string;
  readonly lastAt: number;
  /** Until then the request may still be failing: its announced wait plus SETTLE_MS. */
  readonly failingUntil: number;
  /** Until then a new retry of the same request continues this streak. */
  readonly continuesUntil: number;
}

/**
 * Watches restic's backend retries. Each request is followed by its own streak (restic names it, e.g.
 * `Save(<data/f30a16399f>)`), so single failures of many requests on a flaky link never add up. A streak
 * ends when restic says the request recovered (0.17+), or, as 0.14 never says so, when the request has
 * been quiet past its announced wait. One that outlasts `unreachableAfterMs` trips the watchdog.
 */
export function createBackendRetryWatchdog(options: BackendRetryWatchdogOptions): BackendRetryWatchdog {
  const timers = options.timers ?? realTimers;
  const deadline = options.unreachableAfterMs;
  const streaks = new Map<string, Streak>();
  let timer: object | undefined;
  let done = false;

  const describe = (streak: Streak, now: number): BackendRetry => ({
    operation: streak.operation,
    cause: streak.cause,
    retries: streak.retries,
    failingForMs: now - streak.since,
  });

  const trip = (streak: Streak, now: number) => {
    stop();
    options.onUnreachable(describe(streak, now));
  };

  // The timer catches a streak that reaches its deadline during one of restic's long waits (up to a
  // minute in 0.18), so tripping never waits for the next retry line.
  const arm = () => {
    if (timer !== undefined) timers.clearTimer(timer);
    timer = undefined;
    const due = [...streaks.values()]
      .filter((streak) => streak.failingUntil > streak.since + deadline)
      .map((streak) => streak.since + deadline);
    if (due.length === 0) return;
    const at = Math.min(...due);
    timer = timers.setTimer(check, Math.max(0, at - timers.now()));
  };

  const check = () => {
    timer = undefined;
    if (done) return;
    const now = timers.now();
    for (const [operation, streak] of streaks) {
      if (now > streak.continuesUntil) streaks.delete(operation);
      else if (now - streak.since >= deadline && now < streak.failingUntil) return trip(streak, now);
    }
    arm();
  };

  const stop = () => {
    done = true;
    if (timer !== undefined) timers.clearTimer(timer);
    timer = undefined;
  };

  return {
    observe(line) {
      if (done) return;
      const event = parseBackendRetryLine(line);
      if (!event) return;
      if (event.kind !== "retry") {
        streaks.delete(event.operation);
        return arm();
      }
      const now = timers.now();
      // Requests long quiet went through (0.14 never says so): forget them, whatever the timer does.
      for (const [operation, old] of streaks) if (now > old.continuesUntil) streaks.delete(operation);
      const known = streaks.get(event.operation);
      const continues = known !== undefined;
      const streak: Streak = {
        operation: event.operation,
        since: continues ? known.since : now,
        retries: continues ? known.retries + 1 : 1,
        cause: event.cause,
        lastAt: now,
        failingUntil: now + event.waitMs + SETTLE_MS,
        continuesUntil: now + event.waitMs + SLOW_FAILURE_MS,
      };
      streaks.set(event.operation, streak);
      // A request whose every try takes long to fail is quiet when the timer looks; its next line
      // is where its deadline shows.
      if (now - streak.since >= deadline) return trip(streak, now);
      arm();
    },
    failing() {
      const now = timers.now();
      let latest: Streak | undefined;
      for (const streak of streaks.values()) {
        if (now < streak.failingUntil && (!latest || streak.lastAt > latest.lastAt)) latest = streak;
      }
      return latest && describe(latest, now);
    },
    stop,
  };
}

/** One line for people: which request restic retried, for how long, and its last error. */
export function describeUnreachable(retry: BackendRetry): string {
  return `restic retried ${retry.operation} for ${formatHumanDuration(retry.failingForMs)} without success (last error: ${retry.cause})`;
}

/** The failure of a run that the watchdog stopped, in classifyFailure's words for a network error. */
export function backendUnreachableFailure(retry: BackendRetry): ResticFailure {
  return {
    code: "BACKEND_UNAVAILABLE",
    message: `Cannot reach the repository backend: ${describeUnreachable(retry)}`,
  };
}
