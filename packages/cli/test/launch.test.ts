import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codeCacheDir, compileBundle } from "../src/launch.js";

const root = mkdtempSync(join(tmpdir(), "simplebackup-launch-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A CommonJS bundle that uses what Node gives a CommonJS module. */
function writeBundle(name: string, body = ""): string {
  const file = join(root, `${name}.cjs`);
  writeFileSync(
    file,
    [
      "module.exports.ran = { file: __filename, dir: __dirname, sep: require('node:path').sep };",
      "exports.twice = function twice(n) { return n * 2; };",
      body,
    ].join("\n"),
  );
  return file;
}

describe("codeCacheDir", () => {
  const home = "/home/me";
  it.each([
    [{}, "linux", join(home, ".cache", "simplebackup")],
    [{ XDG_CACHE_HOME: "/var/cache/me" }, "linux", join("/var/cache/me", "simplebackup")],
    [{ XDG_CACHE_HOME: "relative/cache" }, "linux", join(home, ".cache", "simplebackup")],
    [{}, "darwin", join(home, "Library", "Caches", "simplebackup")],
    [
      { LOCALAPPDATA: "/c/Users/me/AppData/Local" },
      "win32",
      join("/c/Users/me/AppData/Local", "simplebackup", "Cache"),
    ],
    [{}, "win32", join(home, "AppData", "Local", "simplebackup", "Cache")],
  ] as const)("%o on %s → %s", (env, platform, dir) => {
    expect(codeCacheDir(env, platform, home)).toBe(dir);
  });

  it("is off with NODE_DISABLE_COMPILE_CACHE, and without a home folder", () => {
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: "1" }, "linux", home)).toBeUndefined();
    expect(codeCacheDir({}, "linux", undefined)).toBeUndefined();
    expect(codeCacheDir({}, "darwin", undefined)).toBeUndefined();
  });
});

describe("compileBundle", () => {
  // The runs happen in child processes, on the built launcher (the suite runs after the build): V8
  // reuses compiled code within an isolate, so a second compile in one process proves nothing.
  function start(bundle: string, cacheHome: string, purpose = "backup", extraEnv: NodeJS.ProcessEnv = {}) {
    const script = `
      const { compileBundle } = await import(${JSON.stringify(new URL("../dist/launch.js", import.meta.url).href)});
      const bundle = compileBundle(${JSON.stringify(bundle)}, { purpose: ${JSON.stringify(purpose)} });
      bundle.run();
      bundle.saveCodeCache();
      console.log(JSON.stringify({ status: bundle.status, cacheFile: bundle.cacheFile }));`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: "", ...extraEnv },
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as { status: string; cacheFile?: string };
  }

  it("runs the bundle as a CommonJS module and returns its exports", () => {
    const bundle = writeBundle("plain");
    const compiled = compileBundle(bundle, { env: { NODE_DISABLE_COMPILE_CACHE: "1" } });
    expect(compiled.status).toBe("off");
    const exported = compiled.run() as { ran: unknown; twice(n: number): number };
    expect(exported.ran).toEqual({ file: bundle, dir: root, sep: "/" });
    expect(exported.twice(21)).toBe(42);
  });

  it("writes a cache on a miss, reads it on the next start, and one per purpose", () => {
    const cacheHome = join(root, "cache-a");
    const bundle = writeBundle("a");
    const first = start(bundle, cacheHome);
    expect(first.status).toBe("miss");
    expect(first.cacheFile).toMatch(/simplebackup\/cli-[0-9a-f]{20}-v\d+\.\d+\.\d+-\w+-backup\.v8cache$/);
    const written = statSync(first.cacheFile as string);
    expect(written.size).toBeGreaterThan(0);
    expect(written.mode & 0o777).toBe(0o600);
    expect(statSync(join(cacheHome, "simplebackup")).mode & 0o777).toBe(0o700);

    const second = start(bundle, cacheHome);
    expect(second).toEqual({ status: "hit", cacheFile: first.cacheFile });
    // A hit is not written again.
    expect(statSync(first.cacheFile as string).mtimeMs).toBe(written.mtimeMs);

    expect(start(bundle, cacheHome, "validate").status).toBe("miss");
    expect(readdirSync(join(cacheHome, "simplebackup"))).toHaveLength(2);
  });

  it("replaces a cache V8 refuses, and removes the caches of other builds", () => {
    const cacheHome = join(root, "cache-b");
    const bundle = writeBundle("b");
    const first = start(bundle, cacheHome);
    writeFileSync(first.cacheFile as string, "not a code cache");
    const corrupt = start(bundle, cacheHome);
    expect(corrupt.status).toBe("rejected");
    expect(readFileSync(first.cacheFile as string, "utf8")).not.toBe("not a code cache");
    expect(start(bundle, cacheHome).status).toBe("hit");

    // The same file with other content is another build: its cache has another name, the old goes.
    writeBundle("b", "module.exports.changed = true;");
    const rebuilt = start(bundle, cacheHome);
    expect(rebuilt.status).toBe("miss");
    expect(rebuilt.cacheFile).not.toBe(first.cacheFile);
    expect(readdirSync(join(cacheHome, "simplebackup"))).toEqual([rebuilt.cacheFile?.split("/").pop()]);
  });

  it("keeps no cache when turned off", () => {
    const cacheHome = join(root, "cache-c");
    const off = start(writeBundle("c"), cacheHome, "backup", { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(off).toEqual({ status: "off" });
    expect(() => readdirSync(cacheHome)).toThrow();
  });
});

describe("the bin launcher", () => {
  it("starts the CLI from a folder whose path has a space in it", () => {
    const cli = new URL("..", import.meta.url).pathname;
    const copy = join(root, "with space", "cli");
    cpSync(join(cli, "bin"), join(copy, "bin"), { recursive: true });
    cpSync(join(cli, "dist"), join(copy, "dist"), { recursive: true });
    symlinkSync(join(cli, "node_modules"), join(copy, "node_modules"));
    const result = spawnSync(process.execPath, [join(copy, "bin", "simplebackup.mjs"), "--version"], {
      env: { ...process.env, XDG_CACHE_HOME: join(root, "cache-bin") },
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(cli, "package.json"), "utf8")).version);
    expect(result.status).toBe(0);
  });
});
