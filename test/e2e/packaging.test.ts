// The packages as a user gets them: packed with pnpm (as `pnpm publish` would), installed with plain
// npm into an empty folder outside the repository (third-party dependencies come from the registry,
// through the user's npm cache), then used there: the bin with a real restic, and the library entry
// from a strict TypeScript app. One pack and one install, shared by every test of the file.
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { write } from "./cli.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const PNPM = `pnpm@${readJson(join(REPO, "package.json")).packageManager.split("@")[1]}`;
const PACKAGES = ["core", "notifier", "daemon", "web", "cli"].map((dir) =>
  readJson(join(REPO, "packages", dir, "package.json")),
);
const CLI_VERSION: string = PACKAGES.find((pkg) => pkg.name === "simplebackup").version;
const MiB = 1024 * 1024;

const temp = mkdtempSync(join(tmpdir(), "sb-package-"));
const packs = join(temp, "packs");
const app = join(temp, "app");
const installed = (name: string) => join(app, "node_modules", name);
const env = {
  ...userEnv(),
  SIMPLEBACKUP_CONFIG: undefined,
  SIMPLEBACKUP_STATE_DIR: join(temp, "state"),
  XDG_CACHE_HOME: join(temp, "cache"),
};

/**
 * The environment of a user's shell: without what a package manager running this suite put in it.
 * pnpm's bin shims set NODE_PATH to the workspace's packages (node-notifier, core...), which would
 * let the installed CLI find what its install lacks; and pnpm sets dozens of npm_* variables, which
 * npm would read as its own config. Where the registry is stays.
 */
function userEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|userconfig|cache|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => key !== "NODE_PATH" && key !== "NODE_OPTIONS" && (!/^npm_/i.test(key) || keep.test(key)),
    ),
  );
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { cwd: app, env, encoding: "utf8", ...options });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs a setup step; a failure stops the file with the step's own output. */
function step(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
}

const simplebackup = (args: string[]) => run(installed(".bin/simplebackup"), args);

beforeAll(() => {
  mkdirSync(app, { recursive: true });
  write(join(app, "package.json"), { name: "user-app", private: true, type: "module" });
  step("npx", ["--yes", PNPM, "-r", "pack", "--pack-destination", packs], { cwd: REPO });
  const tarballs = readdirSync(packs).map((file) => join(packs, file));
  step("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs]);
}, 300_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("the packed tarballs", () => {
  it("are the five published packages, nothing private", () => {
    const expected = PACKAGES.map(
      (pkg) => `${pkg.name.replace("@", "").replace("/", "-")}-${pkg.version}.tgz`,
    );
    expect(readdirSync(packs).sort()).toEqual(expected.sort());
  });

  it.each(PACKAGES.map((pkg) => pkg.name))(
    "%s: README, LICENSE, metadata, no workspace:/catalog:",
    (name) => {
      const dir = installed(name);
      expect(existsSync(join(dir, "README.md"))).toBe(true);
      expect(readFileSync(join(dir, "LICENSE"), "utf8")).toMatch(/^MIT License/);
      const manifest = readJson(join(dir, "package.json"));
      expect(manifest).toMatchObject({
        license: "MIT",
        repository: { url: expect.stringMatching(/^git\+https:/) },
      });
      expect(manifest.keywords.length).toBeGreaterThan(0);
      expect(JSON.stringify(manifest)).not.toMatch(/"(workspace|catalog):/);
    },
  );

  it.each(PACKAGES.map((pkg) => pkg.name))("%s: no source map over 1 MiB", (name) => {
    const maps = listFiles(installed(name)).filter((file) => file.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) expect({ map, size: statSync(map).size < MiB }).toEqual({ map, size: true });
  });

  it.each([
    ["simplebackup", ["zod", "luxon"]],
    ["@simplebackup/core", ["cron-parser", "luxon"]],
  ])("%s carries the licenses of what its dist bundles", (name, bundled) => {
    const notices = readFileSync(join(installed(name), "THIRD-PARTY-LICENSES.md"), "utf8");
    for (const dependency of bundled)
      expect(notices).toMatch(new RegExp(`^## ${dependency} \\S+ \\(MIT\\)$`, "m"));
  });

  it("install none of what the CLI's bundle holds, nor node-notifier (an optional peer)", () => {
    const names = readdirSync(join(app, "node_modules")).flatMap((entry) =>
      entry.startsWith("@")
        ? readdirSync(join(app, "node_modules", entry)).map((sub) => `${entry}/${sub}`)
        : [entry],
    );
    expect(names).toEqual(expect.arrayContaining(["simplebackup", "@simplebackup/core", "zod"]));
    for (const bundled of ["citty", "cron-parser", "luxon", "node-notifier"])
      expect(names).not.toContain(bundled);
  });
});

describe("the installed CLI", () => {
  it("npx simplebackup --version prints the package's version", () => {
    // `--no`: never the registry's simplebackup, only the installed one (`--` keeps --version ours).
    const result = run("npx", ["--no", "--", "simplebackup", "--version"]);
    expect(result).toMatchObject({ status: 0, stdout: `${CLI_VERSION}\n` });
  });

  it("ships the JSON Schema where the $schema link that init writes points", () => {
    const work = join(temp, "init");
    mkdirSync(work);
    expect(run(installed(".bin/simplebackup"), ["init"], { cwd: work }).status).toBe(0);
    const link =
      /"\$schema": "([^"]+)"/.exec(readFileSync(join(work, "backup_config.json"), "utf8"))?.[1] ?? "";
    // unpkg and jsdelivr serve https://<host>/<package>/<path in the tarball>.
    const [, packageName, ...path] = new URL(link).pathname.split("/");
    expect(packageName).toBe("simplebackup");
    const schema = readJson(join(installed("simplebackup"), ...path));
    expect(schema.$id).toBe(link);
    expect(Object.keys(schema.properties)).toContain("backupjobs");
  });

  it("validates and backs up with real restic; a desktop notifier says node-notifier is missing", () => {
    const work = join(temp, "backup");
    write(join(work, "photos/cat.jpg"), "meow");
    write(join(work, "repo.pass"), "package-test-secret\n");
    chmodSync(join(work, "repo.pass"), 0o600);
    const config = write(join(work, "backup_config.json"), {
      backupjobs: [
        {
          jobname: "Photos",
          sources: ["./photos"],
          destination: "./repo",
          password_file: "./repo.pass",
          backup_interval: "0 3 * * *",
        },
      ],
      notifications: [{ type: "desktop", on: ["success"] }],
    });

    expect(simplebackup(["validate", "--config", config])).toMatchObject({ status: 0 });
    const backup = simplebackup(["backup", "--config", config]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stderr).toContain(
      "the desktop notifier needs the node-notifier package, which is not installed",
    );
    // Said once: a missing package is not retried (the retry would only delay the exit).
    expect(backup.stderr).not.toContain("trying once more");

    const snapshots = run("restic", [
      "-r",
      join(work, "repo"),
      "--password-file",
      join(work, "repo.pass"),
      "snapshots",
      "--json",
    ]);
    expect(JSON.parse(snapshots.stdout)).toHaveLength(1);
  });
});

describe("the installed library entry", () => {
  it("is core's own API at run time: one copy of its classes", () => {
    const script = [
      'import * as entry from "simplebackup";',
      'import * as core from "@simplebackup/core";',
      "console.log(typeof entry.BackupScheduler, entry.BackupScheduler === core.BackupScheduler);",
    ].join("\n");
    const result = run(process.execPath, ["--input-type=module", "-e", script]);
    expect(result).toMatchObject({ status: 0, stdout: "function true\n" });
  });

  it('compiles `import { BackupScheduler } from "simplebackup"` and the daemon under strict NodeNext', () => {
    write(
      join(app, "main.ts"),
      [
        'import { type BackupEvent, BackupScheduler, createManualClock } from "simplebackup";',
        'import type { Notifier } from "@simplebackup/notifier";',
        'import { createDaemon, type Daemon } from "@simplebackup/daemon";',
        "",
        'const daemon: Daemon = createDaemon({ configPath: "./backup_config.json" });',
        "const unsubscribe: () => void = daemon.subscribe((event) => console.log(event.type));",
        "const scheduler: BackupScheduler = new BackupScheduler({",
        '  configPath: "./backup_config.json",',
        "  clock: createManualClock(Date.now()),",
        "});",
        'scheduler.on("failure", (event) => console.error(event.job, event.code));',
        'const seen: BackupEvent["type"][] = [];',
        'const quiet: Notifier = { name: "quiet", notify: async () => {} };',
        "export { quiet, seen, unsubscribe };",
        "",
      ].join("\n"),
    );
    write(join(app, "tsconfig.json"), {
      compilerOptions: {
        strict: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        noEmit: true,
        // Our .d.ts files are checked too, with the repository's @types/node (a Node app has its own).
        skipLibCheck: false,
        typeRoots: [join(REPO, "node_modules/@types")],
        types: ["node"],
      },
      files: ["main.ts"],
    });
    const tsc = run(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 180_000);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
