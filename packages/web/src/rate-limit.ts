import { isIPv6 } from "node:net";

/** @default 5 failed logins */
export const LOGIN_FAILURES_ALLOWED = 5;
/** @default 15 minutes */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
/**
 * Addresses tracked at most: past this, expired entries are swept and then the oldest dropped, so a
 * flood from many addresses costs bounded memory (an address dropped early only gets a fresh budget).
 * @default 10,000
 */
export const LOGIN_TRACKED_ADDRESSES_MAX = 10_000;

/**
 * The key an address is counted under. One IPv6 host commonly holds a whole /64 and can pick any
 * address in it, so an IPv6 address counts as its /64; an IPv4 address (or an IPv4-mapped one) as itself.
 */
export function rateLimitKey(address: string): string {
  const plain = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  if (!isIPv6(plain)) return plain;
  const [head = "", tail = ""] = plain.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = plain.includes("::")
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * Failed logins per remote address, in a sliding window: past `allowed` failures the address is
 * refused until its oldest failure leaves the window. A success does not clear the count, so a
 * guesser who also knows one code cannot reset their budget with it.
 */
export class LoginRateLimit {
  readonly #failures = new Map<string, number[]>();
  readonly #allowed: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;

  constructor(
    allowed = LOGIN_FAILURES_ALLOWED,
    windowMs = LOGIN_FAILURE_WINDOW_MS,
    maxAddresses = LOGIN_TRACKED_ADDRESSES_MAX,
  ) {
    this.#allowed = allowed;
    this.#windowMs = windowMs;
    this.#maxAddresses = maxAddresses;
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string, now: number): number {
    const recent = this.#recent(rateLimitKey(address), now);
    if (recent.length < this.#allowed) return 0;
    const oldest = recent[recent.length - this.#allowed] ?? now;
    return Math.max(1, oldest + this.#windowMs - now);
  }

  fail(address: string, now: number): void {
    const key = rateLimitKey(address);
    // Only the newest `allowed` failures decide anything; older ones need not be kept.
    const recent = [...this.#recent(key, now), now].slice(-this.#allowed);
    this.#failures.delete(key); // re-inserted last: the map's order is the order of last failure
    this.#failures.set(key, recent);
    if (this.#failures.size > this.#maxAddresses) this.#shrink(now);
  }

  /** How many addresses are tracked now (for tests of the bound). */
  get trackedAddresses(): number {
    return this.#failures.size;
  }

  #shrink(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.#maxAddresses) break;
      this.#failures.delete(key);
    }
  }

  #recent(key: string, now: number): number[] {
    const recent = (this.#failures.get(key) ?? []).filter((at) => now - at < this.#windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }
}
