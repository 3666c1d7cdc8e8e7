import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Integration tests spawn restic; each process spends ~0.7 s on key derivation, so files run in
    // parallel and share repositories within a file.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
