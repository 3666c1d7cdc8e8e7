import { type Clock, SCHEDULER_EVENT_TYPES, systemClock } from "@simplebackup/core";
import {
  DEFAULT_NOTIFY_ON,
  type NotifiableEvent,
  type NotifiableEventType,
  type NotifierEventKind,
  wantsEvent,
} from "../events.js";
import {
  isPermanentNotifierError,
  type Notifier,
  type NotifierDescription,
  type NotifierLogger,
} from "../notifier.js";
import { describeNotifier, redactText } from "../secrets/redact.js";
import {
  createNotifierDeliveryLog,
  type NotifierDeliveryLog,
  type NotifierDeliveryRecord,
  notifierDeliveryKeys,
} from "./deliveries.js";
import { describeSafeError } from "./describe-error.js";

/** A notifier with routing: which kinds and which jobs it hears about. */
export interface NotifierEntry {
  readonly notifier: Notifier;
  /** Overrides the notifier's own `on`. */
  readonly on?: readonly NotifierEventKind[];
  /**
   * Only these jobs' events reach it. Events about no job (config-invalid, config-reloaded) still do.
   * @default every job
   */
  readonly jobs?: readonly string[];
}

export type NotifierInput = Notifier | NotifierEntry;

/** Anything with eventemitter3's (or node:events') `on`, such as a `BackupScheduler`. */
export interface NotifierEventSource {
  on(type: NotifiableEventType, listener: (event: NotifiableEvent) => void): unknown;
  off?(type: NotifiableEventType, listener: (event: NotifiableEvent) => void): unknown;
}

export interface NotifierHubOptions {
  readonly notifiers: readonly NotifierInput[];
  /** More notifiers per job name, on top of the top-level ones; they hear only about their job. */
  readonly jobs?: Readonly<Record<string, readonly NotifierInput[]>>;
  /** Where failed deliveries are reported. @default console */
  readonly logger?: NotifierLogger;
  /** How long one `notify` call may take before it counts as failed. @default 30_000 */
  readonly timeoutMs?: number;
  /** The wait before the one retry of a failed delivery. @default 5_000 */
  readonly retryDelayMs?: number;
  /** Events waiting per notifier; beyond this the oldest are dropped. @default 100 */
  readonly maxQueue?: number;
  /** @default the system clock; its `now`, when it has one, stamps the delivery log's times */
  readonly clock?: Pick<Clock, "setTimer" | "clearTimer"> & Partial<Pick<Clock, "now">>;
  /**
   * Where each notifier's last delivery and last error are kept. The daemon passes one log to every
   * hub it builds (a config reload makes a new hub) and keeps it in its state folder.
   * @default a log of this hub's own, in memory
   */
  readonly deliveries?: NotifierDeliveryLog;
}

export interface NotifierHubEntryDescription extends NotifierDescription {
  /** Undefined for a top-level notifier that hears about every job. */
  readonly jobs?: readonly string[];
  /**
   * Its last delivery and last error (error text masked) and its counts since start. Absent only
   * from descriptions made by something other than the hub.
   */
  readonly deliveries?: NotifierDeliveryRecord;
}

export interface NotifierHub {
  /** Subscribes to every event type of `source`; returns a function that unsubscribes. */
  attach(source: NotifierEventSource): () => void;
  /** Queues an event for every notifier that wants it and returns at once. */
  dispatch(event: NotifiableEvent): void;
  /** Resolves when every queued delivery is done (or given up), or after `timeoutMs`. */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /** Detaches, flushes, then closes every notifier. Events dispatched afterwards are dropped. */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** The notifiers with their routing, secrets masked: what `status` shows. */
  describe(): NotifierHubEntryDescription[];
}

/** One notifier's own queue, so a slow one holds up only itself and events reach it in order. */
interface Lane {
  readonly notifier: Notifier;
  readonly on: readonly NotifierEventKind[];
  /** A job name for a per-job lane; "*" for a top-level one. */
  readonly scope: string;
  readonly jobs: readonly string[] | undefined;
  /** Its key in the delivery log. */
  readonly key: string;
  readonly queue: NotifiableEvent[];
  running: boolean;
  overflowing: boolean;
}

const defaultLogger: NotifierLogger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/**
 * Fans scheduler events out to notifiers. Delivery never touches the emitter's call: `dispatch` only
 * queues, each notifier works through its own queue, a call that throws or outlasts `timeoutMs` is
 * logged and tried once more, then dropped.
 */
export function createNotifierHub(options: NotifierHubOptions): NotifierHub {
  const logger = options.logger ?? defaultLogger;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  const maxQueue = options.maxQueue ?? 100;
  const deliveries =
    options.deliveries ?? createNotifierDeliveryLog(options.clock?.now ? { now: options.clock.now } : {});
  const entries = [
    ...options.notifiers.map((input) => ({ input, scope: "*" })),
    ...Object.entries(options.jobs ?? {}).flatMap(([job, inputs]) =>
      inputs.map((input) => ({ input, scope: job })),
    ),
  ].map(({ input, scope }) => ({ entry: toEntry(input), scope }));
  const keys = notifierDeliveryKeys(
    entries.map(({ entry, scope }) => ({ scope, ...describeNotifier(entry.notifier) })),
  );
  const lanes: Lane[] = entries.map(({ entry, scope }, index) => toLane(entry, scope, keys[index] ?? ""));
  const attached = new Map<NotifierEventSource, () => void>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  function dispatch(event: NotifiableEvent): void {
    if (closed) {
      logger.debug?.(`notifier hub: closed, dropping ${event.type} of ${event.job}`);
      return;
    }
    const reached = new Set<Notifier>();
    for (const lane of lanes) {
      if (reached.has(lane.notifier) || !routes(lane, event)) continue;
      reached.add(lane.notifier);
      enqueue(lane, event);
    }
  }

  function routes(lane: Lane, event: NotifiableEvent): boolean {
    if (!wantsEvent(lane.on, event)) return false;
    if (lane.scope !== "*") return event.job === lane.scope;
    return event.job === "*" || lane.jobs === undefined || lane.jobs.includes(event.job);
  }

  function enqueue(lane: Lane, event: NotifiableEvent): void {
    if (lane.queue.length >= maxQueue) {
      lane.queue.shift();
      if (!lane.overflowing) {
        logger.warn(`${label(lane)} falls behind: more than ${maxQueue} events waiting, dropping the oldest`);
      }
      lane.overflowing = true;
    }
    lane.queue.push(event);
    // Started on a later tick: the emitter's call returns before any notifier code runs.
    if (!lane.running) {
      lane.running = true;
      queueMicrotask(() => void drain(lane));
    }
  }

  async function drain(lane: Lane): Promise<void> {
    for (let event = lane.queue.shift(); event !== undefined; event = lane.queue.shift()) {
      await deliver(lane, event);
    }
    lane.running = false;
    lane.overflowing = false;
    if (lanes.every((each) => !each.running)) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async function deliver(lane: Lane, event: NotifiableEvent): Promise<void> {
    const what = `${event.type}${event.job === "*" ? "" : ` of ${event.job}`}`;
    try {
      await attempt(lane.notifier, event);
      deliveries.delivered(lane.key, event);
      return;
    } catch (error) {
      if (isPermanentNotifierError(error)) {
        logger.error(`${label(lane)} failed on ${what}: ${describeSafeError(error)}; not retried`);
        deliveries.failed(lane.key, event, describeSafeError(error));
        return;
      }
      logger.warn(
        `${label(lane)} failed on ${what}: ${describeSafeError(error)}; trying once more in ${retryDelayMs} ms`,
      );
    }
    await sleep(retryDelayMs);
    try {
      await attempt(lane.notifier, event);
      deliveries.delivered(lane.key, event);
    } catch (error) {
      logger.error(`${label(lane)} failed again on ${what}: ${describeSafeError(error)}; giving up on it`);
      // Only a delivery given up on is an error here: a first attempt mended by the retry reached
      // the person, and the page's question is whether notifications reach them.
      deliveries.failed(lane.key, event, describeSafeError(error));
    }
  }

  function attempt(notifier: Notifier, event: NotifiableEvent): Promise<void> {
    const controller = new AbortController();
    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimer(() => {
        const error = new Error(`timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      Promise.resolve()
        .then(() => notifier.notify(event, { signal: controller.signal }))
        .then(
          () => {
            clock.clearTimer(timer);
            resolve();
          },
          (error: unknown) => {
            clock.clearTimer(timer);
            reject(error);
          },
        );
    });
  }

  function sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimer(resolve, ms));
  }

  function flush(flushOptions: { timeoutMs?: number } = {}): Promise<void> {
    if (lanes.every((lane) => !lane.running)) return Promise.resolve();
    const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
    if (flushOptions.timeoutMs === undefined) return idle;
    const limit = flushOptions.timeoutMs;
    return new Promise<void>((resolve) => {
      const timer = clock.setTimer(() => {
        logger.warn(`notifier hub: deliveries still pending after ${limit} ms; not waiting for them`);
        resolve();
      }, limit);
      void idle.then(() => {
        clock.clearTimer(timer);
        resolve();
      });
    });
  }

  return {
    attach(source) {
      // Attached twice, every event would be told twice.
      const existing = attached.get(source);
      if (existing) return existing;
      const listener = (event: NotifiableEvent) => dispatch(event);
      for (const type of SCHEDULER_EVENT_TYPES) source.on(type, listener);
      const detach = () => {
        attached.delete(source);
        for (const type of SCHEDULER_EVENT_TYPES) source.off?.(type, listener);
      };
      attached.set(source, detach);
      return detach;
    },
    dispatch,
    flush,
    async close(closeOptions = {}) {
      for (const detach of [...attached.values()]) detach();
      await flush(closeOptions);
      closed = true;
      const notifiers = new Set(lanes.map((lane) => lane.notifier));
      await Promise.all(
        [...notifiers].map(async (notifier) => {
          if (!notifier.close) return;
          try {
            await notifier.close();
          } catch (error) {
            logger.warn(
              `notifier "${redactText(notifier.name)}" failed to close: ${describeSafeError(error)}`,
            );
          }
        }),
      );
    },
    describe: () =>
      lanes.map((lane) => {
        const jobs = lane.scope === "*" ? lane.jobs : [lane.scope];
        return {
          ...describeNotifier(lane.notifier),
          on: lane.on,
          ...(jobs ? { jobs } : {}),
          deliveries: deliveries.get(lane.key),
        };
      }),
  };
}

function toEntry(input: NotifierInput): NotifierEntry {
  return "notifier" in input ? input : { notifier: input };
}

function toLane(entry: NotifierEntry, scope: string, key: string): Lane {
  return {
    notifier: entry.notifier,
    on: entry.on ?? entry.notifier.on ?? DEFAULT_NOTIFY_ON,
    scope,
    jobs: entry.jobs,
    key,
    queue: [],
    running: false,
    overflowing: false,
  };
}

function label(lane: Lane): string {
  return `notifier "${redactText(lane.notifier.name)}"`;
}
