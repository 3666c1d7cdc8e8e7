// Starts the bundled CLI with a V8 code cache. Node 20 has no compile cache of its own (Node 22 has
// module.enableCompileCache()), and compiling the ~0.9 MB bundle plus the functions a command calls
// took ~50 ms of every `simplebackup backup`, next to restic typed by hand (docs/performance.md, F8).
// This file is loaded before the bundle, uncached, so it imports Node built-ins only.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { Script } from "node:vm";

/** `off`: no cache folder (disabled, or no home); `rejected`: V8 refused the file (another V8, flags). */
export type CodeCacheStatus = "off" | "miss" | "hit" | "rejected";

export interface CompiledBundle {
  readonly status: CodeCacheStatus;
  /** The cache file used, or written by {@link CompiledBundle.saveCodeCache}. */
  readonly cacheFile: string | undefined;
  /** Runs the bundle as Node runs a CommonJS module; returns its exports. */
  run(): unknown;
  /**
   * Writes the code cache when there was none to use. Called late (at exit), the cache also holds the
   * functions compiled while the command ran, not only the bundle's top level. Never throws: a cache
   * that cannot be written only makes the next start slower.
   */
  saveCodeCache(): void;
}

const CACHE_PREFIX = "cli-";
const CACHE_SUFFIX = ".v8cache";

export interface CompileBundleOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /**
   * What the cache is for (the subcommand). Each gets its own cache: one written after `--version`
   * holds none of the functions a `backup` compiles.
   */
  readonly purpose?: string;
}

/** Compiles a CommonJS bundle with the code cache kept for it in the user's cache folder. */
export function compileBundle(
  bundleFile: string,
  { env = process.env, platform = process.platform, purpose = "main" }: CompileBundleOptions = {},
): CompiledBundle {
  const bytes = readFileSync(bundleFile);
  const source = bytes.toString("utf8");
  const dir = codeCacheDir(env, platform, safeHomedir());
  // V8 checks a cache against the source's length, not its content: the name carries a hash of it.
  const build = `${CACHE_PREFIX}${createHash("sha1").update(bytes).digest("hex").slice(0, 20)}-${process.version}-${process.arch}-`;
  const cacheFile = dir && join(dir, `${build}${purpose}${CACHE_SUFFIX}`);
  const cachedData = cacheFile ? readOptional(cacheFile) : undefined;
  // No importModuleDynamically: Node 20 flags its only option that needs no CLI flag as experimental,
  // so the bundle never calls import() itself and takes the launcher's instead (see launch()).
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundleFile,
    cachedData,
  });
  const status: CodeCacheStatus = !cacheFile
    ? "off"
    : cachedData === undefined
      ? "miss"
      : script.cachedDataRejected
        ? "rejected"
        : "hit";

  return {
    status,
    cacheFile,
    run() {
      const module = { exports: {} };
      const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
      wrapper.call(
        module.exports,
        module.exports,
        createRequire(bundleFile),
        module,
        bundleFile,
        dirname(bundleFile),
      );
      return module.exports;
    },
    saveCodeCache() {
      if (!cacheFile || status === "hit") return;
      try {
        writeCodeCache(cacheFile, build, script.createCachedData());
      } catch {}
    },
  };
}

/**
 * Runs the CLI bundle, and at the exit of a successful command saves its code cache when it had none
 * to use (see saveCodeCache); a mistyped command leaves no cache file behind.
 */
export function launch(bundleFile: string, args: readonly string[] = process.argv.slice(2)): void {
  const command = args[0] && /^[a-z][a-z-]{0,39}$/.test(args[0]) ? args[0] : "main";
  const bundle = compileBundle(bundleFile, { purpose: command });
  // `backup --help` compiles none of what a backup runs: its cache would hold a backup's start back.
  const helpOnly = args.includes("--help") || args.includes("-h");
  if (!helpOnly) {
    process.once("exit", (code) => {
      if (code === 0) bundle.saveCodeCache();
    });
  }
  const { start } = bundle.run() as { start(importer: (url: string) => Promise<unknown>): Promise<void> };
  void start((url) => import(url));
}

/**
 * The folder for the code cache: the platform's per-user cache folder (never a shared one such as
 * /tmp: V8 runs what the file holds). `NODE_DISABLE_COMPILE_CACHE`, Node's own switch, turns it off.
 */
export function codeCacheDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string | undefined,
): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (platform === "win32") {
    const local = env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : undefined;
    const base = local ?? (home ? join(home, "AppData", "Local") : undefined);
    return base && join(base, "simplebackup", "Cache");
  }
  if (platform === "darwin") return home ? join(home, "Library", "Caches", "simplebackup") : undefined;
  // XDG: a relative XDG_CACHE_HOME is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  const base = xdg ?? (home ? join(home, ".cache") : undefined);
  return base && join(base, "simplebackup");
}

function writeCodeCache(cacheFile: string, build: string, data: Buffer): void {
  const dir = dirname(cacheFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Renamed into place, so a process starting meanwhile reads the old file or the new one, whole.
  const partial = `${cacheFile}.${process.pid}.partial`;
  writeFileSync(partial, data, { mode: 0o600 });
  renameSync(partial, cacheFile);
  // Caches of other builds (an upgrade, another Node) would never be read again; a partial file
  // (not ending in the suffix) is left by a process that died while writing, or is being written by
  // one that then fails to rename it, harmlessly.
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const stale = name.startsWith(CACHE_PREFIX) && (!name.startsWith(build) || !name.endsWith(CACHE_SUFFIX));
    if (file !== cacheFile && stale) rmSync(file, { force: true });
  }
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}
