#!/usr/bin/env node
// simplebackup's benchmarks (issue 7): each figure compares two commands run alternately in one run,
// on data generated from a seed, and is printed as a table and written to docs/performance.md.
//
//   node test/bench/run.mjs [--quick] [--only P1,P3] [--seed N] [--rounds N] [--p3-seconds N] [--p8-idle-seconds N]
//                           [--serial] [--write | --no-write] [--keep] [--repo DIR] [--restic PATH]...
//
// Needs the workspace built (`pnpm build`) and restic (RESTIC_BINARY, else restic on PATH). Nothing here
// asserts speed: a missed target is reported, and the exit code says only whether the bench ran.
// --repo measures another built checkout (a candidate fix, say); the doc written is still this one's.
// --restic, repeatable, runs P1, P2 and P7 once per restic, side by side; P6 captures with the first.
// P7 starts a private PostgreSQL server (the test suite's harness), so it needs the postgresql package.
// P8 drives Debian's Chromium (/usr/bin/chromium) against a dashboard on 50 jobs' year of history.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { benchThreeSources, benchWrappedBackup, prepareBackups } from "./backups.mjs";
import { benchDashboard } from "./dashboard.mjs";
import { benchDatabaseDump } from "./database-dump.mjs";
import { generateIdleConfig, generateManyJobsConfig } from "./lib/data.mjs";
import { fmtList, fmtRate, seconds } from "./lib/format.mjs";
import {
  alternate,
  CPU_RESOLUTION_S,
  cpuSeconds,
  describeMachine,
  median,
  memoryMb,
  paired,
  timeCommand,
} from "./lib/measure.mjs";
import { resolveRestics } from "./lib/restics.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DOC = path.join(REPO, "docs/performance.md");
const ALL_IDS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"];
const START_MARK = "<!-- bench:results:start -->";
const END_MARK = "<!-- bench:results:end -->";

/** A usage error: said in one line, exit 2, no stack (the bench's flags are never guessed at). */
function usageError(message) {
  console.error(`bench: ${message}\nnode test/bench/run.mjs --help lists the flags.`);
  process.exit(2);
}

const { values: flags } = (() => {
  try {
    return parseBenchArgs();
  } catch (error) {
    return usageError(error.message);
  }
})();
function parseBenchArgs() {
  return parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      seed: { type: "string", default: "20260115" },
      rounds: { type: "string" },
      "p3-seconds": { type: "string" },
      "p8-idle-seconds": { type: "string" },
      serial: { type: "boolean", default: false },
      write: { type: "boolean" },
      "no-write": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      repo: { type: "string" },
      restic: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
if (flags.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), "utf8")
      .split("\n")
      .slice(1, 13)
      .join("\n"),
  );
  process.exit(0);
}

/** A flag's whole number; anything else is an error, never a guess. */
function wholeNumber(name, text, min) {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min)
    usageError(`--${name} must be a whole number of ${min} or more, got "${text}"`);
  return value;
}

const quick = flags.quick;
const seed = wholeNumber("seed", flags.seed, 0);
const only = flags.only
  ? flags.only
      .toUpperCase()
      .split(",")
      .map((id) => id.trim())
  : ALL_IDS;
for (const id of only) if (!ALL_IDS.includes(id)) usageError(`unknown benchmark ${id}; known: ${ALL_IDS}`);
const selected = (id) => only.includes(id);
// The doc holds the figures of one full run; a quick or partial run only prints, unless told to write.
const writeDoc = flags["no-write"] ? false : (flags.write ?? (!quick && !flags.only));
const roundsGiven = flags.rounds === undefined ? undefined : wholeNumber("rounds", flags.rounds, 1);
const rounds = (full, fast) => roundsGiven ?? (quick ? fast : full);
const P3_SECONDS =
  flags["p3-seconds"] === undefined ? (quick ? 60 : 600) : wholeNumber("p3-seconds", flags["p3-seconds"], 1);
const P8_IDLE_SECONDS =
  flags["p8-idle-seconds"] === undefined ? 60 : wholeNumber("p8-idle-seconds", flags["p8-idle-seconds"], 1);
// The checkout whose build is measured.
const BUILD = flags.repo ? path.resolve(flags.repo) : REPO;
const CORE_DIST = path.join(BUILD, "packages/core/dist/index.js");
const CLI_BIN = path.join(BUILD, "packages/cli/bin/simplebackup.mjs");

if (!existsSync(CORE_DIST) || !existsSync(path.join(BUILD, "packages/cli/dist/bin.cjs"))) {
  console.error(`${BUILD} is not built: run \`pnpm build\` (or \`npx pnpm@10.34.8 build\`) there first.`);
  process.exit(2);
}
const core = await import(pathToFileURL(CORE_DIST).href);
const restics = await resolveRestics(core, flags.restic).catch((error) => usageError(error.message));

const work = mkdtempSync(path.join(os.tmpdir(), "simplebackup-bench-"));
const log = (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const rows = [];
const notes = [];
const details = [];
const machine = describeMachine();
machine.restic = restics.map((restic) => restic.line).join("; ");
machine.loadBefore = os
  .loadavg()
  .map((n) => n.toFixed(2))
  .join(" ");
machine.build = describeBuild(BUILD);

log(
  `work folder ${work}${quick ? " (quick)" : ""}; benchmarks ${only.join(", ")}; restic ${restics.map((restic) => `${restic.version} (${restic.binary})`).join(", ")}`,
);
// What the benchmark modules share with this runner.
const bench = { core, work, log, rows, notes, details, quick, seed, rounds, cliBin: CLI_BIN };
// Long-lived children (P3's daemon and its bare twin), stopped however the bench ends.
const children = new Set();
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGINT");
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

try {
  // P3 only sits and waits, so it runs beside the others unless --serial: its figures are the daemon's
  // own CPU time and memory. The others start once the daemon is up, so its start is measured on a
  // quiet machine too.
  let p3;
  if (selected("P3") && !flags.serial) {
    await new Promise((ready, fail) => {
      p3 = benchIdleDaemon(ready);
      p3.catch(fail);
    });
    // Awaited at the end; until then a failure of P3 must not crash the benchmarks running meanwhile.
    p3.catch(() => {});
  }

  // A tree and repositories per restic for P1 and P2; P6 captures its lines with the first restic.
  const backups = selected("P1") || selected("P2");
  const setups =
    backups || selected("P6") ? prepareBackups(bench, backups ? restics : restics.slice(0, 1)) : [];

  if (selected("P1")) await benchWrappedBackup(bench, setups);
  if (selected("P2")) await benchThreeSources(bench, setups);
  if (selected("P4")) await benchManyJobs();
  if (selected("P5")) await benchColdStart();
  if (selected("P6")) await benchParsing(setups[0]);
  if (selected("P7")) await benchDatabaseDump(bench, restics);
  // P8 drives Chromium against its own daemon (50 jobs, a year of history each); --p8-idle-seconds.
  if (selected("P8")) await benchDashboard(bench, { children, idleSeconds: P8_IDLE_SECONDS });
  if (selected("P3")) await (p3 ?? benchIdleDaemon());

  machine.loadAfter = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
  const table = renderTable(rows);
  console.log(`\n${table.text}`);
  for (const note of notes) console.log(`- ${note}`);
  for (const line of details) console.log(`- ${line}`);
  if (writeDoc) {
    writeResults(renderMarkdown(table));
    log(`wrote ${path.relative(REPO, DOC)}`);
  } else {
    log("docs/performance.md not updated (quick or partial run; pass --write to update it)");
  }
} finally {
  cleanup();
}

// --- P3: idle daemon ----------------------------------------------------------------------------

/**
 * P3: `simplebackup run` with 100 hourly jobs whose slot lies outside the window, beside a bare Node
 * process that does nothing but keep a timer; CPU time and peak RSS of each from /proc.
 */
async function benchIdleDaemon(onReady) {
  const dir = path.join(work, "p3");
  const data = path.join(dir, "data");
  mkdirSync(data, { recursive: true });
  mkdirSync(path.join(dir, "config"), { recursive: true });
  // Half an hour from now in local time: no slot falls inside a window of up to ~25 minutes.
  const minute = (new Date().getMinutes() + 30) % 60;
  if (P3_SECONDS > 25 * 60)
    log(`P3: a ${P3_SECONDS} s window reaches an hourly slot; the daemon may back up`);
  const configFile = path.join(dir, "config", "backup_config.json");
  writeFileSync(configFile, JSON.stringify(generateIdleConfig(100, minute, data), null, 2));

  const env = { ...process.env, SIMPLEBACKUP_STATE_DIR: path.join(dir, "state") };
  delete env.SIMPLEBACKUP_CONFIG;
  const daemon = spawn(process.execPath, [CLI_BIN, "run", "--config", configFile], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "ignore" });
  children.add(daemon);
  children.add(bare);
  let output = "";
  daemon.stdout.on("data", (chunk) => {
    output += chunk;
  });
  daemon.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => daemon.once("exit", (code, signal) => resolve(code ?? signal)));

  const deadline = Date.now() + 30_000;
  while (!/daemon running/.test(output)) {
    if (Date.now() > deadline || daemon.exitCode !== null) {
      bare.kill();
      throw new Error(`P3: the daemon did not start:\n${output}`);
    }
    await sleep(20);
  }
  const startup = { daemon: cpuSeconds(daemon.pid), bare: cpuSeconds(bare.pid) };
  log(
    `P3: daemon up (PID ${daemon.pid}, ${startup.daemon.toFixed(2)} s CPU to start); idle for ${P3_SECONDS} s`,
  );
  onReady?.();
  const curve = [];
  const windowStart = Date.now();
  while (Date.now() - windowStart < P3_SECONDS * 1000) {
    await sleep(Math.min(60_000, windowStart + P3_SECONDS * 1000 - Date.now()));
    curve.push((cpuSeconds(daemon.pid) - startup.daemon).toFixed(2));
  }
  const idle = {
    daemon: cpuSeconds(daemon.pid) - startup.daemon,
    bare: cpuSeconds(bare.pid) - startup.bare,
  };
  const memory = { daemon: memoryMb(daemon.pid), bare: memoryMb(bare.pid) };
  const startedBackups = (output.match(/backup started:/g) ?? []).length;
  daemon.kill("SIGINT");
  bare.kill();
  const stop = await Promise.race([exited, sleep(15_000).then(() => "timeout")]);
  if (stop === "timeout") daemon.kill("SIGKILL");

  const minutes = P3_SECONDS / 60;
  rows.push({
    id: "P3",
    what: `idle daemon, 100 hourly jobs with when on each, ${minutes} min: CPU time (user+sys) vs a bare \`node\` keeping a timer`,
    a: `${idle.daemon.toFixed(2)} s idle + ${startup.daemon.toFixed(2)} s start`,
    b: `${idle.bare.toFixed(2)} s idle + ${startup.bare.toFixed(2)} s start`,
    ratio: idle.bare > 0 ? `${(idle.daemon / idle.bare).toFixed(1)}× (idle)` : "—",
    target: `≤ 0.5 s in total${minutes === 10 ? "" : ` (for 10 min; here ${minutes} min)`}`,
    // Judged on the whole life of the process, start included: the stricter reading of "in total".
    met: idle.daemon + startup.daemon <= 0.5,
  });
  rows.push({
    id: "P3m",
    what: "idle daemon, 100 hourly jobs: peak RSS (VmHWM) vs the bare `node`",
    a: `${memory.daemon.hwm.toFixed(1)} MB`,
    b: `${memory.bare.hwm.toFixed(1)} MB`,
    ratio: `${(memory.daemon.hwm / memory.bare.hwm).toFixed(2)}×`,
    target: "≤ 80 MB",
    met: memory.daemon.hwm <= 80,
  });
  notes.push(
    `P3 CPU: ${startup.daemon.toFixed(2)} s to start (load config, write state), then ${idle.daemon.toFixed(2)} s idle over ${minutes} min ` +
      `(cumulative per minute: ${curve.join(", ")}); total ${(startup.daemon + idle.daemon).toFixed(2)} s. ` +
      `/proc counts in ${CPU_RESOLUTION_S * 1000} ms ticks. RSS at the end ${memory.daemon.rss.toFixed(1)} MB. ` +
      `Backups started in the window: ${startedBackups}. Daemon stopped by SIGINT: ${stop}.`,
  );
}

// --- P4: many jobs ------------------------------------------------------------------------------

/** P4: resolveConfig + new BackupScheduler + start() for 10,000 and 1,000 jobs, each in a fresh process. */
async function benchManyJobs() {
  const dir = path.join(work, "p4");
  mkdirSync(dir, { recursive: true });
  const sizes = [10_000, 1_000];
  const files = sizes.map((count) => {
    const file = path.join(dir, `jobs-${count}.json`);
    writeFileSync(file, JSON.stringify(generateManyJobsConfig(count, seed), null, 2));
    return file;
  });
  const worker = path.join(REPO, "test/bench/workers/schedule.mjs");
  let runs = 0;
  const once = async (file) => {
    const stateDir = path.join(dir, `state-${runs++}`);
    const { stdout } = await timeCommand(process.execPath, [worker, CORE_DIST, file, stateDir], {
      keepOutput: true,
    });
    rmSync(stateDir, { recursive: true, force: true });
    return JSON.parse(stdout.trim().split("\n").pop());
  };
  const n = rounds(5, 1);
  log(`P4: ${n} rounds of 10,000 / 1,000 jobs (one fresh process per sample)`);
  const samples = await alternate({
    rounds: n,
    warmup: quick ? 0 : 1,
    sides: { a: () => once(files[0]), b: () => once(files[1]) },
    onSample: (side, round, value) =>
      log(`P4 ${side === "a" ? "10k" : "1k"} #${round}: ${value.totalMs.toFixed(0)} ms`),
  });
  const total = (list) => median(list.map((s) => s.totalMs));
  const part = (list, key) => median(list.map((s) => s[key])).toFixed(0);
  const a = total(samples.a);
  const b = total(samples.b);
  rows.push({
    id: "P4",
    what: "load, validate and schedule 10,000 jobs vs 1,000 (resolveConfig + new BackupScheduler + start)",
    a: seconds(a),
    b: seconds(b),
    ratio: `${(a / b).toFixed(1)}×`,
    target: "10k ≤ 1 s; ≤ 12×",
    met: a <= 1000 && a / b <= 12,
  });
  notes.push(
    `P4 split (median ms): 10k validate ${part(samples.a, "validateMs")}, schedule ${part(samples.a, "startMs")}; ` +
      `1k validate ${part(samples.b, "validateMs")}, schedule ${part(samples.b, "startMs")}; ` +
      `importing core ${part(samples.a, "importMs")} (not counted); first state write after start ${part(samples.a, "flushMs")} (not counted)`,
  );
  details.push(
    `P4 samples (total ms): 10k ${fmtList(samples.a.map((s) => s.totalMs))}; 1k ${fmtList(samples.b.map((s) => s.totalMs))}`,
  );
}

// --- P5: cold start -----------------------------------------------------------------------------

async function benchColdStart() {
  const n = rounds(20, 8);
  log(`P5: ${n} rounds of simplebackup --version / node -e 0`);
  const samples = await alternate({
    rounds: n,
    warmup: 2,
    sides: {
      a: async () => (await timeCommand(process.execPath, [CLI_BIN, "--version"])).ms,
      b: async () => (await timeCommand(process.execPath, ["-e", "0"])).ms,
    },
  });
  const a = median(samples.a);
  const b = median(samples.b);
  rows.push({
    id: "P5",
    what: "`simplebackup --version` cold start vs `node -e 0`",
    a: `${a.toFixed(0)} ms`,
    b: `${b.toFixed(0)} ms`,
    ratio: `${(a / b).toFixed(2)}×`,
    target: "≤ 2.0×",
    met: a / b <= 2.0,
  });
  details.push(
    `P5 samples (ms): --version ${fmtList(samples.a)}; node -e 0 ${fmtList(samples.b)}; median of per-round ratios ${paired(samples.a, samples.b)}×`,
  );
  await benchNodeStart();
}

/**
 * P5n (reference): what Node's own start costs here, which every simplebackup command pays and restic
 * typed by hand does not. NODE_EXTRA_CA_CERTS makes Node 20 build its whole CA store at start.
 */
async function benchNodeStart() {
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (!extraCa) {
    notes.push("P5n: NODE_EXTRA_CA_CERTS is not set here, so Node's start is `node -e 0` in P5.");
    return;
  }
  const bare = { ...process.env };
  delete bare.NODE_EXTRA_CA_CERTS;
  const n = rounds(20, 8);
  log(`P5n: ${n} rounds of node -e 0 with / without NODE_EXTRA_CA_CERTS`);
  const samples = await alternate({
    rounds: n,
    warmup: 2,
    sides: {
      a: async () => (await timeCommand(process.execPath, ["-e", "0"])).ms,
      b: async () => (await timeCommand(process.execPath, ["-e", "0"], { env: bare })).ms,
    },
  });
  const a = median(samples.a);
  const b = median(samples.b);
  rows.push({
    id: "P5n",
    what: `(reference) \`node -e 0\` in this machine's environment (NODE_EXTRA_CA_CERTS=${extraCa}) vs without that variable`,
    a: `${a.toFixed(0)} ms`,
    b: `${b.toFixed(0)} ms`,
    ratio: `+${(a - b).toFixed(0)} ms`,
    target: "—",
    met: undefined,
  });
}

// --- P6: parsing restic's output ----------------------------------------------------------------

async function benchParsing(setup) {
  const dir = path.join(work, "p6");
  mkdirSync(dir, { recursive: true });
  // How many status lines restic prints for one full and one incremental backup of the P1 data, at
  // the adapter's RESTIC_PROGRESS_FPS=2 and at restic's default; the default run's lines are the corpus.
  const counts = {};
  let corpus = [];
  for (const [label, fps] of [
    ["default", undefined],
    ["fps2", "2"],
  ]) {
    const repository = path.join(dir, `repo-${label}`);
    const env = { ...setup.resticEnv(repository), RESTIC_PROGRESS_FPS: fps };
    if (fps === undefined) delete env.RESTIC_PROGRESS_FPS;
    const restic = setup.restic.binary;
    await timeCommand(restic, ["init"], { env });
    const args = core.buildBackupArgs(setup.jobP1);
    const full = await timeCommand(restic, args, { env, keepOutput: true });
    setup.mutate();
    const incremental = await timeCommand(restic, args, { env, keepOutput: true });
    const statusLines = (text) => text.split("\n").filter((line) => line.includes('"message_type":"status"'));
    counts[label] = {
      full: statusLines(full.stdout).length,
      fullSeconds: full.ms / 1000,
      incremental: statusLines(incremental.stdout).length,
      incrementalSeconds: incremental.ms / 1000,
    };
    if (fps === undefined)
      corpus = [...full.stdout.split("\n"), ...incremental.stdout.split("\n")].filter(Boolean);
  }

  const parserModule = await loadParser();
  const corpusFile = path.join(dir, "corpus.jsonl");
  writeFileSync(corpusFile, `${corpus.join("\n")}\n`);
  const worker = path.join(REPO, "test/bench/workers/parse.mjs");
  const n = rounds(7, 3);
  log(`P6: parsing ${corpus.length} captured lines (cycled), ${n} rounds of parseResticLine / JSON.parse`);
  const { stdout } = await timeCommand(
    process.execPath,
    [worker, parserModule.file, corpusFile, String(n), String(quick ? 50_000 : 200_000)],
    { keepOutput: true },
  );
  const result = JSON.parse(stdout);
  const a = median(result.parseResticLine);
  const b = median(result.jsonParse);
  const { version } = setup.restic;
  rows.push({
    id: "P6",
    restic: version,
    what: `\`parseResticLine\` on captured status/summary lines vs bare \`JSON.parse\` (lines/s)`,
    a: `${fmtRate(a)}/s`,
    b: `${fmtRate(b)}/s`,
    ratio: `${(b / a).toFixed(1)}× slower`,
    target: "≥ 200,000 lines/s",
    met: a >= 200_000,
  });
  const d = counts.default;
  const f = counts.fps2;
  rows.push({
    id: "P6f",
    restic: version,
    what: "status lines restic prints for a full backup of the P1 data: `RESTIC_PROGRESS_FPS=2` (the adapter) vs restic's default",
    a: `${f.full} lines`,
    b: `${d.full} lines`,
    ratio: `${(d.full / Math.max(1, f.full)).toFixed(0)}× fewer`,
    target: "throttled",
    met: f.full < d.full,
  });
  notes.push(
    `P6 status lines: full backup ${f.full} at FPS 2 (${f.fullSeconds.toFixed(1)} s) vs ${d.full} at the default (${d.fullSeconds.toFixed(1)} s); ` +
      `incremental ${f.incremental} (${f.incrementalSeconds.toFixed(1)} s) vs ${d.incremental} (${d.incrementalSeconds.toFixed(1)} s). ` +
      `Parsing the default's ${d.full} lines would cost ${((d.full / a) * 1000).toFixed(2)} ms. Corpus: ${corpus.length} lines captured from that run ` +
      `(${Object.entries(result.kinds)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(", ")}), cycled. Parser: ${parserModule.source}.`,
  );
  details.push(
    `P6 samples (lines/s): parseResticLine ${fmtList(result.parseResticLine)}; JSON.parse ${fmtList(result.jsonParse)}`,
  );
}

/** The parser as embedders get it: core's public parseResticLine. */
async function loadParser() {
  if (typeof core.parseResticLine !== "function")
    throw new Error(`P6: ${CORE_DIST} does not export parseResticLine (a build from before it was public?)`);
  return { file: CORE_DIST, source: "packages/core/dist/index.js (the public export)" };
}

// --- output -------------------------------------------------------------------------------------

function renderTable(list) {
  const header = ["id", "restic", "what", "A median", "B median", "ratio", "target", "met?"];
  const cells = list.map((row) => [
    row.id,
    row.restic ?? "—",
    row.what,
    row.a,
    row.b,
    row.ratio,
    row.target,
    row.met === undefined ? "—" : row.met ? "yes" : "NO",
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  return {
    header,
    cells,
    text: [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n"),
  };
}

function renderMarkdown(table) {
  const row = (cells) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [
    `Measured ${machine.date.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.ramGb} GB RAM ` +
      `(${machine.os}); Node ${machine.node}; ${machine.restic}. Load average ${machine.loadBefore} before, ` +
      `${machine.loadAfter} after (other work on the machine).${bench.data ? ` Data: ${bench.data}.` : ""} ` +
      `Build measured: ${machine.build}. ` +
      `Command: \`${["node test/bench/run.mjs", ...process.argv.slice(2)].join(" ")}\`.`,
    "",
    row(table.header),
    row(table.header.map(() => "---")),
    ...table.cells.map(row),
    "",
    ...notes.map((note) => `- ${note}`),
    "",
    "<details><summary>Every sample</summary>",
    "",
    ...details.map((line) => `- ${line}`),
    "",
    "</details>",
  ].join("\n");
}

/** Replaces the generated block of docs/performance.md, keeping the prose around it. */
function writeResults(block) {
  const generated = `${START_MARK}\n${block}\n${END_MARK}`;
  let doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Performance\n";
  const start = doc.indexOf(START_MARK);
  const end = doc.indexOf(END_MARK);
  if (start >= 0 && end > start) doc = doc.slice(0, start) + generated + doc.slice(end + END_MARK.length);
  else doc = `${doc.trimEnd()}\n\n## Results\n\n${generated}\n`;
  writeFileSync(DOC, doc);
  // The repository's formatter aligns markdown tables; format here so `pnpm lint` stays green.
  const biome = path.join(REPO, "node_modules/.bin/biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", DOC], { stdio: "ignore" });
}

/** Which commit was measured, and whether the working tree differed from it (read-only git calls). */
function describeBuild(dir) {
  const git = (...args) => spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return dir === REPO ? "this checkout" : dir;
  const changed = git("status", "--porcelain", "--untracked-files=no", "--", "packages").stdout.trim();
  return `commit ${head.stdout.trim()}${changed ? " plus uncommitted changes under packages/" : ""}${dir === REPO ? "" : ` in ${dir}`}`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
