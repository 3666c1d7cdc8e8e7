#!/usr/bin/env node

// Issue 17: which store holds a year of hourly runs of 50 jobs (400,000 records) and answers the
// dashboard's history queries in well under 100 ms. Three candidates, each filled with the same records
// (shaped as run-recorder.ts writes them) and then queried by a fresh process, so the RSS printed is
// what a daemon holding that store would carry:
//   jsonl     one history.jsonl, read whole and filtered (the store before issue 17)
//   per-job   history/<job>/<YYYY-MM>.jsonl, append-only; queries read a job's newest files from the end
//   sqlite    better-sqlite3 (WAL, synchronous=FULL), one table indexed on (job, finished_at)
//   store     the store core ships (packages/core/dist, so build it first), filled by migrating a
//             history.jsonl of all the records; it also times readRunSummaries (what `status` reads)
//
//   node test/bench/history-store.mjs [--jobs 50] [--runs 8760] [--only jsonl,per-job,sqlite]
//                                     [--sqlite /path/to/node_modules/better-sqlite3] [--keep]
//
// better-sqlite3 is no dependency of the project (see docs/architecture.md, "History"): pass where an
// install of it is. Nothing is asserted; the figures are printed, and recorded by hand in
// docs/performance.md.

import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mulberry32 } from "./lib/prng.mjs";

const SELF = fileURLToPath(import.meta.url);
const CORE = new URL("../../packages/core/dist/index.js", import.meta.url).href;
const { values: flags } = parseArgs({
  options: {
    jobs: { type: "string", default: "50" },
    runs: { type: "string", default: "8760" },
    only: { type: "string", default: "jsonl,per-job,sqlite,store" },
    sqlite: { type: "string" },
    keep: { type: "boolean", default: false },
    child: { type: "string" },
    dir: { type: "string" },
  },
});

const JOBS = Number(flags.jobs);
const RUNS = Number(flags.runs);
const HOUR = 3_600_000;
const START = Date.parse("2025-12-01T00:00:00.000Z");
const jobName = (j) => `job-${String(j).padStart(2, "0")}`;

/** One record as run-recorder.ts writes it: a success with restic's counters, now and then a failure. */
function makeRecord(rng, job, hour) {
  const started = START + hour * HOUR + rng.int(0, 59_000);
  const durationMs = rng.int(4_000, 180_000);
  const failed = rng.float() < 0.02;
  const base = {
    job,
    runId: randomUUID(),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + durationMs).toISOString(),
    status: failed ? "failed" : "success",
  };
  if (failed) {
    return {
      ...base,
      phase: "backup",
      errorCode: "REPO_LOCKED",
      errorMessage: "repository is already locked by PID 4242 on host (exclusive)",
      retention: { status: "skipped", reason: "the run failed" },
      durationMs,
    };
  }
  return {
    ...base,
    snapshotId: rng.bytes(32).toString("hex"),
    retention: { status: "done", kept: rng.int(20, 40), removed: rng.int(0, 2) },
    durationMs,
    stats: {
      filesNew: rng.int(0, 50),
      filesChanged: rng.int(0, 200),
      filesUnmodified: rng.int(10_000, 90_000),
      dirsNew: rng.int(0, 5),
      dirsChanged: rng.int(0, 40),
      dirsUnmodified: rng.int(1_000, 9_000),
      dataAdded: rng.int(0, 400_000_000),
      totalFilesProcessed: rng.int(10_000, 90_000),
      totalBytesProcessed: rng.int(1e9, 9e10),
      resticSeconds: rng.float() * 180,
    },
  };
}

/** Every record, hour by hour, job after job within an hour: the order a daemon appends them in. */
function* allRecords() {
  const rng = mulberry32(17);
  for (let hour = 0; hour < RUNS; hour++) {
    for (let j = 0; j < JOBS; j++) yield makeRecord(rng, jobName(j), hour);
  }
}

const month = (iso) => iso.slice(0, 7);
const jobDir = (dir, job) => path.join(dir, "history", job);

// ---- filling (bulk writes; the per-record append cost is measured separately) ----

async function fill(variant, dir) {
  if (variant === "jsonl" || variant === "store") {
    const fd = openSync(path.join(dir, "history.jsonl"), "w");
    const chunk = [];
    for (const r of allRecords()) {
      chunk.push(JSON.stringify(r));
      if (chunk.length === 5000) writeSync(fd, `${chunk.splice(0).join("\n")}\n`);
    }
    if (chunk.length) writeSync(fd, `${chunk.join("\n")}\n`);
    closeSync(fd);
    // The upgrade path: the first read moves history.jsonl into the per-job store.
    if (variant === "store") await (await import(CORE)).readLatestRecords(dir);
  } else if (variant === "per-job") {
    const open = new Map();
    for (const r of allRecords()) {
      const file = path.join(jobDir(dir, r.job), `${month(r.finishedAt)}.jsonl`);
      let entry = open.get(file);
      if (!entry) {
        mkdirSync(path.dirname(file), { recursive: true });
        entry = { lines: [] };
        open.set(file, entry);
      }
      entry.lines.push(JSON.stringify(r));
    }
    for (const [file, { lines }] of open) {
      const fd = openSync(file, "w");
      writeSync(fd, `${lines.join("\n")}\n`);
      closeSync(fd);
    }
  } else {
    const db = openSqlite(dir);
    const insert = db.prepare(
      "INSERT INTO runs (job, started_at, finished_at, status, record) VALUES (?, ?, ?, ?, ?)",
    );
    const many = db.transaction((rows) => {
      for (const r of rows) insert.run(r.job, r.startedAt, r.finishedAt, r.status, JSON.stringify(r));
    });
    const rows = [];
    for (const r of allRecords()) {
      rows.push(r);
      if (rows.length === 10_000) many(rows.splice(0));
    }
    many(rows);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
  }
}

function openSqlite(dir) {
  const Database = createRequire(import.meta.url)(flags.sqlite);
  const db = new Database(path.join(dir, "history.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.exec(`CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY, job TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
    status TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS runs_job_finished ON runs (job, finished_at)`);
  return db;
}

// ---- the queries, as each store would answer them ----

function jsonlStore(dir) {
  const file = path.join(dir, "history.jsonl");
  const all = () =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  return {
    latest: (job, n) =>
      all()
        .filter((r) => r.job === job)
        .slice(-n)
        .reverse(),
    since: (job, iso) => all().filter((r) => r.job === job && r.finishedAt >= iso),
    latestOfEach: () => {
      const last = new Map();
      for (const r of all()) last.set(r.job, r);
      return [...last.values()];
    },
    append: (r) => appendLine(file, JSON.stringify(r)),
  };
}

/** Reads a file backwards in 64 KiB chunks, yielding its complete lines newest first. */
function* linesFromEnd(file) {
  const fd = openSync(file, "r");
  try {
    let position = statSync(file).size;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(65_536);
    while (position > 0) {
      const size = Math.min(chunk.length, position);
      position -= size;
      readSync(fd, chunk, 0, size, position);
      let buffer = Buffer.concat([chunk.subarray(0, size), carry]);
      let end = buffer.length;
      for (let i = buffer.length - 1; i >= 0; i--) {
        if (buffer[i] !== 0x0a) continue;
        if (end > i + 1) yield buffer.toString("utf8", i + 1, end);
        end = i;
      }
      carry = buffer.subarray(0, end);
      buffer = undefined;
    }
    if (carry.length) yield carry.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function perJobStore(dir) {
  const months = (job) => readdirSync(jobDir(dir, job)).sort().reverse();
  return {
    latest(job, n) {
      const out = [];
      for (const m of months(job)) {
        for (const line of linesFromEnd(path.join(jobDir(dir, job), m))) {
          out.push(JSON.parse(line));
          if (out.length === n) return out;
        }
      }
      return out;
    },
    since(job, iso) {
      const out = [];
      for (const m of months(job).reverse()) {
        if (m.slice(0, 7) < month(iso)) continue;
        const text = readFileSync(path.join(jobDir(dir, job), m), "utf8");
        for (const line of text.split("\n")) {
          if (!line) continue;
          const r = JSON.parse(line);
          if (r.finishedAt >= iso) out.push(r);
        }
      }
      return out;
    },
    latestOfEach: () =>
      readdirSync(path.join(dir, "history")).map((job) => {
        const [m] = months(job);
        return JSON.parse(linesFromEnd(path.join(jobDir(dir, job), m)).next().value);
      }),
    append: (r) => {
      const file = path.join(jobDir(dir, r.job), `${month(r.finishedAt)}.jsonl`);
      return appendLine(file, JSON.stringify(r));
    },
  };
}

function sqliteStore(dir) {
  const db = openSqlite(dir);
  const latest = db.prepare("SELECT record FROM runs WHERE job = ? ORDER BY finished_at DESC LIMIT ?");
  const since = db.prepare("SELECT record FROM runs WHERE job = ? AND finished_at >= ? ORDER BY finished_at");
  const ofEach = db.prepare("SELECT record FROM runs WHERE seq IN (SELECT max(seq) FROM runs GROUP BY job)");
  const insert = db.prepare(
    "INSERT INTO runs (job, started_at, finished_at, status, record) VALUES (?, ?, ?, ?, ?)",
  );
  const parse = (rows) => rows.map((row) => JSON.parse(row.record));
  return {
    latest: (job, n) => parse(latest.all(job, n)),
    since: (job, iso) => parse(since.all(job, iso)),
    latestOfEach: () => parse(ofEach.all()),
    append: (r) => insert.run(r.job, r.startedAt, r.finishedAt, r.status, JSON.stringify(r)),
  };
}

async function coreStore(dir) {
  const core = await import(CORE);
  return {
    latest: async (job, n) => (await core.readHistoryPage(dir, { job, limit: n })).records,
    since: async (job, iso) => (await core.readHistory(dir, { job, since: iso })).records,
    latestOfEach: () => core.readLatestRecords(dir),
    summaries: async () => [...(await core.readRunSummaries(dir)).values()],
    append: (r) => appendToJobFile(dir, r),
  };
}

/**
 * appendRunRecord is not in core's public API (a run reaches it); this does its file work: one line
 * appended and fsynced to the job's month file (folders named `<job>-<hash>`).
 */
function appendToJobFile(dir, r) {
  const folder = readdirSync(path.join(dir, "history")).find((name) => name.startsWith(`${r.job}-`));
  return appendLine(path.join(dir, "history", folder, `${month(r.finishedAt)}.jsonl`), JSON.stringify(r));
}

/** Today's append: open, start a new line after a torn one, write, fsync, close. */
function appendLine(file, line) {
  const fd = openSync(file, "a+");
  try {
    const { size } = statSync(file);
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    writeSync(fd, `${prefix}${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// ---- the child: queries, appends, then its RSS ----

async function timeIt(fn, rounds) {
  const ms = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    result = await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], max: ms.at(-1), count: result.length };
}

async function child(variant, dir) {
  const rssBefore = process.memoryUsage().rss;
  const store = await { jsonl: jsonlStore, "per-job": perJobStore, sqlite: sqliteStore, store: coreStore }[
    variant
  ](dir);
  const job = jobName(Math.min(7, JOBS - 1));
  const rounds = variant === "jsonl" ? 3 : 15;
  const yearAgo = new Date(START + (RUNS - 24 * 365) * HOUR).toISOString();
  const figures = {
    latest50: await timeIt(() => store.latest(job, 50), rounds),
    year: await timeIt(() => store.since(job, yearAgo), rounds),
    latestOfEach: await timeIt(() => store.latestOfEach(), rounds),
    ...(store.summaries ? { summaries: await timeIt(() => store.summaries(), rounds) } : {}),
  };
  const rng = mulberry32(99);
  const appends = [];
  for (let i = 0; i < 30; i++) {
    const r = makeRecord(rng, jobName(i % JOBS), RUNS + i);
    const t = process.hrtime.bigint();
    await store.append(r);
    appends.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  appends.sort((a, b) => a - b);
  figures.append = { median: appends[15], max: appends.at(-1) };
  globalThis.gc?.();
  figures.rssMb = process.memoryUsage().rss / 2 ** 20;
  figures.rssBeforeMb = rssBefore / 2 ** 20;
  process.stdout.write(JSON.stringify(figures));
}

function diskBytes(dir) {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

async function main() {
  const variants = flags.only.split(",");
  if (variants.includes("sqlite") && !flags.sqlite) {
    console.error("history-store: sqlite needs --sqlite /path/to/node_modules/better-sqlite3");
    process.exit(2);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), "sb-history-bench-"));
  const sample = JSON.stringify(allRecords().next().value);
  console.log(`${JOBS} jobs × ${RUNS} runs = ${JOBS * RUNS} records; a record is ~${sample.length} bytes`);
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}\n`);
  const rows = [];
  try {
    for (const variant of variants) {
      const dir = path.join(root, variant);
      mkdirSync(dir);
      const t = Date.now();
      await fill(variant, dir);
      const fillS = (Date.now() - t) / 1000;
      const run = spawnSync(
        process.execPath,
        ["--expose-gc", SELF, ...process.argv.slice(2), "--child", variant, "--dir", dir],
        {
          encoding: "utf8",
        },
      );
      if (run.status !== 0) throw new Error(`${variant}: ${run.stderr}`);
      rows.push({ variant, fillS, disk: diskBytes(dir), ...JSON.parse(run.stdout) });
    }
  } finally {
    if (!flags.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
  const f = (ms) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  console.log(
    "| store | append (median / max) | latest 50 of a job | a job's year | every job's latest | status summaries | disk | RSS after |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.variant} | ${f(r.append.median)} / ${f(r.append.max)} | ${f(r.latest50.median)} | ${f(r.year.median)} (${r.year.count}) | ${f(r.latestOfEach.median)} | ${r.summaries ? `${f(r.summaries.max)} first, ${f(r.summaries.median)} after` : "-"} | ${(r.disk / 2 ** 20).toFixed(0)} MiB | ${r.rssMb.toFixed(0)} MB (${r.rssBeforeMb.toFixed(0)} at start) |`,
    );
  }
}

if (flags.child) await child(flags.child, flags.dir);
else await main();
