// scripts/prepack-guard.mjs, every package's prepack, on a small package in a temp folder: each thing
// that would make a tarball a user cannot install or use stops the pack, named.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, write } from "./cli.js";

const GUARD = fileURLToPath(new URL("../../scripts/prepack-guard.mjs", import.meta.url));
const PNPM = "pnpm/10.34.8 npm/? node/v20.20.2 linux x64";
const NPM = "npm/10.8.2 node/v20.20.2 linux x64 workspaces/false";

let temp: ReturnType<typeof tempDir> | undefined;
afterEach(() => temp?.dispose());

/** A package that passes, changed by `edit`. */
function fixture(edit: (manifest: Record<string, unknown>) => void = () => {}): string {
  temp = tempDir();
  const manifest: Record<string, unknown> = {
    name: "fixture",
    version: "1.0.0",
    description: "A package for the guard's test",
    keywords: ["test"],
    license: "MIT",
    repository: { type: "git", url: "git+https://example.com/fixture.git" },
    files: ["dist"],
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    dependencies: { "@simplebackup/core": "workspace:*", zod: "catalog:" },
    devDependencies: { "@simplebackup/example-embed": "workspace:*" },
  };
  edit(manifest);
  write(join(temp.path, "package.json"), manifest);
  write(join(temp.path, "README.md"), "# fixture\n");
  write(join(temp.path, "LICENSE"), "MIT License\n");
  write(join(temp.path, "dist/index.js"), "export {};\n");
  write(join(temp.path, "dist/index.d.ts"), "export {};\n");
  write(join(temp.path, "dist/index.js.map"), '{"version":3,"sources":[],"mappings":""}');
  return temp.path;
}

function guard(dir: string, userAgent = PNPM) {
  const env = { ...process.env, npm_config_user_agent: userAgent };
  const result = spawnSync(process.execPath, [GUARD], { cwd: dir, env, encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

describe("prepack-guard", () => {
  it("lets a complete package through when pnpm packs it (pnpm rewrites workspace: and catalog:)", () => {
    expect(guard(fixture())).toEqual({ status: 0, stderr: "" });
  });

  it("stops npm (or yarn) from packing a workspace: or catalog: specifier", () => {
    const { status, stderr } = guard(fixture(), NPM);
    expect(status).toBe(1);
    expect(stderr).toContain('dependencies.@simplebackup/core is "workspace:*", which only pnpm rewrites');
    expect(stderr).toContain('dependencies.zod is "catalog:", which only pnpm rewrites');
  });

  it("stops a dependency on a private workspace package, or on a catalog entry that does not exist", () => {
    const dir = fixture((manifest) => {
      manifest.dependencies = { "@simplebackup/example-embed": "workspace:*", "left-pad": "catalog:" };
    });
    const { status, stderr } = guard(dir);
    expect(status).toBe(1);
    expect(stderr).toContain("@simplebackup/example-embed is private: a user's npm could not install it");
    expect(stderr).toContain("pnpm-workspace.yaml's catalog has no left-pad");
  });

  it("names every missing file and field, and a source map over 1 MiB", () => {
    const dir = fixture((manifest) => {
      manifest.name = "@fixture/scoped";
      delete manifest.keywords;
      delete manifest.repository;
      manifest.bin = { fixture: "./bin/fixture.mjs" };
    });
    rmSync(join(dir, "LICENSE"));
    rmSync(join(dir, "dist/index.d.ts"));
    writeFileSync(join(dir, "dist/index.js.map"), "x".repeat(2 * 1024 * 1024));
    const { status, stderr } = guard(dir);
    expect(status).toBe(1);
    expect(stderr.split("\n").slice(1, -1)).toEqual([
      "  - no repository",
      "  - no keywords",
      '  - a scoped package without publishConfig.access "public"',
      "  - LICENSE is missing",
      "  - ./bin/fixture.mjs is missing",
      "  - ./dist/index.d.ts is missing (did the build run?)",
      "  - dist/index.js.map is 2.0 MiB: source maps stay under 1 MiB (no sourcesContent)",
    ]);
  });

  it("stops a config schema whose $id does not point at this package", () => {
    const dir = fixture((manifest) => {
      manifest.files = ["dist", "schema"];
    });
    write(join(dir, "schema/backup_config.schema.json"), { $id: "https://unpkg.com/other/schema.json" });
    const { status, stderr } = guard(dir);
    expect(status).toBe(1);
    expect(stderr).toContain("not a URL ending in /fixture/schema/backup_config.schema.json");
  });
});
