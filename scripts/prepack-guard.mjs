// Every published package's prepack step (run from the package's folder by `pnpm pack` and
// `pnpm publish`): refuses to pack what a user could not install or use. It checks:
// - no `workspace:` or `catalog:` specifier can reach the tarball: only pnpm rewrites them, so packing
//   with npm or yarn fails here, and a `workspace:` dependency must name a package that is published
//   (not private); a `catalog:` one an entry of pnpm-workspace.yaml's catalog;
// - the files a user gets: README.md, LICENSE, everything `bin`, `exports` and `files` name;
// - the metadata npm shows: description, license, repository, keywords; public access when scoped;
// - no source map over 1 MiB (the CLI's once carried 1.4 MB of bundled sources' text);
// - a shipped config schema whose `$id` points at this package, where unpkg and jsdelivr serve it.
// See docs/packaging.md.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const MAX_MAP_BYTES = 1024 * 1024;
const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];
const WORKSPACE_ROOT = new URL("../", import.meta.url);

const packageDir = process.cwd();
const manifest = readJson(join(packageDir, "package.json"));
const problems = [
  ...checkSpecifiers(manifest, process.env.npm_config_user_agent ?? ""),
  ...checkMetadata(manifest),
  ...checkFiles(manifest),
  ...checkSourceMaps(manifest),
  ...checkSchema(manifest),
];

if (problems.length > 0) {
  console.error(`prepack-guard: ${manifest.name} cannot be packed:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function checkSpecifiers(pkg, userAgent) {
  const problems = [];
  const packedByPnpm = userAgent.startsWith("pnpm/");
  const published = workspacePackages();
  const catalog = catalogEntries();
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      if (!/^(workspace|catalog):/.test(spec)) continue;
      const at = `${field}.${name} is "${spec}"`;
      if (!packedByPnpm) {
        problems.push(`${at}, which only pnpm rewrites: pack with \`pnpm pack\` or \`pnpm publish\``);
      } else if (
        spec.startsWith("workspace:") &&
        field !== "devDependencies" &&
        published.get(name) !== true
      ) {
        const why = published.has(name) ? "is private" : "is not in this workspace";
        problems.push(`${at}, but ${name} ${why}: a user's npm could not install it`);
      } else if (spec.startsWith("catalog:") && !catalog.has(name)) {
        problems.push(`${at}, but pnpm-workspace.yaml's catalog has no ${name}`);
      }
    }
  }
  return problems;
}

/** The workspace's packages by name: true when published (not private). */
function workspacePackages() {
  const packages = new Map();
  for (const group of ["packages", "examples"]) {
    const dir = new URL(`${group}/`, WORKSPACE_ROOT);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const file = new URL(`${group}/${entry}/package.json`, WORKSPACE_ROOT);
      if (!existsSync(file)) continue;
      const { name, private: isPrivate } = readJson(file);
      packages.set(name, isPrivate !== true);
    }
  }
  return packages;
}

/** The names under `catalog:` in pnpm-workspace.yaml (a flat map, one `name: version` a line). */
function catalogEntries() {
  const text = readFileSync(new URL("pnpm-workspace.yaml", WORKSPACE_ROOT), "utf8");
  const block = text.split(/^catalog:\s*$/m)[1]?.split(/^\S/m)[0] ?? "";
  return new Set([...block.matchAll(/^\s+"?([^":\s]+)"?\s*:/gm)].map((match) => match[1]));
}

function checkMetadata(pkg) {
  const problems = [];
  if (!pkg.description) problems.push("no description");
  if (!pkg.license) problems.push("no license");
  if (!(pkg.repository?.url ?? pkg.repository)) problems.push("no repository");
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push("no keywords");
  // npm publishes a scoped package as private unless told otherwise, and then refuses a free scope.
  if (pkg.name.startsWith("@") && pkg.publishConfig?.access !== "public") {
    problems.push('a scoped package without publishConfig.access "public"');
  }
  return problems;
}

function checkFiles(pkg) {
  const wanted = ["README.md", "LICENSE", ...Object.values(binEntries(pkg)), ...exportTargets(pkg.exports)];
  // Globs and negations in `files` are npm's to expand; plain names must exist.
  wanted.push(...(pkg.files ?? []).filter((entry) => !/[*!?[]/.test(entry)));
  return [...new Set(wanted)]
    .filter((file) => !existsSync(join(packageDir, file)))
    .map((file) => `${file} is missing${/^\.?\/?dist\//.test(file) ? " (did the build run?)" : ""}`);
}

function binEntries(pkg) {
  if (typeof pkg.bin === "string") return { [pkg.name]: pkg.bin };
  return pkg.bin ?? {};
}

function exportTargets(exports) {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}

function checkSourceMaps(pkg) {
  const problems = [];
  for (const entry of pkg.files ?? []) {
    const path = join(packageDir, entry);
    if (!existsSync(path)) continue;
    for (const file of walk(path)) {
      const size = file.endsWith(".map") ? statSync(file).size : 0;
      if (size > MAX_MAP_BYTES) {
        const mib = (size / MAX_MAP_BYTES).toFixed(1);
        problems.push(
          `${relative(packageDir, file)} is ${mib} MiB: source maps stay under 1 MiB (no sourcesContent)`,
        );
      }
    }
  }
  return problems;
}

function* walk(path) {
  if (!statSync(path).isDirectory()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path)) yield* walk(join(path, entry));
}

function checkSchema(pkg) {
  const file = join(packageDir, "schema", "backup_config.schema.json");
  if (!existsSync(file)) return [];
  const id = readJson(file).$id ?? "";
  const suffix = `/${pkg.name}/schema/backup_config.schema.json`;
  return id.endsWith(suffix)
    ? []
    : [`schema/backup_config.schema.json has $id "${id}", not a URL ending in ${suffix}`];
}
