import { defineConfig } from "tsup";

export default defineConfig({
  // desktop is its own entry so that `@simplebackup/notifier/desktop` exists and node-notifier stays
  // out of the main bundle.
  entry: { index: "src/index.ts", desktop: "src/desktop/index.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  clean: true,
  sourcemap: true,
});
