import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const define = { __SIMPLEBACKUP_VERSION__: JSON.stringify(version) };

export default defineConfig([
  {
    // The command line is an application, so its dependencies are bundled in: Node 20 pays for every
    // module file it resolves and compiles, and core alone brings ~120 (zod ~100). Subcommands stay in
    // their own chunks and load on use, so `--version` and `--help` start fast.
    entry: ["src/bin.ts"],
    format: ["esm"],
    target: "node20",
    sourcemap: true,
    splitting: true,
    // All but node-notifier, which finds its helper binaries (vendor/) relative to its own files.
    noExternal: [/^(?!node-notifier(?:\/|$))/],
    // Bundled CommonJS (cron-parser) calls require() for Node built-ins, which ESM output lacks.
    banner: {
      js: 'import { createRequire as __sbCreateRequire } from "node:module"; const require = __sbCreateRequire(import.meta.url);',
    },
    define,
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
