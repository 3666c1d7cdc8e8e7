// P4 worker: loads, validates and schedules one config in a fresh process, timing each step in-process,
// and prints the times as one JSON line. A fresh process per sample keeps caches the library fills on
// the way (compiled cron expressions, time-zone offsets) from making later samples look faster than a
// daemon's one real start.
//
//   node test/bench/workers/schedule.mjs <core dist index.js> <config.json> <state dir>

import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [coreIndex, configFile, stateDir] = process.argv.slice(2);
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;

let t = process.hrtime.bigint();
const { BackupScheduler, createManualClock, resolveConfig } = await import(pathToFileURL(coreIndex).href);
const importMs = ms(t);

const text = readFileSync(configFile, "utf8");
const clock = createManualClock(Date.parse("2026-01-15T10:07:00Z"));

const total = process.hrtime.bigint();
t = process.hrtime.bigint();
const config = resolveConfig(JSON.parse(text), { file: configFile, baseDir: path.dirname(configFile) });
const validateMs = ms(t);
t = process.hrtime.bigint();
const scheduler = new BackupScheduler({ config, stateDir, clock });
let scheduled = 0;
scheduler.on("scheduled", () => scheduled++);
await scheduler.start();
const startMs = ms(t);
const totalMs = ms(total);

// Not part of the figure, but a cost the daemon pays right after starting: the state file write.
t = process.hrtime.bigint();
await scheduler.whenIdle();
const flushMs = ms(t);
const jobs = scheduler.status().length;
await scheduler.stop();

process.stdout.write(
  `${JSON.stringify({ jobs, scheduled, importMs, validateMs, startMs, totalMs, flushMs, pendingTimers: clock.pendingTimers() })}\n`,
);
