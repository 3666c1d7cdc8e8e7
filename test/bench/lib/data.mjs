// Deterministic test data: the source trees P1/P2 back up, and the configs P3/P4 load. Everything is
// derived from the seed, so the same seed gives byte-identical files and identical configs.

import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mulberry32 } from "./prng.mjs";

/**
 * The sizes of the backed-up tree, as in RESTIC-FACTS §11: many small files (1–8 KB) plus a few
 * 10 MB ones, split over three sources s1, s2, s3.
 */
export const TREE_SIZES = {
  full: { smallFiles: 20_000, largeFiles: 20, largeBytes: 10 * 1024 * 1024 },
  quick: { smallFiles: 2_000, largeFiles: 2, largeBytes: 10 * 1024 * 1024 },
};

export const SOURCE_NAMES = ["s1", "s2", "s3"];
const FILES_PER_DIR = 100;
/** Fixed mtime for generated files (2026-01-01), so the tree's metadata is reproducible too. */
const FIXED_MTIME = new Date("2026-01-01T00:00:00Z");

/** Excludes the bench jobs use; the generated tree contains files they match. */
export const EXCLUDES = ["**/*.tmp", "**/node_modules"];

/**
 * Writes the tree under `root` and returns its shape: the source folders and the paths of its small
 * files (the ones `mutateTree` rewrites).
 */
export function generateTree(root, sizes, seed) {
  const random = mulberry32(seed);
  const sources = SOURCE_NAMES.map((name) => path.join(root, name));
  const smallFiles = [];
  let bytes = 0;
  let files = 0;
  for (let i = 0; i < sizes.smallFiles; i++) {
    const source = sources[i % sources.length];
    const index = Math.floor(i / sources.length);
    const dir = Math.floor(index / FILES_PER_DIR);
    // Two levels of folders; one folder per source is a node_modules the excludes drop.
    const folder =
      dir === 1
        ? path.join(source, `d${String(dir).padStart(3, "0")}`, "node_modules")
        : path.join(source, `d${String(dir).padStart(3, "0")}`, `e${dir % 7}`);
    // About 2 % of files are *.tmp, also excluded.
    const ext = random.int(0, 49) === 0 ? "tmp" : random.pick(["txt", "json", "md", "bin", "dat"]);
    const file = path.join(folder, `f${String(index).padStart(5, "0")}.${ext}`);
    if (index % FILES_PER_DIR === 0) mkdirSync(folder, { recursive: true });
    const size = random.int(1024, 8192);
    writeFileSync(file, random.bytes(size));
    utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    smallFiles.push({ file, size });
    bytes += size;
    files++;
  }
  for (let i = 0; i < sizes.largeFiles; i++) {
    const folder = path.join(sources[i % sources.length], "large");
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `large${String(i).padStart(2, "0")}.bin`);
    writeFileSync(file, random.bytes(sizes.largeBytes));
    utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    bytes += sizes.largeBytes;
    files++;
  }
  return { root, sources, smallFiles, files, bytes };
}

/**
 * Rewrites `count` small files (new content, same size, mtime now), so every incremental backup in the
 * bench has the same small amount of new data to find. The choice of files follows its own seeded
 * stream, so run N of any bench changes the same files on every machine.
 */
export function createMutator(tree, seed, count) {
  const random = mulberry32(seed ^ 0x9e3779b9);
  return () => {
    for (let i = 0; i < count; i++) {
      const { file, size } = random.pick(tree.smallFiles);
      writeFileSync(file, random.bytes(size));
    }
  };
}

/** A daily, hourly, weekly or quarter-hourly cron expression, and sometimes a time zone. */
function randomSchedule(random) {
  const minute = random.int(0, 59);
  const hour = random.int(0, 23);
  const roll = random.int(0, 9);
  if (roll < 4) return `${minute} ${hour} * * *`;
  if (roll < 7) return `${minute} * * * *`;
  if (roll < 9) return `${minute} ${hour} * * ${random.int(0, 6)}`;
  return `*/15 ${hour}-${Math.min(23, hour + random.int(1, 6))} * * 1-5`;
}

/**
 * A config of `count` jobs as a user would write it (the classic format), for P4: mixed schedules,
 * some time zones and jitter, retention on most, 1–3 sources, 50 repositories.
 */
export function generateManyJobsConfig(count, seed) {
  const random = mulberry32(seed);
  const zones = [undefined, undefined, undefined, "Europe/Berlin", "America/New_York", "Asia/Tokyo"];
  const backupjobs = [];
  for (let i = 0; i < count; i++) {
    const name = `job-${String(i).padStart(5, "0")}`;
    const timezone = random.pick(zones);
    const job = {
      jobname: name,
      sources: Array.from({ length: random.int(1, 3) }, (_, k) => `/srv/data/${name}/part${k}`),
      destination: `/srv/repos/repo${i % 50}`,
      password: `secret-${random.uint32().toString(16)}`,
      backup_interval: randomSchedule(random),
      exclude_patterns: ["**/node_modules", "**/*.tmp"],
    };
    if (timezone) job.timezone = timezone;
    if (random.int(0, 3) === 0) job.jitter = "10m";
    if (random.int(0, 4) !== 0) job.retention = { hours: 24, days: 7, weeks: 4, months: 6, years: 1 };
    backupjobs.push(job);
  }
  return { backupjobs };
}

/**
 * P3: `count` jobs that each run hourly at `minute`, a minute chosen by the caller so that no slot falls
 * inside the measured window.
 */
export function generateIdleConfig(count, minute, dataDir) {
  return {
    // Conditions on every job (issue 15): an idle daemon must not pay for them; they are looked at
    // when a slot comes, and then once a minute only while a run is owed.
    when: { on_ac_power: true, path_exists: [dataDir] },
    backupjobs: Array.from({ length: count }, (_, i) => ({
      jobname: `idle-${String(i).padStart(3, "0")}`,
      sources: [dataDir],
      destination: path.join(dataDir, `repo${i % 10}`),
      password: "bench",
      backup_interval: `${minute} * * * *`,
      retention: { hours: 24, days: 7 },
    })),
  };
}
