import type { NotifiableEvent, NotifiableEventType } from "../events.js";
import { safeDeliveryError } from "./describe-error.js";

/** One event the hub finished with for a notifier: when, and which event of which job. */
export interface NotifierDelivery {
  /** ISO UTC. */
  readonly at: string;
  readonly event: NotifiableEventType;
  /** The event's job; "*" for an event about no job (config-invalid, config-reloaded). */
  readonly job: string;
}

/** A delivery the hub gave up on (after its one retry, or at once for a permanent error). */
export interface NotifierDeliveryFailure extends NotifierDelivery {
  /** One line, secrets masked (URLs down to scheme and host), at most 200 characters. */
  readonly error: string;
}

/** What is kept of one notifier's deliveries across restarts: the last of each outcome. */
export interface NotifierDeliveryLast {
  readonly lastDelivery?: NotifierDelivery;
  readonly lastError?: NotifierDeliveryFailure;
}

/** What `status` tells of one notifier's deliveries. */
export interface NotifierDeliveryRecord extends NotifierDeliveryLast {
  /** Events it took since this process started. */
  readonly delivered: number;
  /** Events given up on since this process started. */
  readonly failed: number;
}

/**
 * The last delivery and the last error of each notifier, by a key that names it across hubs (a
 * config reload builds a new hub) and restarts (see `notifierDeliveryKey`). One log may serve
 * several hubs, and the daemon keeps it in its state folder.
 */
export interface NotifierDeliveryLog {
  delivered(key: string, event: NotifiableEvent): void;
  /** `error` is masked and folded to one short line here, whatever the caller passed. */
  failed(key: string, event: NotifiableEvent, error: string): void;
  get(key: string): NotifierDeliveryRecord;
  /** The last outcomes of every notifier heard of, for a file. */
  lastOutcomes(): Record<string, NotifierDeliveryLast>;
  /**
   * Takes what a file kept, where nothing newer is known: the hub may have delivered before the
   * file was read. Error texts are masked again (the file may be older than today's masking).
   */
  restore(saved: Readonly<Record<string, NotifierDeliveryLast>>): void;
  /** Called after each change; returns the function that stops it. */
  onChange(listener: () => void): () => void;
}

export interface NotifierDeliveryLogOptions {
  /** @default Date.now */
  readonly now?: () => number;
}

interface MutableRecord {
  lastDelivery?: NotifierDelivery;
  lastError?: NotifierDeliveryFailure;
  delivered: number;
  failed: number;
}

export function createNotifierDeliveryLog(options: NotifierDeliveryLogOptions = {}): NotifierDeliveryLog {
  const now = options.now ?? Date.now;
  const records = new Map<string, MutableRecord>();
  const listeners = new Set<() => void>();

  function recordOf(key: string): MutableRecord {
    let record = records.get(key);
    if (!record) {
      record = { delivered: 0, failed: 0 };
      records.set(key, record);
    }
    return record;
  }

  function changed(): void {
    for (const listener of listeners) listener();
  }

  function outcome(event: NotifiableEvent): NotifierDelivery {
    return { at: new Date(now()).toISOString(), event: event.type, job: event.job };
  }

  return {
    delivered(key, event) {
      const record = recordOf(key);
      record.lastDelivery = outcome(event);
      record.delivered += 1;
      changed();
    },
    failed(key, event, error) {
      const record = recordOf(key);
      record.lastError = { ...outcome(event), error: safeDeliveryError(error) };
      record.failed += 1;
      changed();
    },
    get(key) {
      const record = records.get(key);
      return record ? { ...record } : { delivered: 0, failed: 0 };
    },
    lastOutcomes() {
      const out: Record<string, NotifierDeliveryLast> = {};
      for (const [key, { lastDelivery, lastError }] of records) {
        if (!lastDelivery && !lastError) continue;
        out[key] = { ...(lastDelivery ? { lastDelivery } : {}), ...(lastError ? { lastError } : {}) };
      }
      return out;
    },
    restore(saved) {
      let any = false;
      for (const [key, last] of Object.entries(saved)) {
        const record = recordOf(key);
        if (last.lastDelivery && isNewer(last.lastDelivery, record.lastDelivery)) {
          record.lastDelivery = last.lastDelivery;
          any = true;
        }
        if (last.lastError && isNewer(last.lastError, record.lastError)) {
          record.lastError = { ...last.lastError, error: safeDeliveryError(last.lastError.error) };
          any = true;
        }
      }
      if (any) changed();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function isNewer(candidate: NotifierDelivery, known: NotifierDelivery | undefined): boolean {
  return known === undefined || Date.parse(candidate.at) > Date.parse(known.at);
}

/**
 * A notifier's key in a delivery log: where it listens (every job, or one job's list), its type and
 * its name as `status` shows it (secrets masked, so the key may go in a file). Two notifiers alike
 * in all three get `#2`, `#3` in their order.
 */
export function notifierDeliveryKeys(
  lanes: readonly { readonly scope: string; readonly type?: string | undefined; readonly name: string }[],
): string[] {
  const seen = new Map<string, number>();
  return lanes.map(({ scope, type, name }) => {
    const base = `${scope === "*" ? "all jobs" : `job ${scope}`} / ${type ?? "notifier"} / ${name}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base} #${count}`;
  });
}
