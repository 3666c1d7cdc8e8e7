import { describe, expect, it } from "vitest";
import { LoginRateLimit, rateLimitKey } from "../src/rate-limit.js";

describe("the login rate limit", () => {
  it("refuses an address past its failures until the oldest leaves the window", () => {
    const limit = new LoginRateLimit(3, 60_000);
    for (const at of [0, 10_000, 20_000]) {
      expect(limit.retryAfterMs("10.0.0.7", at)).toBe(0);
      limit.fail("10.0.0.7", at);
    }
    expect(limit.retryAfterMs("10.0.0.7", 30_000)).toBe(30_000);
    expect(limit.retryAfterMs("10.0.0.8", 30_000)).toBe(0); // another address has its own budget
    expect(limit.retryAfterMs("10.0.0.7", 60_000)).toBe(0);
  });

  it("counts an IPv6 address as its /64, which one host can roam freely", () => {
    expect(rateLimitKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:0db8:0001:0002:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(rateLimitKey("127.0.0.1")).toBe("127.0.0.1");
    const limit = new LoginRateLimit(2, 60_000);
    limit.fail("2001:db8:1:2::10", 0);
    limit.fail("2001:db8:1:2::11", 1);
    expect(limit.retryAfterMs("2001:db8:1:2::12", 2)).toBeGreaterThan(0);
    expect(limit.retryAfterMs("2001:db8:1:3::12", 2)).toBe(0);
  });

  it("keeps a bounded number of addresses under a flood from many, dropping the oldest first", () => {
    const limit = new LoginRateLimit(2, 60_000, 100);
    for (let i = 0; i < 1_000; i++) limit.fail(`10.1.${i >> 8}.${i & 255}`, i);
    expect(limit.trackedAddresses).toBeLessThanOrEqual(100);
    // The newest guesser is still counted; the flood did not reset it.
    limit.fail("10.9.9.9", 1_000);
    limit.fail("10.9.9.9", 1_001);
    expect(limit.retryAfterMs("10.9.9.9", 1_002)).toBeGreaterThan(0);
    // Expired entries go first when the bound is reached.
    limit.fail("10.8.8.8", 200_000);
    expect(limit.trackedAddresses).toBeLessThanOrEqual(100);
    expect(limit.retryAfterMs("10.8.8.8", 200_001)).toBe(0);
  });
});
