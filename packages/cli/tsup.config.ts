import { defineConfig } from "tsup";

export default defineConfig({
  // bin.ts stays tiny and loads each subcommand lazily, so `--version` and `--help` start fast.
  entry: ["src/bin.ts", "src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  splitting: true,
});
