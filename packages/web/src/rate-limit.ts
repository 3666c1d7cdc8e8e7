/** @default 5 failed logins */
export const LOGIN_FAILURES_ALLOWED = 5;
/** @default 15 minutes */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * Failed logins per remote address, in a sliding window: past `allowed` failures the address is
 * refused until its oldest failure leaves the window. A success does not clear the count, so a
 * guesser who also knows one code cannot reset their budget with it.
 */
export class LoginRateLimit {
  readonly #failures = new Map<string, number[]>();
  readonly #allowed: number;
  readonly #windowMs: number;

  constructor(allowed = LOGIN_FAILURES_ALLOWED, windowMs = LOGIN_FAILURE_WINDOW_MS) {
    this.#allowed = allowed;
    this.#windowMs = windowMs;
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string, now: number): number {
    const recent = this.#recent(address, now);
    if (recent.length < this.#allowed) return 0;
    const oldest = recent[recent.length - this.#allowed] ?? now;
    return Math.max(1, oldest + this.#windowMs - now);
  }

  fail(address: string, now: number): void {
    const recent = this.#recent(address, now);
    recent.push(now);
    this.#failures.set(address, recent);
  }

  #recent(address: string, now: number): number[] {
    const recent = (this.#failures.get(address) ?? []).filter((at) => now - at < this.#windowMs);
    if (recent.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, recent);
    return recent;
  }
}
