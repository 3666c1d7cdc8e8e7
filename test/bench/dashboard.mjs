// P8 (issue 17): the dashboard with 50 jobs and a year of hourly runs each (438,000 history records),
// measured in Debian's Chromium against a real `simplebackup run --ui`: the overview's render, a job
// page with a year of points plotted, the API's history queries, the UI's JavaScript gzipped, and the
// idle daemon with the dashboard on (P3's measures over a short window, scaled to 10 minutes).
// P8_DEBUG=1 prints each measured page's resource timings and the marks the page sets.

import { spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromiumArgs } from "../e2e/browser/chromium-args.mjs";
import { generateIdleConfig } from "./lib/data.mjs";
import { cpuSeconds, median, memoryMb } from "./lib/measure.mjs";
import { mulberry32 } from "./lib/prng.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const JOBS = 50;
const RUNS_PER_JOB = 365 * 24;
const HOUR = 3_600_000;
/** `history/<job>` as core's safeJobName names it: the safe name plus 6 hex of its SHA-256. */
function jobFolder(job) {
  return `${job}-${createHash("sha256").update(job, "utf8").digest("hex").slice(0, 6)}`;
}

/** A year of hourly runs per job, ending now, written as core's store keeps them (month files). */
function writeHistory(stateDir, jobs, seed) {
  const rng = mulberry32(seed);
  const now = Date.now();
  let count = 0;
  for (const job of jobs) {
    const dir = path.join(stateDir, "history", jobFolder(job));
    mkdirSync(dir, { recursive: true });
    const months = new Map();
    for (let i = RUNS_PER_JOB; i > 0; i--) {
      const finished = now - i * HOUR - Math.floor(rng.float() * 60_000);
      const durationMs = 4_000 + Math.floor(rng.float() * 176_000);
      const failed = rng.float() < 0.02;
      const record = {
        job,
        runId: randomUUID(),
        startedAt: new Date(finished - durationMs).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        status: failed ? "failed" : "success",
        ...(failed
          ? { phase: "backup", errorCode: "REPO_LOCKED", errorMessage: "repository is already locked" }
          : {
              snapshotId: randomUUID().replaceAll("-", ""),
              stats: {
                filesNew: Math.floor(rng.float() * 40),
                filesChanged: Math.floor(rng.float() * 200),
                filesUnmodified: 52_000,
                dirsNew: 0,
                dirsChanged: 12,
                dirsUnmodified: 4_100,
                dataAdded: Math.floor(rng.float() * 50e6),
                totalFilesProcessed: 52_240,
                totalBytesProcessed: 20e9 + (RUNS_PER_JOB - i) * 1e5,
                resticSeconds: durationMs / 1000 - 1,
              },
              retention: { status: "applied", removed: 1 },
            }),
        durationMs,
        logFile: `logs/${jobFolder(job)}/${finished}.log`,
      };
      const month = record.finishedAt.slice(0, 7);
      if (!months.has(month)) months.set(month, []);
      months.get(month).push(JSON.stringify(record));
      count++;
    }
    for (const [month, lines] of months)
      writeFileSync(path.join(dir, `${month}.jsonl`), `${lines.join("\n")}\n`);
  }
  return count;
}

/** Milliseconds of one GET with the session cookie (loopback: the server's time plus ~1 ms). */
function timedGet(url, cookie) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { headers: { Cookie: cookie, "X-Simplebackup": "1" } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk) => {
        bytes += chunk.length;
      });
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`P8: GET ${url} answered ${res.statusCode}`));
        else resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, bytes });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The UI's JavaScript as served: each built file's gzipped size, the overview's entry and the chart chunk. */
function uiScriptSizes() {
  const assets = path.join(REPO, "packages/web/dist/ui/assets");
  const files = readdirSync(assets).filter((name) => name.endsWith(".js"));
  const sizes = files.map((name) => {
    const bytes = readFileSync(path.join(assets, name));
    return { name, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
  });
  return { sizes, totalGz: sizes.reduce((sum, file) => sum + file.gz, 0) };
}

async function waitForLine(child, pattern, ms) {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`P8: the daemon did not say ${pattern}:\n${output}`)),
      ms,
    );
    const onData = (chunk) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`P8: the daemon exited before it said ${pattern}:\n${output}`));
    });
  });
}

/** A port nothing listens on now (ui.listen takes a real port, not 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Milliseconds from navigation start until `ready` holds in a fresh tab, polled every frame. */
async function timeNavigation(context, url, ready, arg) {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(ready, arg, { polling: "raf", timeout: 60_000 });
    const at = await page.evaluate(() => performance.now());
    if (process.env.P8_DEBUG)
      console.error(
        await page.evaluate(() =>
          performance
            .getEntries()
            .filter((e) => e.entryType === "resource" || e.entryType === "mark")
            .map(
              (e) =>
                `${e.name.replace(location.origin, "")} ${e.startTime.toFixed(0)}-${(e.responseEnd ?? e.startTime).toFixed(0)}`,
            )
            .join("\n"),
        ),
      );
    return at;
  } finally {
    await page.close();
  }
}

export async function benchDashboard(bench, { children, idleSeconds = 60 }) {
  const { work, log, rows, notes, details, rounds, cliBin, seed } = bench;
  const dir = path.join(work, "p8");
  const data = path.join(dir, "data");
  const stateDir = path.join(dir, "state");
  mkdirSync(data, { recursive: true });
  // Half an hour from now: no slot falls in the bench's minutes.
  const minute = (new Date().getMinutes() + 30) % 60;
  const config = {
    ...generateIdleConfig(JOBS, minute, data),
    ui: { listen: `127.0.0.1:${await freePort()}` },
  };
  const configFile = path.join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const jobs = config.backupjobs.map((job) => job.jobname);
  const writing = Date.now();
  const records = writeHistory(stateDir, jobs, seed);
  log(
    `P8: wrote ${records.toLocaleString("en-US")} history records in ${((Date.now() - writing) / 1000).toFixed(1)} s`,
  );

  const env = { ...process.env, SIMPLEBACKUP_STATE_DIR: stateDir };
  delete env.SIMPLEBACKUP_CONFIG;
  const daemon = spawn(process.execPath, [cliBin, "run", "--config", configFile, "--ui"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(daemon);
  const [, origin] = await waitForLine(daemon, /dashboard: (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
  // First the daemon as most users leave it: the dashboard on, nobody looking. Its start is counted, as
  // P3 counts it; the history is not read until a page asks.
  const startCpu = cpuSeconds(daemon.pid);
  log(`P8: daemon idle with the dashboard on and no page open for ${idleSeconds} s`);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const unqueried = {
    start: startCpu,
    idle: cpuSeconds(daemon.pid) - startCpu,
    memory: memoryMb(daemon.pid),
  };
  const link = spawnSync(process.execPath, [cliBin, "ui", "--config", configFile], { env, encoding: "utf8" });
  if (link.status !== 0) throw new Error(`P8: simplebackup ui failed: ${link.stderr}`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: chromiumArgs(),
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const login = await context.newPage();
    await login.goto(link.stdout.trim());
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await login.close();

    const n = rounds(7, 3);
    const overview = [];
    const jobPage = [];
    const job = jobs[0];
    for (let round = 0; round <= n; round++) {
      // Round 0 warms the server's file cache and the browser's; it is not counted.
      const o = await timeNavigation(
        context,
        `${origin}/#/`,
        (count) => document.querySelectorAll("tr[data-job]").length === count,
        JOBS,
      );
      const j = await timeNavigation(
        context,
        `${origin}/#/jobs/${encodeURIComponent(job)}`,
        () => document.querySelectorAll(".plot-canvas[data-drawn] canvas").length === 4,
        undefined,
      );
      log(`P8 #${round}: overview ${o.toFixed(0)} ms, job page with a year plotted ${j.toFixed(0)} ms`);
      if (round > 0) {
        overview.push(o);
        jobPage.push(j);
      }
    }

    const queries = { page: [], series: [] };
    let seriesBytes = 0;
    for (let i = 0; i < 100; i++) {
      const name = encodeURIComponent(jobs[i % JOBS]);
      queries.page.push((await timedGet(`${origin}/api/jobs/${name}/history?limit=100`, cookie)).ms);
      if (i % 5 === 0) {
        const answer = await timedGet(`${origin}/api/jobs/${name}/series`, cookie);
        queries.series.push(answer.ms);
        seriesBytes = answer.bytes;
      }
    }

    // Idle with the dashboard on and the overview open (its event stream and heartbeats).
    const open = await context.newPage();
    await open.goto(`${origin}/#/`);
    const cpuStart = cpuSeconds(daemon.pid);
    log(`P8: daemon idle with the overview open for ${idleSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const idleCpu = cpuSeconds(daemon.pid) - cpuStart;
    const memory = memoryMb(daemon.pid);
    await open.close();

    const scripts = uiScriptSizes();
    const ms = (value) => `${value.toFixed(0)} ms`;
    const o = median(overview);
    const j = median(jobPage);
    const page = median(queries.page);
    const series = median(queries.series);
    const scaled = (idleCpu * 600) / idleSeconds;
    rows.push(
      {
        id: "P8o",
        what: `dashboard overview in Chromium, ${JOBS} jobs, ${records.toLocaleString("en-US")} history records: navigation to ${JOBS} job rows`,
        a: ms(o),
        b: "—",
        ratio: "—",
        target: "≤ 1 s",
        met: o <= 1000,
      },
      {
        id: "P8j",
        what: `job page with a year of hourly runs (${RUNS_PER_JOB.toLocaleString("en-US")} points) plotted: navigation to 4 charts drawn`,
        a: ms(j),
        b: "—",
        ratio: "—",
        target: "≤ 1 s",
        met: j <= 1000,
      },
      {
        id: "P8q",
        what: "history API: GET …/history?limit=100 (the table's page; 100 requests) vs GET …/series (a year as columns; 20 requests)",
        a: `${page.toFixed(1)} ms`,
        b: `${series.toFixed(1)} ms`,
        ratio: "—",
        target: "≤ 100 ms",
        met: page <= 100 && series <= 100,
      },
      {
        id: "P8s",
        what: "the UI's JavaScript gzipped: every script (the overview's entry + the job page's chart chunk)",
        a: `${(scripts.totalGz / 1024).toFixed(1)} KB`,
        b: "—",
        ratio: "—",
        target: "≤ 150 KB",
        met: scripts.totalGz <= 150 * 1024,
      },
      {
        id: "P8i0",
        what: `idle daemon, ${JOBS} jobs, dashboard on, no page ever opened: its start + CPU in ${idleSeconds} s scaled to 10 min; RSS`,
        a: `${unqueried.start.toFixed(2)} s start + ${((unqueried.idle * 600) / idleSeconds).toFixed(2)} s / 10 min; RSS ${unqueried.memory.rss.toFixed(1)} MB (peak ${unqueried.memory.hwm.toFixed(1)} MB)`,
        b: "—",
        ratio: "—",
        target: "≤ 0.5 s in all; ≤ 100 MB",
        met: unqueried.start + (unqueried.idle * 600) / idleSeconds <= 0.5 && unqueried.memory.rss <= 100,
      },
      {
        id: "P8i",
        what: `idle daemon, ${JOBS} jobs, dashboard on with the overview open: CPU in ${idleSeconds} s scaled to 10 min; RSS`,
        a: `${scaled.toFixed(2)} s / 10 min; RSS ${memory.rss.toFixed(1)} MB (peak ${memory.hwm.toFixed(1)} MB)`,
        b: "—",
        ratio: "—",
        target: "≤ 0.5 s / 10 min; ≤ 100 MB",
        met: scaled <= 0.5 && memory.rss <= 100,
      },
    );
    notes.push(
      `P8: ${records.toLocaleString("en-US")} records written straight into history/<job>/<month>.jsonl; one warm-up round, then ${n} rounds, each page in a fresh tab of one logged-in context; ` +
        `times are performance.now() when the condition first held, polled every frame. The history queries are timed from Node over loopback (the server's time plus about a millisecond). ` +
        `A year's series is ${(seriesBytes / 1024).toFixed(0)} KB of JSON. Scripts: ${scripts.sizes.map((file) => `${file.name} ${(file.raw / 1024).toFixed(1)} KB (${(file.gz / 1024).toFixed(1)} KB gz)`).join(", ")}. ` +
        `Idle CPU ${idleCpu.toFixed(2)} s in ${idleSeconds} s (×${600 / idleSeconds} for 10 min; /proc ticks are 10 ms, so a short window is coarse). RSS measured after the page and API rounds, peak includes them.`,
    );
    details.push(
      `P8 samples (ms): overview ${overview.map((v) => v.toFixed(0)).join(", ")}; job page ${jobPage.map((v) => v.toFixed(0)).join(", ")}; ` +
        `series ${queries.series.map((v) => v.toFixed(1)).join(", ")}; history page p95 ${[...queries.page].sort((a, b) => a - b)[94].toFixed(1)}`,
    );
  } finally {
    await browser.close();
    daemon.kill("SIGINT");
  }
}
