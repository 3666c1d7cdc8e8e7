import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMetricsWriter,
  createNotifierHub,
  createNotifierHubFromConfig,
  parseMetrics,
  renderMetrics,
} from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";
import { createTempDir } from "./helpers/fake-programs.js";

let temp: ReturnType<typeof createTempDir>;
let file: string;

beforeEach(() => {
  temp = createTempDir();
  file = join(temp.path, "textfile", "simplebackup.prom");
});

afterEach(() => temp.dispose());

/**
 * Every line of the text exposition format node_exporter's textfile collector reads: HELP, TYPE, or a
 * sample `name{label="value"} number`, label values escaped.
 */
const LINE = [
  /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/,
  /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter|untyped)$/,
  /^[a-zA-Z_:][a-zA-Z0-9_:]*\{job="(?:[^"\\\n]|\\["\\n])*"(?:,target="(?:[^"\\\n]|\\["\\n])*")?\} (?:[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|Inf)|NaN)$/,
];

function expectParseable(text: string) {
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.trimEnd().split("\n")) {
    expect(
      LINE.some((pattern) => pattern.test(line)),
      `line: ${line}`,
    ).toBe(true);
  }
}

const photos = sampleEvents("Photos");
const at = photos.success.at.getTime() / 1000;

describe("createMetricsWriter", () => {
  it("writes every gauge after a success", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.success);
    const text = readFileSync(file, "utf8");
    expectParseable(text);
    expect(text).toBe(
      [
        "# HELP simplebackup_last_success_timestamp_seconds When the last complete success finished (not a partial run), in Unix seconds.",
        "# TYPE simplebackup_last_success_timestamp_seconds gauge",
        `simplebackup_last_success_timestamp_seconds{job="Photos"} ${at}`,
        "# HELP simplebackup_last_run_timestamp_seconds When the last run finished, in Unix seconds.",
        "# TYPE simplebackup_last_run_timestamp_seconds gauge",
        `simplebackup_last_run_timestamp_seconds{job="Photos"} ${at}`,
        "# HELP simplebackup_last_run_status Result of the last run: 1 success, 0.5 partial (some files unreadable), 0 failure.",
        "# TYPE simplebackup_last_run_status gauge",
        'simplebackup_last_run_status{job="Photos"} 1',
        "# HELP simplebackup_last_run_duration_seconds How long the last run took.",
        "# TYPE simplebackup_last_run_duration_seconds gauge",
        'simplebackup_last_run_duration_seconds{job="Photos"} 83',
        "# HELP simplebackup_last_run_files Files the last run processed (0 when it failed).",
        "# TYPE simplebackup_last_run_files gauge",
        'simplebackup_last_run_files{job="Photos"} 1234',
        "# HELP simplebackup_last_run_added_bytes Bytes the last run added to the repository (0 when it failed).",
        "# TYPE simplebackup_last_run_added_bytes gauge",
        'simplebackup_last_run_added_bytes{job="Photos"} 47815065',
        "# HELP simplebackup_last_run_processed_bytes Size of everything the last snapshot covers (0 when the run failed).",
        "# TYPE simplebackup_last_run_processed_bytes gauge",
        'simplebackup_last_run_processed_bytes{job="Photos"} 13207024435',
        "",
      ].join("\n"),
    );
  });

  it("after a failure keeps the last success time and reports status 0", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.success);
    const later = { ...photos.failure, at: new Date(photos.failure.at.getTime() + 3_600_000) };
    await writer.notify(later);
    const text = readFileSync(file, "utf8");
    expectParseable(text);
    const metrics = parseMetrics(text).get("Photos");
    expect(metrics).toEqual({
      lastSuccessAt: at,
      lastRunAt: at + 3600,
      lastRunStatus: 0,
      lastRunDurationSeconds: 2,
      lastRunFiles: 0,
      lastRunAddedBytes: 0,
      lastRunProcessedBytes: 0,
    });
  });

  it("reports a partial run as 0.5", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.partial);
    const metrics = parseMetrics(readFileSync(file, "utf8")).get("Photos");
    expect(metrics?.lastRunStatus).toBe(0.5);
    // A partial run is not a success: the last success time stays unset.
    expect(metrics?.lastSuccessAt).toBeUndefined();
  });

  it("escapes label values as the exposition format asks", async () => {
    const writer = createMetricsWriter({ file });
    const job = 'Ann\'s "main" \\ disk\nsecond line';
    await writer.notify(sampleEvents(job).success);
    const text = readFileSync(file, "utf8");
    expectParseable(text);
    expect(text).toContain('simplebackup_last_run_status{job="Ann\'s \\"main\\" \\\\ disk\\nsecond line"} 1');
    expect([...parseMetrics(text).keys()]).toEqual([job]);
  });

  it("keeps one series per job, sorted, and keeps jobs a restarted daemon has not run yet", async () => {
    await createMetricsWriter({ file }).notify(sampleEvents("Music").success);
    const restarted = createMetricsWriter({ file });
    await restarted.notify(photos.failure);
    const jobs = parseMetrics(readFileSync(file, "utf8"));
    expect([...jobs.keys()]).toEqual(["Music", "Photos"]);
    expect(jobs.get("Music")?.lastRunStatus).toBe(1);
    const statusLines = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("simplebackup_last_run_status{"));
    expect(statusLines).toEqual([
      'simplebackup_last_run_status{job="Music"} 1',
      'simplebackup_last_run_status{job="Photos"} 0',
    ]);
  });

  it("drops the series of jobs removed from the config", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(sampleEvents("Music").success);
    await writer.notify(photos.success);
    await writer.notify({ ...photos["config-reloaded"], removed: ["Music"] });
    expect([...parseMetrics(readFileSync(file, "utf8")).keys()]).toEqual(["Photos"]);
  });

  it("replaces the file atomically: a new file renamed over the old, no temporary left", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.success);
    const first = statSync(file).ino;
    // A reader holding the old file keeps reading the old content: rename swaps whole files.
    await writer.notify(photos.failure);
    expect(statSync(file).ino).not.toBe(first);
    expect(readdirSync(join(temp.path, "textfile"))).toEqual(["simplebackup.prom"]);
  });

  it("is written after every run when attached through the hub, ignoring other events", async () => {
    const writer = createMetricsWriter({ file });
    const hub = createNotifierHub({ notifiers: [writer] });
    hub.dispatch(photos.start);
    await hub.flush();
    expect(() => statSync(file)).toThrow();
    hub.dispatch(photos.success);
    await hub.close();
    expect(parseMetrics(readFileSync(file, "utf8")).get("Photos")?.lastRunStatus).toBe(1);
  });

  it("survives a textfile it cannot parse, starting afresh", async () => {
    writeFileSync(join(temp.path, "x.prom"), "garbage\n{}{}\n");
    const writer = createMetricsWriter({ file: join(temp.path, "x.prom") });
    await writer.notify(photos.success);
    expect([...parseMetrics(readFileSync(join(temp.path, "x.prom"), "utf8")).keys()]).toEqual(["Photos"]);
  });
});

describe("createMetricsWriter: copies to copy_to targets", () => {
  const copyAt = at + 600;
  const done = { ...photos["copy-done"], at: new Date(copyAt * 1000) };
  const failed = { ...photos["copy-failed"], at: new Date((copyAt + 3600) * 1000) };

  it("writes per job and target when the last copy succeeded, finished, its status and duration", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.success);
    await writer.notify(done);
    const text = readFileSync(file, "utf8");
    expectParseable(text);
    expect(text.split("\n").filter((line) => line.includes("copy"))).toEqual([
      "# HELP simplebackup_copy_last_success_timestamp_seconds When the last complete copy to the target finished (every snapshot of the job there), in Unix seconds.",
      "# TYPE simplebackup_copy_last_success_timestamp_seconds gauge",
      `simplebackup_copy_last_success_timestamp_seconds{job="Photos",target="offsite"} ${copyAt}`,
      "# HELP simplebackup_copy_last_run_timestamp_seconds When the last copy to the target finished, in Unix seconds.",
      "# TYPE simplebackup_copy_last_run_timestamp_seconds gauge",
      `simplebackup_copy_last_run_timestamp_seconds{job="Photos",target="offsite"} ${copyAt}`,
      "# HELP simplebackup_copy_last_status Result of the last copy to the target: 1 complete, 0 failed (it is retried).",
      "# TYPE simplebackup_copy_last_status gauge",
      'simplebackup_copy_last_status{job="Photos",target="offsite"} 1',
      "# HELP simplebackup_copy_last_duration_seconds How long the last copy to the target took.",
      "# TYPE simplebackup_copy_last_duration_seconds gauge",
      'simplebackup_copy_last_duration_seconds{job="Photos",target="offsite"} 62',
    ]);
    // The job's own series are untouched by a copy.
    expect(parseMetrics(text).get("Photos")?.lastRunStatus).toBe(1);
  });

  it("after a failed copy keeps the last copy's success time and reports status 0; the backup's status stays", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(photos.success);
    await writer.notify(done);
    await writer.notify(failed);
    const metrics = parseMetrics(readFileSync(file, "utf8")).get("Photos");
    expect(metrics?.copies).toEqual({
      offsite: { lastSuccessAt: copyAt, lastRunAt: copyAt + 3600, lastStatus: 0, lastDurationSeconds: 4 },
    });
    expect(metrics?.lastRunStatus).toBe(1);
    expect(metrics?.lastSuccessAt).toBe(at);
  });

  it("keeps one series per target, sorted, escaped, and reads them back after a restart", async () => {
    await createMetricsWriter({ file }).notify({ ...done, target: 'usb "red"' });
    const restarted = createMetricsWriter({ file });
    await restarted.notify(failed);
    const text = readFileSync(file, "utf8");
    expectParseable(text);
    expect(text.split("\n").filter((line) => line.startsWith("simplebackup_copy_last_status{"))).toEqual([
      'simplebackup_copy_last_status{job="Photos",target="offsite"} 0',
      'simplebackup_copy_last_status{job="Photos",target="usb \\"red\\""} 1',
    ]);
    expect(Object.keys(parseMetrics(text).get("Photos")?.copies ?? {}).sort()).toEqual([
      "offsite",
      'usb "red"',
    ]);
  });

  it("leaves the file alone for a copy interrupted by a shutdown, and for a run that waits for its when", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify({ ...failed, code: "INTERRUPTED" });
    await writer.notify(photos.skippedConditions);
    expect(() => statSync(file)).toThrow();
    await writer.notify(photos.success);
    const before = readFileSync(file, "utf8");
    await writer.notify(photos.skippedConditions);
    await writer.notify({ ...failed, code: "INTERRUPTED" });
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("drops the series of a target taken out of the config when the file is read", async () => {
    const writer = createMetricsWriter({ file });
    await writer.notify(done);
    await writer.notify({ ...done, target: "usb" });
    await writer.notify(sampleEvents("Music")["copy-done"]);
    // The config now has Photos with only "usb"; Music is not described, so it keeps its series.
    const reloaded = createMetricsWriter({ file, copyTargets: { Photos: ["usb"] } });
    await reloaded.notify(photos.success);
    const jobs = parseMetrics(readFileSync(file, "utf8"));
    expect(Object.keys(jobs.get("Photos")?.copies ?? {})).toEqual(["usb"]);
    expect(Object.keys(jobs.get("Music")?.copies ?? {})).toEqual(["offsite"]);
  });

  it("learns the config's targets through the hub built from the config", async () => {
    await createMetricsWriter({ file }).notify(done);
    const hub = await createNotifierHubFromConfig(
      { metricsFile: file, jobs: [{ name: "Photos", copyTo: [] }] },
      { baseDir: temp.path },
    );
    hub.dispatch(photos.success);
    await hub.close();
    expect(parseMetrics(readFileSync(file, "utf8")).get("Photos")?.copies).toBeUndefined();
  });
});

describe("renderMetrics", () => {
  it("writes nothing for no jobs", () => {
    expect(renderMetrics(new Map())).toBe("");
  });
});
