// Writes the files generated from the zod config schema: the JSON Schema editors read and the config
// reference in the docs. Run after `pnpm build` (it reads the built packages):
//
//   pnpm run generate            write schema/backup_config.schema.json and docs/configuration.md
//   pnpm run generate --check    only say which are stale (exit 1), as CI would
import { readFile, writeFile } from "node:fs/promises";
import { renderConfigJsonSchema, renderConfigReference } from "simplebackup";

const root = new URL("../", import.meta.url);
const files = [
  ["schema/backup_config.schema.json", renderConfigJsonSchema()],
  ["docs/configuration.md", renderConfigReference()],
];
const check = process.argv.includes("--check");

let stale = 0;
for (const [file, text] of files) {
  const url = new URL(file, root);
  const current = await readFile(url, "utf8").catch(() => undefined);
  if (current === text) {
    console.log(`up to date: ${file}`);
    continue;
  }
  stale++;
  if (check) {
    console.error(`stale: ${file}`);
  } else {
    await writeFile(url, text);
    console.log(`wrote: ${file}`);
  }
}
if (check && stale > 0) {
  console.error("Run `pnpm build && pnpm run generate` and commit the result.");
  process.exitCode = 1;
}
