import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  // cron-parser is a devDependency, so tsup bundles it, with the luxon it uses (0.4 MB of the 4.5 MB
  // luxon installs: seven builds of itself). Neither appears in core's types. The cost: a fix in
  // either reaches users through a core release (docs/packaging.md).
  dts: true,
  clean: true,
  sourcemap: true,
  // Positions and names only: the text of the sources (luxon's 0.4 MB among them) made the map 1 MB.
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
});
