// The CLI package's prepack step: writes schema/backup_config.schema.json into the package, so the
// `$schema` link that `simplebackup init` writes (CONFIG_SCHEMA_URL, unpkg's view of this package)
// resolves. Rendered from the built core being packed, not copied from the repository's schema/
// folder, so the published file always matches the published code. Run from packages/cli.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const packageDir = process.cwd();
// Resolved from the package, as its library entry resolves it: the workspace's built core.
const coreEntry = createRequire(join(packageDir, "package.json")).resolve("@simplebackup/core");
const { renderConfigJsonSchema } = await import(pathToFileURL(coreEntry).href);

mkdirSync(join(packageDir, "schema"), { recursive: true });
writeFileSync(join(packageDir, "schema", "backup_config.schema.json"), renderConfigJsonSchema());
