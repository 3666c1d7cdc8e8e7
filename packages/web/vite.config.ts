import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/*
 * The dashboard's page, built once into dist/ui and served by the package (no CDN, nothing fetched at
 * run time). Every setting here serves the Content-Security-Policy `script-src 'self'; style-src
 * 'self'`: scripts and styles leave as files, never inline.
 */
export default defineConfig({
  root: fileURLToPath(new URL("./ui", import.meta.url)),
  base: "/",
  // Preact's JSX runtime, through Vite's own transform: no Babel plugin (@preact/preset-vite) needed.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("./dist/ui", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // The polyfill is for browsers without <link rel=modulepreload>; the ones we serve have it.
    modulePreload: { polyfill: false },
    // A small asset would become a data: URL inside CSS or JS; files keep the policy simple to read.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
    // Preact's MIT notice travels with its bundled code (dist/ui and the CLI's copy of it); the
    // server does not serve .md files.
    license: { fileName: "THIRD-PARTY-LICENSES.md" },
  },
});
