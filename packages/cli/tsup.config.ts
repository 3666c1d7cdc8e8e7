import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

export default defineConfig({
  entry: ["src/bin.ts", "src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  // Subcommands stay in their own chunks and load on use, so `--version` and `--help` start fast.
  splitting: true,
  define: { __SIMPLEBACKUP_VERSION__: JSON.stringify(version) },
});
