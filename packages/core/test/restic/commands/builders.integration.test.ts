import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBackupArgs, fastExcludePattern } from "../../../src/restic/commands/backup.js";
import { buildForgetArgs, parseForgetOutput } from "../../../src/restic/commands/forget.js";
import { buildInitArgs } from "../../../src/restic/commands/init.js";
import { buildSnapshotsArgs, parseSnapshots } from "../../../src/restic/commands/snapshots.js";
import { parseResticLine } from "../../../src/restic/messages.js";

// Pins the builders' choices against the real binary: `--` before sources, and one retention group per
// job however its sources change, one per tag set (the files and each database apart).
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const root = mkdtempSync(join(tmpdir(), "simplebackup-args-"));
const env = {
  ...process.env,
  RESTIC_REPOSITORY: join(root, "repo"),
  RESTIC_PASSWORD: "args-test",
  RESTIC_CACHE_DIR: join(root, "cache"),
  RESTIC_PROGRESS_FPS: "1",
};

// Extra flags go before `--`: after it, restic reads them as sources ("--time does not exist, skipping").
function restic(args: string[], extra: string[] = [], cwd = root) {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  const argv = [...args.slice(0, end), ...extra, ...args.slice(end)];
  const result = spawnSync(RESTIC, argv, { env, cwd, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`restic ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  for (const dir of ["a1", "a2", "b1"]) {
    mkdirSync(join(root, dir));
    writeFileSync(join(root, dir, "f"), dir);
  }
  restic(buildInitArgs());
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("builders against the real restic", () => {
  it("passes a source named like a flag after `--`", () => {
    mkdirSync(join(root, "-dash"));
    writeFileSync(join(root, "-dash", "f"), "x");
    const args = buildBackupArgs({ name: "dash", sources: ["-dash"], excludes: [], tags: [] });
    const summary = restic(args)
      .split("\n")
      .map(parseResticLine)
      .find((m) => m?.message_type === "summary");
    expect(summary).toMatchObject({ files_new: 1 });
    expect(parseSnapshots(restic(buildSnapshotsArgs("dash")))[0]?.paths).toEqual([join(root, "-dash")]);
  });

  it("keeps one retention group for a job whose sources changed, one per tag set, and leaves other jobs alone", () => {
    const a1 = join(root, "a1");
    const a2 = join(root, "a2");
    const backup = (name: string, sources: string[], tags: string[], time: string) =>
      restic(buildBackupArgs({ name, sources, excludes: [], tags }), ["--time", time]);
    backup("A", [a1], [], "2024-03-01 10:00:00");
    backup("A", [a1], [], "2024-03-02 10:00:00");
    backup("A", [a1, a2], [], "2024-03-03 10:00:00");
    backup("A", [a1, a2], ["offsite", "nas"], "2024-03-04 10:00:00");
    backup("A", [a1, a2], ["nas", "offsite"], "2024-03-05 10:00:00");
    backup("B", [join(root, "b1")], [], "2024-03-01 11:00:00");

    const args = buildForgetArgs({ last: 1 }, "A", { dryRun: true });
    // restic lists the groups in no fixed order (0.14 walks a Go map).
    const groups = parseForgetOutput(restic(args)).sort(
      (a, b) => (a.tags?.length ?? 0) - (b.tags?.length ?? 0),
    );
    const times = (snapshots: readonly { time: string }[] | undefined) => snapshots?.map((s) => s.time);
    // The same tags in another order are the same group; other tags are a group of their own.
    expect(groups.map((g) => g.tags)).toEqual([["simplebackup:A"], ["nas", "offsite", "simplebackup:A"]]);
    expect(times(groups[0]?.keep)).toEqual(["2024-03-03T10:00:00Z"]);
    expect(times(groups[0]?.remove)).toEqual(["2024-03-02T10:00:00Z", "2024-03-01T10:00:00Z"]);
    expect(times(groups[1]?.keep)).toEqual(["2024-03-05T10:00:00Z"]);
    expect(times(groups[1]?.remove)).toEqual(["2024-03-04T10:00:00Z"]);
    // Grouped by host alone the policy keeps a subset of that: only the newest of all.
    const byHost = args.map((arg) => (arg === "host,tags" ? "host" : arg));
    expect(times(parseForgetOutput(restic(byHost))[0]?.keep)).toEqual(["2024-03-05T10:00:00Z"]);

    restic(buildForgetArgs({ last: 1 }, "A", { prune: true }));
    expect(parseSnapshots(restic(buildSnapshotsArgs("A")))).toHaveLength(2);
    expect(parseSnapshots(restic(buildSnapshotsArgs("B")))).toHaveLength(1);
  });

  it("excludes exactly the same files with the patterns as written and as passed (leading **/ dropped)", () => {
    const tree = join(root, "excl");
    const files = [
      "keep.txt",
      "a.tmp",
      "node_modules/pkg/index.js",
      "src/node_modules/x.js",
      "src/node_modules.txt",
      "src/deep/er/b.tmp",
      "src/deep/er/b.tmpx",
      "build/out/app.js",
      "x/build/out/y/z.js",
      "build/outer.js",
      ".git/index.lock",
      "sub/.git/HEAD",
      "sub/.git/refs.lock",
      "cache/c1",
      "a/b/cache/c2",
      "a/cachet/c3",
    ];
    for (const file of files) {
      mkdirSync(join(tree, file, ".."), { recursive: true });
      writeFileSync(join(tree, file), file);
    }
    const written = ["**/node_modules", "**/*.tmp", "**/build/out", "**/.git/*.lock", "**/**/cache"];
    expect(written.map(fastExcludePattern)).toEqual([
      "node_modules",
      "*.tmp",
      "build/out",
      ".git/*.lock",
      "cache",
    ]);
    const savedFiles = (tag: string, excludes: string[]) => {
      const args = [
        "backup",
        "--json",
        "--tag",
        tag,
        ...excludes.flatMap((p) => ["--exclude", p]),
        "--",
        tree,
      ];
      restic(args);
      return restic(["ls", "--json", "--tag", tag, "latest"])
        .split("\n")
        .flatMap((line) => (line.includes('"struct_type":"node"') ? [JSON.parse(line)] : []))
        .filter((node: { type: string }) => node.type === "file")
        .map((node: { path: string }) => node.path)
        .sort();
    };
    const asWritten = savedFiles("as-written", written);
    const asPassed = savedFiles(
      "as-passed",
      buildBackupArgs({ name: "x", sources: [], excludes: written, tags: [] }).flatMap((arg, i, all) =>
        all[i - 1] === "--exclude" ? [arg] : [],
      ),
    );
    expect(asPassed).toEqual(asWritten);
    expect(asWritten.map((path) => path.slice(tree.length + 1))).toEqual([
      "a/cachet/c3",
      "build/outer.js",
      "keep.txt",
      "src/deep/er/b.tmpx",
      "src/node_modules.txt",
      "sub/.git/HEAD",
    ]);
  });
});
