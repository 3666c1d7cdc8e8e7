// Prepack step of a package whose dist bundles other packages (the CLI: zod, citty, cron-parser,
// luxon...; core: cron-parser, luxon): writes THIRD-PARTY-LICENSES.md with each bundled package's
// name, version and license text. Their licenses (MIT and alike) ask that the notice travels with
// the code; once bundled, their own LICENSE files are no longer installed next to it.
// The list comes from the source maps' `sources`, which name every bundled file. Run from the
// package's folder.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const packageDir = process.cwd();
const distDir = join(packageDir, "dist");
const bundled = new Map();

for (const mapFile of readdirSync(distDir).filter((file) => file.endsWith(".map"))) {
  const { sources } = JSON.parse(readFileSync(join(distDir, mapFile), "utf8"));
  for (const source of sources) {
    const dir = packageRoot(resolve(distDir, source));
    if (dir && !bundled.has(dir)) bundled.set(dir, readJson(join(dir, "package.json")));
  }
}

const sections = [...bundled.entries()]
  .sort(([, a], [, b]) => a.name.localeCompare(b.name))
  .map(
    ([dir, pkg]) =>
      `## ${pkg.name} ${pkg.version} (${pkg.license ?? "license not stated"})\n\n${licenseText(dir)}`,
  );
writeFileSync(
  join(packageDir, "THIRD-PARTY-LICENSES.md"),
  [
    "# Third-party software bundled in this package",
    "",
    "The files in dist/ include code of the packages below, under their own licenses.",
    "",
    ...sections,
  ].join("\n"),
);

/** The folder of the installed package a bundled file belongs to (the last node_modules/<name>). */
function packageRoot(file) {
  const match = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/@][^\\/]*)[\\/]/.exec(file);
  return match && existsSync(join(match[1], "package.json")) ? match[1] : undefined;
}

function licenseText(dir) {
  const file = readdirSync(dir).find((name) => /^licen[cs]e(\.(md|txt))?$/i.test(name));
  if (!file)
    return `(no license file in the package; see https://www.npmjs.com/package/${readJson(join(dir, "package.json")).name})\n`;
  return `\`\`\`text\n${readFileSync(join(dir, file), "utf8").trim()}\n\`\`\`\n`;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}
