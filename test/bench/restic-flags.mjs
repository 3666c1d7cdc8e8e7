#!/usr/bin/env node
// Which `restic backup` flags make P2's single invocation (one job, 3 sources, incremental) faster on
// a restic 0.15+, and which of them keep the progress percentage (issue 13). Each variant is one bare
// `restic backup` of the bench's 3 sources, as simplebackup passes it plus the variant's flags; the
// variants and the seed's way (one backup per source) run alternately, 20 files changed before each.
//
//   node test/bench/restic-flags.mjs [--restic PATH] [--rounds N] [--quick] [--variant="FLAGS"]...
//
// Without --variant: --read-concurrency 1 and 4 (the default is 2), --no-extra-verify, and --no-scan
// (known to drop the percentage; the reference for what the scan costs). Prints a table; writes nothing.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createMutator, EXCLUDES, generateTree, TREE_SIZES } from "./lib/data.mjs";
import { alternate, median, paired, timeCommand } from "./lib/measure.mjs";
import { resolveRestics } from "./lib/restics.mjs";

const DEFAULT_VARIANTS = ["--read-concurrency 1", "--read-concurrency 4", "--no-extra-verify", "--no-scan"];

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      restic: { type: "string" },
      rounds: { type: "string", default: "11" },
      quick: { type: "boolean", default: false },
      variant: { type: "string", multiple: true },
    },
  }));
} catch (error) {
  console.error(`restic-flags: ${error.message}`);
  process.exit(2);
}
const rounds = Number(flags.rounds);
if (!/^\d+$/.test(flags.rounds) || rounds < 1) {
  console.error(`restic-flags: --rounds must be a whole number of 1 or more, got "${flags.rounds}"`);
  process.exit(2);
}
const variants = (flags.variant ?? DEFAULT_VARIANTS).map((text) => text.split(/\s+/).filter(Boolean));

// Only locateRestic is needed, so a build from any checkout will do; this one's is the natural choice.
const core = await import(new URL("../../packages/core/dist/index.js", import.meta.url).href);
const [restic] = await resolveRestics(core, flags.restic ? [flags.restic] : []);
if (!core.versionAtLeast(restic.parsed, "0.15.0")) {
  console.error(`restic-flags: restic ${restic.version} has none of these flags (0.15.0 or later needed)`);
  process.exit(2);
}

const work = mkdtempSync(path.join(os.tmpdir(), "simplebackup-restic-flags-"));
try {
  const seed = 20260115;
  const tree = generateTree(path.join(work, "data"), flags.quick ? TREE_SIZES.quick : TREE_SIZES.full, seed);
  const mutate = createMutator(tree, seed, flags.quick ? 5 : 20);
  const passwordFile = path.join(work, "password.txt");
  writeFileSync(passwordFile, "bench-password\n");
  mkdirSync(path.join(work, "cache"));
  const env = {
    ...process.env,
    RESTIC_REPOSITORY: path.join(work, "repo"),
    RESTIC_PASSWORD_FILE: passwordFile,
    RESTIC_PROGRESS_FPS: "2",
    RESTIC_CACHE_DIR: path.join(work, "cache"),
  };
  // The flags simplebackup passes for the bench's P2 job (core's own builder), then the variant's.
  const job = { name: "p2", sources: tree.sources, excludes: EXCLUDES, tags: [] };
  const backup = (extra, sources = tree.sources, extraEnv = {}) => {
    const args = core.buildBackupArgs({ ...job, sources });
    args.splice(args.indexOf("--"), 0, ...extra);
    return timeCommand(restic.binary, args, { env: { ...env, ...extraEnv } });
  };
  await timeCommand(restic.binary, ["init"], { env });
  await backup([]);
  for (const source of tree.sources) await backup([], [source]);

  const sides = { default: () => backup([]) };
  for (const extra of variants) sides[extra.join(" ")] = () => backup(extra);
  sides["3 × per source"] = async () => {
    let ms = 0;
    let cpuMs = 0;
    for (const source of tree.sources) {
      const result = await backup([], [source]);
      ms += result.ms;
      cpuMs += result.cpuMs;
    }
    return { ms, cpuMs };
  };
  const load = [];
  console.error(`restic ${restic.version}: ${rounds} rounds of ${Object.keys(sides).join(" / ")}`);
  const samples = await alternate({
    rounds,
    warmup: 1,
    sides,
    before: (side, round) => {
      if (side === "default" && round >= 0) load.push(os.loadavg()[0]);
      mutate();
    },
  });

  // Whether a variant's status lines still say how far the backup is (the scanner's total_bytes, which
  // percent_done divides by): one more, untimed backup each, at 20 status lines a second so that even
  // a short incremental prints some.
  const percentKept = {};
  for (const extra of [[], ...variants]) {
    mutate();
    const args = core.buildBackupArgs(job);
    args.splice(args.indexOf("--"), 0, ...extra);
    const { stdout } = await timeCommand(restic.binary, args, {
      env: { ...env, RESTIC_PROGRESS_FPS: "20" },
      keepOutput: true,
    });
    const statuses = stdout
      .split("\n")
      .filter((line) => line.includes('"message_type":"status"'))
      .map((line) => JSON.parse(line));
    percentKept[extra.join(" ") || "default"] =
      statuses.length === 0
        ? "no status line"
        : statuses.some((status) => (status.total_bytes ?? 0) > 0 && status.percent_done > 0)
          ? "yes"
          : "NO";
  }

  const of = (name, key) => samples[name].map((one) => one[key]);
  const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  const ratios = (name, key) => of(name, key).map((value, i) => value / of("default", key)[i]);
  const table = Object.keys(sides).map((name) => [
    name,
    `${median(of(name, "ms")).toFixed(0)} ms`,
    `${paired(of(name, "ms"), of("default", "ms"))}× (${range(ratios(name, "ms"))})`,
    `${median(of(name, "cpuMs")).toFixed(0)} ms`,
    `${paired(of(name, "cpuMs"), of("default", "cpuMs"))}× (${range(ratios(name, "cpuMs"))})`,
    percentKept[name] ?? "—",
  ]);
  const header = ["variant", "wall", "wall vs default", "CPU", "CPU vs default", "percent?"];
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((row) => row[i].length)));
  for (const row of [header, widths.map((width) => "-".repeat(width)), ...table])
    console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  console.log(
    `\n${restic.line}; ${rounds} rounds; medians, and the median (range) of per-round ratios to the default. ` +
      `1-minute load average before each round: median ${median(load).toFixed(2)}, ${range(load)}, on ${os.cpus().length} cores.`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
