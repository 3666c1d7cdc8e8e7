/**
 * Time as the scheduler sees it. Injected so that tests of schedules, retries and catch-up run in
 * milliseconds of real time, with no sleeps and no patched globals.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Opaque: only good for `clearTimer` on the clock that returned it. */
export type TimerHandle = object;

// Node fires a longer timeout after 1 ms (with a TimeoutOverflowWarning) instead of late.
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The real clock. A delay beyond about 24.8 days is shortened to that; callers compare `now()` with
 * their target when a timer fires and arm again. Timers stay ref'd: the daemon's next slot is what
 * keeps its process alive.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, clampDelay(delayMs)),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way in due order, each at its
   * own due time, so a callback that arms another timer sees the right `now()`. Between timers it lets
   * promise chains settle, so async work a callback started (awaiting other promises, not real I/O)
   * runs before time moves on.
   */
  advance(ms: number): Promise<void>;
  /**
   * Moves the wall clock forward without firing timers at their due times, like a laptop waking from
   * sleep: timers that fell due in between then fire late, together at the new now. (Node's own timers
   * run on a monotonic clock that stops during suspend, so after a real sleep they fire later still, by
   * the length of the sleep; code that must notice a wake-up should not wait on one long timer.)
   */
  jump(ms: number): Promise<void>;
  /** Sets the time, forward only, without firing anything; due timers fire on the next advance/flush/jump. */
  set(time: number | Date): void;
  pendingTimers(): number;
  /** When the earliest pending timer falls due; undefined when none is pending. */
  nextTimerAt(): number | undefined;
  /** Fires every timer due at the current time, including ones those arm with no delay, until none is due. */
  flush(): Promise<void>;
}

interface ManualTimer {
  readonly handle: TimerHandle;
  readonly due: number;
  /** Arming order, so timers due at the same time fire first-armed first, as Node's do. */
  readonly sequence: number;
  readonly callback: () => void;
}

/** A clock that moves only when told to; for tests. */
export function createManualClock(start: number | Date): ManualClock {
  let current = toTime(start);
  let sequence = 0;
  let busy = false;
  const timers = new Map<TimerHandle, ManualTimer>();

  function earliestDue(limit: number): ManualTimer | undefined {
    let earliest: ManualTimer | undefined;
    for (const timer of timers.values()) {
      if (timer.due > limit) continue;
      if (
        earliest === undefined ||
        timer.due < earliest.due ||
        (timer.due === earliest.due && timer.sequence < earliest.sequence)
      ) {
        earliest = timer;
      }
    }
    return earliest;
  }

  /** Fires due timers one by one; `late` fires them all at the current time instead of at their own. */
  async function fireUntil(limit: number, late: boolean): Promise<void> {
    await settle();
    for (let timer = earliestDue(limit); timer !== undefined; timer = earliestDue(limit)) {
      timers.delete(timer.handle);
      if (!late) current = Math.max(current, timer.due);
      timer.callback();
      await settle();
    }
  }

  /** Keeps a test from interleaving two moves of time, which would fire timers out of order. */
  async function exclusive(work: () => Promise<void>): Promise<void> {
    if (busy)
      throw new Error("The manual clock is already moving; await the previous advance, jump or flush");
    busy = true;
    try {
      await work();
    } finally {
      busy = false;
    }
  }

  return {
    now: () => current,
    setTimer(callback, delayMs) {
      const handle = { id: ++sequence };
      timers.set(handle, { handle, due: current + clampDelay(delayMs), sequence, callback });
      return handle;
    },
    clearTimer(handle) {
      timers.delete(handle);
    },
    advance: (ms) =>
      exclusive(async () => {
        const target = current + requireForward(ms);
        await fireUntil(target, false);
        current = target;
      }),
    jump: (ms) =>
      exclusive(async () => {
        current += requireForward(ms);
        await fireUntil(current, true);
      }),
    set(time) {
      const next = toTime(time);
      if (next < current) {
        throw new RangeError(`The manual clock only moves forward: ${next} is before ${current}`);
      }
      current = next;
    },
    pendingTimers: () => timers.size,
    nextTimerAt: () => earliestDue(Number.POSITIVE_INFINITY)?.due,
    flush: () => exclusive(() => fireUntil(current, true)),
  };
}

/**
 * Lets async work started by a timer callback proceed. Every queued promise reaction (microtask) runs
 * before any macrotask, so waiting for one `setImmediate` settles all chains that wait only on other
 * promises, however long. setImmediate is not time-based, so this stays instant. Work waiting on real
 * I/O (files, child processes) is not covered; a test should await that itself.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function clampDelay(delayMs: number): number {
  // NaN and negatives run as soon as possible, as Node does.
  if (!(delayMs > 0)) return 0;
  return Math.min(delayMs, MAX_TIMER_DELAY_MS);
}

function requireForward(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Time moves forward only, got ${ms} ms`);
  return ms;
}

function toTime(time: number | Date): number {
  return typeof time === "number" ? time : time.getTime();
}
