import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, DURATION_FORMAT } from "@simplebackup/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkNotifierPlugins,
  createNotifierHubFromConfig,
  createNotifiersFromConfig,
  describeNotifier,
  validateNotifierEntries,
} from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";
import { createRecordingScript, createTempDir } from "./helpers/fake-programs.js";
import { type Recorder, startRecorder } from "./helpers/http-recorder.js";

const EXAMPLE_DIR = resolve(import.meta.dirname, "../../../examples/custom-notifier");

let temp: ReturnType<typeof createTempDir>;

beforeEach(() => {
  temp = createTempDir();
});

afterEach(() => temp.dispose());

describe("validateNotifierEntries", () => {
  it("accepts the entries the docs show", () => {
    expect(
      validateNotifierEntries([
        { type: "desktop" },
        { type: "webhook", url: "https://example.com/hook", on: ["failure", "success"], timeout: "5s" },
        {
          type: "ntfy",
          url: "https://ntfy.sh/backups",
          priority: { failure: "high", success: 2 },
          jobs: ["Photos"],
        },
        { type: "healthchecks", url: "https://hc-ping.com/0b7c" },
        { type: "command", command: "./notify.sh", args: ["--quiet"], env: { TOKEN: "x" } },
        { module: "./my-notifier.mjs", options: { url: "https://chat.example.com" }, on: ["failure"] },
      ]),
    ).toEqual([]);
  });

  it("names every problem by its place", () => {
    expect(
      validateNotifierEntries([
        { type: "desktop" },
        { type: "webhook", url: "not a url" },
        { type: "pager" },
        { type: "ntfy", url: "https://ntfy.sh/t", priority: { failure: 9, sucess: 1 } },
        { type: "webhook", url: "https://x.example", on: ["failures"], timout: "5s" },
        { type: "command" },
        { module: "" },
        "desktop",
        { type: "desktop", module: "./x.mjs" },
        { url: "https://x.example" },
        { type: "healthchecks", url: "https://hc-ping.com/x", timeout: "soon", jobs: "Photos" },
      ]),
    ).toEqual([
      { path: "notifications[1].url", message: 'expected an http(s) URL, got "not a url"' },
      {
        path: "notifications[2].type",
        message: 'expected one of "desktop", "webhook", "ntfy", "healthchecks", "command", got "pager"',
      },
      {
        path: "notifications[3].priority.failure",
        message:
          'expected a priority from 1 to 5 or one of "min", "low", "default", "high", "max", "urgent", got 9',
      },
      { path: "notifications[3].priority.sucess", message: "unknown key" },
      {
        path: "notifications[4].on[0]",
        message: expect.stringMatching(/^expected one of scheduled, start, progress, .* got "failures"$/),
      },
      {
        path: "notifications[4].timout",
        message: "unknown key; expected one of type, url, headers, timeout, retries, on, name, jobs",
      },
      { path: "notifications[5].command", message: "missing; expected a program name or path" },
      {
        path: "notifications[6].module",
        message: 'expected a non-empty module path or package name, got ""',
      },
      { path: "notifications[7]", message: 'expected an object with "type" or "module", got "desktop"' },
      {
        path: "notifications[8]",
        message: 'set either "type" (a built-in) or "module" (a plugin), not both',
      },
      { path: "notifications[9]", message: expect.stringMatching(/^missing "type"/) },
      { path: "notifications[10].jobs", message: 'expected an array of job names, got "Photos"' },
      { path: "notifications[10].timeout", message: `expected ${DURATION_FORMAT}, got "soon"` },
    ]);
  });

  it("reads a notifier's durations with core's grammar, days and weeks included", async () => {
    expect(validateNotifierEntries([{ type: "command", command: "true", timeout: "1d" }])).toEqual([]);
    const [built] = await createNotifiersFromConfig(
      [{ type: "webhook", url: "https://example.com/h", timeout: "1d" }],
      { baseDir: temp.path },
    );
    expect(describeNotifier(built?.notifier ?? { name: "", notify() {} }).options).toMatchObject({
      timeoutMs: 24 * 3_600_000,
    });
    expect(
      validateNotifierEntries([{ type: "webhook", url: "https://example.com/h", timeout: "2 days" }]),
    ).toEqual([
      {
        path: "notifications[0].timeout",
        message: `expected ${DURATION_FORMAT}, got "2 days"; did you mean "2d"?`,
      },
    ]);
  });

  it("uses the place it is given, for a job's own list", () => {
    expect(validateNotifierEntries({}, { path: "backupjobs[0].notifications" })).toEqual([
      { path: "backupjobs[0].notifications", message: "expected an array of notifiers, got an object" },
    ]);
    expect(validateNotifierEntries(undefined)).toEqual([]);
  });
});

describe("createNotifiersFromConfig", () => {
  let server: Recorder;
  beforeEach(async () => {
    server = await startRecorder();
  });
  afterEach(() => server.close());

  it("builds built-ins with their options and routing", async () => {
    const built = await createNotifiersFromConfig(
      [
        {
          type: "webhook",
          url: `${server.url}/hook`,
          on: ["success"],
          timeout: "2s",
          jobs: ["Photos"],
          name: "team hook",
        },
        { type: "desktop", icon: "icons/backup.png" },
      ],
      { baseDir: temp.path },
    );
    expect(built.map((entry) => ({ ...describeNotifier(entry.notifier), jobs: entry.jobs }))).toEqual([
      {
        name: "team hook",
        type: "webhook",
        on: ["success"],
        options: { url: `${server.url}/***`, timeoutMs: 2000 },
        jobs: ["Photos"],
      },
      {
        name: "desktop",
        type: "desktop",
        on: expect.arrayContaining(["failure"]),
        options: { icon: join(temp.path, "icons/backup.png") },
        jobs: undefined,
      },
    ]);
    await built[0]?.notifier.notify(sampleEvents().success);
    expect(server.requests).toHaveLength(1);
  });

  it("runs a command from the config file's folder, so a relative program is found", async () => {
    const script = createRecordingScript(temp.path);
    writeFileSync(
      join(temp.path, "notify.sh"),
      `#!/bin/sh\nexec "${process.execPath}" "${script.script}" "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const [built] = await createNotifiersFromConfig(
      [{ type: "command", command: "./notify.sh", args: ["a b"] }],
      {
        baseDir: temp.path,
      },
    );
    await built?.notifier.notify(sampleEvents().failure);
    const [call] = script.received();
    expect(call?.argv).toEqual(["a b"]);
    expect(call?.cwd).toBe(temp.path);
    expect(call?.stdin.event.type).toBe("failure");
    expect(call?.env).toMatchObject({
      event: "failure",
      job: "Photos",
      title: "Photos: backup failed: Repository locked",
    });
  });

  it("loads the example plugin by a path relative to the config's folder, its options checked", async () => {
    const [built] = await createNotifiersFromConfig(
      [
        {
          module: "./my-notifier.mjs",
          options: { url: `${server.url}/chat`, token: "t0k" },
          on: ["failure"],
        },
      ],
      { baseDir: EXAMPLE_DIR },
    );
    expect(built?.on).toEqual(["failure"]);
    expect(describeNotifier(built?.notifier as never)).toEqual({
      name: "chat",
      type: "./my-notifier.mjs",
      on: ["failure"],
      options: { url: `${server.url}/***`, token: "***" },
    });
    await built?.notifier.notify(sampleEvents().failure);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer t0k");
    expect(JSON.parse(server.requests[0]?.body ?? "{}").text).toMatch(
      /^Photos: backup failed: Repository locked\n/,
    );
  });

  it("reports a plugin's option problems under the entry's options", async () => {
    const entries = [{ module: "./my-notifier.mjs", options: { url: "nope" } }];
    const error = await createNotifiersFromConfig(entries, {
      baseDir: EXAMPLE_DIR,
      file: "/x/backup_config.json",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe("/x/backup_config.json");
    expect((error as ConfigError).problems.map((p) => p.path)).toEqual([
      "notifications[0].options.url",
      "notifications[0].options.token",
    ]);
    expect(await checkNotifierPlugins(entries, { baseDir: EXAMPLE_DIR })).toHaveLength(2);
  });

  it("reports a module that cannot be loaded or exports no notifier", async () => {
    writeFileSync(join(temp.path, "empty.mjs"), "export const x = 1;\n");
    const error = (await createNotifiersFromConfig(
      [{ module: "./missing.mjs" }, { module: "./empty.mjs" }, { type: "webhook" }],
      { baseDir: temp.path, path: "backupjobs[2].notifications" },
    ).catch((e: unknown) => e)) as ConfigError;
    // The plain shape problems come first, before any module is loaded.
    expect(error.problems).toEqual([
      { path: "backupjobs[2].notifications[2].url", message: "missing; expected an http(s) URL" },
    ]);

    const loadError = (await createNotifiersFromConfig(
      [{ module: "./missing.mjs" }, { module: "./empty.mjs" }],
      {
        baseDir: temp.path,
      },
    ).catch((e: unknown) => e)) as ConfigError;
    expect(loadError.problems).toEqual([
      {
        path: "notifications[0].module",
        message: expect.stringMatching(/^cannot load "\.\/missing\.mjs": /),
      },
      {
        path: "notifications[1].module",
        message: '"./empty.mjs" has no default export; export default defineNotifier(…)',
      },
    ]);
  });

  it("loads a plugin by package name from the config file's folder", async () => {
    const dir = join(temp.path, "node_modules", "simplebackup-notifier-echo");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "simplebackup-notifier-echo", type: "module", exports: "./index.js" }),
    );
    writeFileSync(
      join(dir, "index.js"),
      "export default (options) => ({ name: 'echo ' + options.tag, notify() {} });\n",
    );
    const [built] = await createNotifiersFromConfig(
      [{ module: "simplebackup-notifier-echo", options: { tag: "t" }, name: "my echo" }],
      { baseDir: temp.path },
    );
    expect(built?.notifier.name).toBe("my echo");
  });

  it("reports a factory that throws as a config problem, secrets masked", async () => {
    writeFileSync(
      join(temp.path, "bad.mjs"),
      "export default () => { throw new Error('cannot log in to https://bot:hunter2@chat.example.com'); };\n",
    );
    const error = (await createNotifiersFromConfig([{ module: "./bad.mjs" }], { baseDir: temp.path }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error.problems).toEqual([
      {
        path: "notifications[0].module",
        message: "the plugin failed to start: cannot log in to https://bot:***@chat.example.com",
      },
    ]);
  });
});

describe("createNotifierHubFromConfig", () => {
  it("wires top-level notifiers, per-job additions and the metrics file into one hub", async () => {
    const script = createRecordingScript(temp.path);
    const hub = await createNotifierHubFromConfig(
      {
        notifications: [
          { type: "command", command: process.execPath, args: [script.script], on: ["success"] },
        ],
        jobs: [{ name: "Photos", notifications: [{ type: "desktop", on: ["stale"] }] }, { name: "Music" }],
        metricsFile: join(temp.path, "simplebackup.prom"),
      },
      { baseDir: temp.path },
    );
    expect(hub.describe().map((d) => [d.name, d.jobs])).toEqual([
      ["command node", undefined],
      ["metrics simplebackup.prom", undefined],
      ["desktop", ["Photos"]],
    ]);
    hub.dispatch(sampleEvents("Music").success);
    await hub.close();
    expect(script.received()).toHaveLength(1);
  });
});
