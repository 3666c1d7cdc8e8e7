import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const define = { __SIMPLEBACKUP_VERSION__: JSON.stringify(version) };

export default defineConfig([
  {
    // The command line is an application, so its dependencies are bundled in: Node 20 pays for every
    // module file it resolves and compiles, and core alone brings ~120 (zod ~100). CommonJS, because
    // launch.ts compiles it with a V8 code cache, which Node 20 offers for scripts only; subcommands
    // are still evaluated on use (esbuild keeps each lazy import() as a lazy module initializer).
    entry: ["src/bin.ts"],
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    target: "node20",
    sourcemap: true,
    // All but node-notifier, which finds its helper binaries (vendor/) relative to its own files. It
    // is an optional peer dependency: only a desktop notifier loads it (docs/packaging.md).
    noExternal: [/^(?!node-notifier(?:\/|$))/],
    // import.meta.url (the service plan finds bin/ with it) from __filename, which launch.ts passes.
    shims: true,
    // Without comments and in ASCII (other characters escaped): one "–" in a comment made V8 hold the
    // whole source as UTF-16. Names stay; positions map back through the source map.
    esbuildOptions(options) {
      options.charset = "ascii";
      options.minifyWhitespace = true;
      // The map keeps names and positions (stack traces under --enable-source-maps) but not the text
      // of the ~190 bundled sources: with it, the map alone was 1.9 MB of the package (1.4 MB text).
      options.sourcesContent = false;
    },
    define,
  },
  {
    // The launcher: Node built-ins only, loaded before (and without) the code cache.
    entry: ["src/launch.ts"],
    format: ["esm"],
    target: "node20",
    sourcemap: true,
  },
  {
    // The library entry re-exports @simplebackup/core unbundled, so an app that also imports core
    // gets one copy of its classes (instanceof on its errors keeps working).
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    dts: { entry: "src/index.ts" },
    sourcemap: true,
    define,
  },
]);
