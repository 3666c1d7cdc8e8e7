import type { Clock } from "./clock.js";

/** A promise with its resolve and reject in hand: a queued run's result, settled when it has run. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting; an unobserved rejection must not crash the daemon.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Waits for `work`, but no longer than `ms` on the scheduler's clock; never rejects. */
export function withTimeout(work: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(resolve, ms);
    void work.then(() => {
      clock.clearTimer(timer);
      resolve();
    });
  });
}
