// A seeded PRNG, so every run of the bench generates the same files and configs. Math.random is
// never used: two machines (or two runs) must back up byte-identical trees for the figures to compare.

/** mulberry32: 32 bits of state, good enough for test data, and a few ns per number. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    /** A whole number in [0, 2^32). */
    uint32: next,
    /** A float in [0, 1). */
    float: () => next() / 2 ** 32,
    /** A whole number in [min, max], both included. */
    int: (min, max) => min + Math.floor((next() / 2 ** 32) * (max - min + 1)),
    pick: (items) => items[Math.floor((next() / 2 ** 32) * items.length)],
    /** `size` pseudo-random bytes (incompressible, like most real backup data). */
    bytes(size) {
      const words = new Uint32Array(Math.ceil(size / 4));
      for (let i = 0; i < words.length; i++) words[i] = next();
      return Buffer.from(words.buffer, 0, size);
    },
  };
}
