import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText, resolveConfig } from "../../src/config/load.js";
import { didYouMean, findJsonSyntaxError } from "../../src/config/problems.js";
import { ConfigError, type ConfigProblem } from "../../src/errors.js";
import { configJob } from "../helpers/job.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const baseDir = path.resolve("/configs");
// Spelled out rather than imported, so a change to the words users read shows up here.
const DURATION =
  'a duration such as "90s", "5m", "1h30m" or "2d" (whole numbers with units w, d, h, m, s or ms, largest first, no spaces)';

function problemsOf(load: () => unknown): readonly ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError && error.code === "CONFIG_INVALID") return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

const problemsOfInput = (input: unknown) => problemsOf(() => resolveConfig(input, { baseDir }));
const problemsOfJob = (overrides: Record<string, unknown>) =>
  problemsOfInput({ backupjobs: [configJob(overrides)] });
const problemsOfText = (text: string) => problemsOf(() => parseConfigText(text, { baseDir }));

describe("a bad job key", () => {
  const JOB = 'backupjobs[0] ("Docs")';
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "jobname empty",
      { jobname: "" },
      "backupjobs[0].jobname",
      'expected a non-empty job name without "," (it becomes the restic tag simplebackup:<jobname>), got ""',
    ],
    [
      "jobname with comma",
      { jobname: "a,b" },
      "backupjobs[0].jobname",
      'expected a non-empty job name without "," (it becomes the restic tag simplebackup:<jobname>), got "a,b"',
    ],
    ["jobname a number", { jobname: 7 }, "backupjobs[0].jobname", "expected a non-empty job name, got 7"],
    [
      "jobname missing",
      { jobname: undefined },
      "backupjobs[0].jobname",
      "missing; expected a non-empty job name",
    ],
    [
      "sources empty",
      { sources: [] },
      `${JOB}.sources`,
      'expected a non-empty array of file or folder paths, got an empty array (a job that backs up only databases lists them in "databases" instead)',
    ],
    [
      "sources a string",
      { sources: "./docs" },
      `${JOB}.sources`,
      'expected a non-empty array of file or folder paths, got "./docs"',
    ],
    [
      "sources missing",
      { sources: undefined },
      `${JOB}.sources`,
      'missing; expected a non-empty array of file or folder paths (a job that backs up only databases lists them in "databases" instead)',
    ],
    ["a source empty", { sources: ["a", ""] }, `${JOB}.sources[1]`, 'expected a non-empty path, got ""'],
    [
      "a source not a string",
      { sources: [null] },
      `${JOB}.sources[0]`,
      "expected a non-empty path, got null",
    ],
    [
      "destination empty",
      { destination: "" },
      `${JOB}.destination`,
      'expected a restic repository: a folder path or a backend URL such as sftp:user@host:/srv/restic, got ""',
    ],
    [
      "destination missing",
      { destination: undefined },
      `${JOB}.destination`,
      "missing; expected a restic repository: a folder path or a backend URL such as sftp:user@host:/srv/restic",
    ],
    [
      "password empty",
      { password: "" },
      `${JOB}.password`,
      'expected a non-empty repository password, got ""',
    ],
    [
      "password a number",
      { password: 1234 },
      `${JOB}.password`,
      "expected the repository password, got 1234",
    ],
    [
      "password_file empty",
      { password: undefined, password_file: "" },
      `${JOB}.password_file`,
      'expected a path to a file holding the repository password, got ""',
    ],
    [
      "password_command empty",
      { password: undefined, password_command: "" },
      `${JOB}.password_command`,
      'expected a non-empty command that prints the repository password, got ""',
    ],
    [
      "password_env with =",
      { password: undefined, password_env: "A=B" },
      `${JOB}.password_env`,
      'expected the name of an environment variable holding the repository password, got "A=B"',
    ],
    [
      "backup_interval out of range",
      { backup_interval: "61 * * * *" },
      `${JOB}.backup_interval`,
      '"61 * * * *" is not a valid cron expression (minute 61 is out of range 0-59)',
    ],
    [
      "backup_interval short",
      { backup_interval: "0 2 *" },
      `${JOB}.backup_interval`,
      '"0 2 *" is not a valid cron expression: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 3; e.g. "0 2 * * *" runs every day at 02:00',
    ],
    [
      "backup_interval empty",
      { backup_interval: "" },
      `${JOB}.backup_interval`,
      'expected a cron expression such as "0 2 * * *", got ""',
    ],
    [
      "backup_interval a number",
      { backup_interval: 2 },
      `${JOB}.backup_interval`,
      'expected a cron expression such as "0 2 * * *", got 2',
    ],
    [
      "exclude_patterns a string",
      { exclude_patterns: "*.tmp" },
      `${JOB}.exclude_patterns`,
      'expected an array of exclude patterns, got "*.tmp"',
    ],
    [
      "an exclude pattern empty",
      { exclude_patterns: [""] },
      `${JOB}.exclude_patterns[0]`,
      'expected a non-empty pattern, got ""',
    ],
    [
      "retention an array",
      { retention: [] },
      `${JOB}.retention`,
      "expected an object of keep rules (hours, days, weeks, months, years, last, within), got an empty array",
    ],
    [
      "retention.days negative",
      { retention: { days: -1 } },
      `${JOB}.retention.days`,
      "expected a whole number ≥ 0, got -1",
    ],
    [
      "retention.hours fractional",
      { retention: { hours: 1.5 } },
      `${JOB}.retention.hours`,
      "expected a whole number ≥ 0, got 1.5",
    ],
    [
      "retention.weeks a string",
      { retention: { weeks: "4" } },
      `${JOB}.retention.weeks`,
      'expected a whole number ≥ 0, got "4"',
    ],
    [
      "retention.last null",
      { retention: { last: null } },
      `${JOB}.retention.last`,
      "expected a whole number ≥ 0, got null",
    ],
    [
      "retention.within bad unit",
      { retention: { within: "2w" } },
      `${JOB}.retention.within`,
      'expected a duration such as "2y5m7d3h": whole numbers followed by y (years), m (months), d (days) or h (hours), no spaces, got "2w"; did you mean "14d"?',
    ],
    [
      "retention.within in words",
      { retention: { within: "2 years 3 months" } },
      `${JOB}.retention.within`,
      'expected a duration such as "2y5m7d3h": whole numbers followed by y (years), m (months), d (days) or h (hours), no spaces, got "2 years 3 months"; did you mean "2y3m"?',
    ],
    [
      "a time zone without its underscore",
      { timezone: "America/NewYork" },
      `${JOB}.timezone`,
      'expected an IANA time zone such as "Europe/Berlin", got "America/NewYork"; did you mean "America/New_York"?',
    ],
    [
      "a time zone as a city",
      { timezone: "berlin" },
      `${JOB}.timezone`,
      'expected an IANA time zone such as "Europe/Berlin", got "berlin"; did you mean "Europe/Berlin"?',
    ],
    [
      "a time zone nothing is close to",
      { timezone: "Mars/Olympus_Mons" },
      `${JOB}.timezone`,
      'expected an IANA time zone such as "Europe/Berlin", got "Mars/Olympus_Mons"; the names are Area/City, as listed at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones',
    ],
    [
      "a duration in words",
      { jitter: "2 days" },
      `${JOB}.jitter`,
      `expected ${DURATION}, got "2 days"; did you mean "2d"?`,
    ],
    [
      "a duration with a fraction",
      { alert_after: "1.5 hours" },
      `${JOB}.alert_after`,
      `expected ${DURATION}, got "1.5 hours"; did you mean "1h30m"?`,
    ],
    [
      "a duration with its units in the wrong order",
      { stale_lock_after: "30m1h" },
      `${JOB}.stale_lock_after`,
      `expected ${DURATION}, got "30m1h"; did you mean "1h30m"?`,
    ],
    [
      "a jitter as a bare number",
      { jitter: 300 },
      `${JOB}.jitter`,
      `expected ${DURATION}, got 300; a number alone has no unit: write "300s" for seconds or "300m" for minutes`,
    ],
    [
      "a jitter as a bare number in a string",
      { jitter: "30" },
      `${JOB}.jitter`,
      `expected ${DURATION}, got "30"; a number alone has no unit: write "30s" for seconds or "30m" for minutes`,
    ],
    [
      "a retry delay in words",
      { retry: { delays: ["1m", "5 minutes"] } },
      `${JOB}.retry.delays[1]`,
      `expected ${DURATION}, got "5 minutes"; did you mean "5m"?`,
    ],
    [
      "a duration nothing is close to",
      { jitter: "soon" },
      `${JOB}.jitter`,
      `expected ${DURATION}, got "soon"`,
    ],
    [
      "env an array",
      { env: ["A=1"] },
      `${JOB}.env`,
      "expected an object of environment variable names to string values, got an array",
    ],
    [
      "env value a number",
      { env: { PORT: 8080 } },
      `${JOB}.env.PORT`,
      "expected a string value (quote numbers), got 8080",
    ],
    [
      "env name with =",
      { env: { "A=B": "x" } },
      `${JOB}.env["A=B"]`,
      'not a valid environment variable name (it must be non-empty and contain no "=")',
    ],
    ["tags a string", { tags: "x" }, `${JOB}.tags`, 'expected an array of tags, got "x"'],
    [
      "a tag with comma",
      { tags: ["ok", "a,b"] },
      `${JOB}.tags[1]`,
      'expected a non-empty tag without "," that does not start with "simplebackup:" or "simplebackup-db:" (kept for job and database tags), got "a,b"',
    ],
    [
      "a tag reserved",
      { tags: ["simplebackup:Other"] },
      `${JOB}.tags[0]`,
      'expected a non-empty tag without "," that does not start with "simplebackup:" or "simplebackup-db:" (kept for job and database tags), got "simplebackup:Other"',
    ],
  ])("%s", (_, overrides, place, message) => {
    expect(problemsOfJob(overrides)).toEqual([{ path: place, message }]);
  });
});

describe("the password rule", () => {
  it.each<[Record<string, unknown>, string]>([
    [{ password: undefined }, "none"],
    [{ password_file: "pw.txt" }, "password, password_file"],
    [{ password_command: "x", password_env: "Y" }, "password, password_command, password_env"],
  ])("rejects a job with %j", (overrides, found) => {
    expect(problemsOfJob(overrides)).toEqual([
      {
        path: 'backupjobs[0] ("Docs")',
        message: `set exactly one of password, password_file, password_command, password_env (found: ${found})`,
      },
    ]);
  });
});

describe("the top level", () => {
  it.each<[string, unknown, ConfigProblem]>([
    [
      "an array",
      [],
      { path: "", message: 'expected a JSON object with a "backupjobs" array, got an empty array' },
    ],
    ["a string", "x", { path: "", message: 'expected a JSON object with a "backupjobs" array, got "x"' }],
    ["without backupjobs", {}, { path: "backupjobs", message: "missing; expected an array of jobs" }],
    [
      "with no jobs",
      { backupjobs: [] },
      { path: "backupjobs", message: "expected at least one job, got an empty array" },
    ],
    [
      "with a job that is no object",
      { backupjobs: ["Docs"] },
      { path: "backupjobs[0]", message: 'expected a job object, got "Docs"' },
    ],
    [
      "with restic_binary empty",
      { restic_binary: "", backupjobs: [configJob()] },
      {
        path: "restic_binary",
        message:
          'expected a path to the restic program, or a program name found on PATH such as "restic", got ""',
      },
    ],
    [
      "with state_dir a number",
      { state_dir: 1, backupjobs: [configJob()] },
      { path: "state_dir", message: "expected a folder path, got 1" },
    ],
  ])("rejects a config %s", (_, input, problem) => {
    expect(problemsOfInput(input)).toEqual([problem]);
  });
});

describe("unknown keys", () => {
  it.each<[string, unknown, ConfigProblem]>([
    [
      "a top-level typo",
      { backupjob: [], backupjobs: [configJob()] },
      { path: "backupjob", message: "unknown key; did you mean `backupjobs`?" },
    ],
    [
      "a case difference",
      { Restic_Binary: "r", backupjobs: [configJob()] },
      { path: "Restic_Binary", message: "unknown key; did you mean `restic_binary`?" },
    ],
    [
      "a job-level typo",
      { backupjobs: [configJob({ backup_intervall: "x" })] },
      {
        path: 'backupjobs[0] ("Docs").backup_intervall',
        message: "unknown key; did you mean `backup_interval`?",
      },
    ],
    [
      "a dash for an underscore",
      { backupjobs: [configJob({ "exclude-patterns": [] })] },
      {
        path: 'backupjobs[0] ("Docs")["exclude-patterns"]',
        message: "unknown key; did you mean `exclude_patterns`?",
      },
    ],
    [
      "a retention typo",
      { backupjobs: [configJob({ retention: { day: 7 } })] },
      { path: 'backupjobs[0] ("Docs").retention.day', message: "unknown key; did you mean `days`?" },
    ],
    [
      "a key nothing is close to",
      { backupjobs: [configJob({ retention: { keep_daily: 7 } })] },
      {
        path: 'backupjobs[0] ("Docs").retention.keep_daily',
        message: "unknown key; expected one of: hours, days, weeks, months, years, last, within",
      },
    ],
  ])("reports %s", (_, input, problem) => {
    expect(problemsOfInput(input)).toEqual([problem]);
  });

  it.each([
    ["jobnme", ["jobname", "sources"], "jobname"],
    ["JOBNAME", ["jobname"], "jobname"],
    ["password_fil", ["password", "password_file"], "password_file"],
    ["xyz", ["jobname", "env"], undefined],
  ])("suggests for %s among %j: %s", (key, known, suggestion) => {
    expect(didYouMean(key, known)).toBe(suggestion);
  });
});

describe("job names", () => {
  it("rejects a name used twice, naming the first use", () => {
    const input = {
      backupjobs: [
        configJob({ jobname: "A" }),
        configJob({ jobname: "Photos" }),
        configJob({ jobname: "B" }),
        configJob({ jobname: "Photos" }),
      ],
    };
    expect(problemsOfInput(input)).toEqual([
      {
        path: "backupjobs[3].jobname",
        message: '"Photos" is already used by backupjobs[1]; job names must be unique',
      },
    ]);
  });

  it("labels a job only when its name is usable", () => {
    expect(problemsOfInput({ backupjobs: [configJob({ jobname: "a,b", sources: [] })] })).toEqual([
      expect.objectContaining({ path: "backupjobs[0].jobname" }),
      expect.objectContaining({ path: "backupjobs[0].sources" }),
    ]);
  });
});

describe("collecting problems", () => {
  it("reports every problem in the file, in file order", async () => {
    const error = await loadConfigFile(path.join(fixtures, "many-problems.json")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: "backupjob", message: "unknown key; did you mean `backupjobs`?" },
      {
        path: 'backupjobs[0] ("Docs")',
        message:
          "set exactly one of password, password_file, password_command, password_env (found: password, password_file)",
      },
      {
        path: 'backupjobs[0] ("Docs").backup_interval',
        message: '"61 * * * *" is not a valid cron expression (minute 61 is out of range 0-59)',
      },
      {
        path: 'backupjobs[1] ("Photos").sources',
        message:
          'expected a non-empty array of file or folder paths, got an empty array (a job that backs up only databases lists them in "databases" instead)',
      },
      { path: 'backupjobs[1] ("Photos").retention.days', message: "expected a whole number ≥ 0, got -1" },
      {
        path: 'backupjobs[1] ("Photos").retention.keep_daily',
        message: "unknown key; expected one of: hours, days, weeks, months, years, last, within",
      },
      {
        path: 'backupjobs[2] ("Docs")',
        message: "set exactly one of password, password_file, password_command, password_env (found: none)",
      },
      {
        path: "backupjobs[2].jobname",
        message: '"Docs" is already used by backupjobs[0]; job names must be unique',
      },
      { path: 'backupjobs[2] ("Docs").passwrd', message: "unknown key; did you mean `password`?" },
      {
        path: 'backupjobs[2] ("Docs").backup_interval',
        message:
          '"0 2 *" is not a valid cron expression: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 3; e.g. "0 2 * * *" runs every day at 02:00',
      },
    ]);
  });

  it("puts one problem per line in the error message, after the file name", () => {
    const file = path.join(baseDir, "backup_config.json");
    const text = JSON.stringify({ backupjobs: [configJob({ sources: [], retention: { days: -1 } })] });
    expect(() => parseConfigText(text, { file, baseDir })).toThrow(
      `${file}: backupjobs[0] ("Docs").sources: expected a non-empty array of file or folder paths, got an empty array (a job that backs up only databases lists them in "databases" instead)\n` +
        'backupjobs[0] ("Docs").retention.days: expected a whole number ≥ 0, got -1',
    );
  });
});

describe("invalid JSON", () => {
  it.each([
    [
      '{\n  "backupjobs": [\n    {"jobname": "a" "sources": []}',
      "invalid JSON at line 3, column 21: Expected ',' or '}' after property value",
    ],
    [
      '{"backupjobs": [1,]}',
      "invalid JSON at line 1, column 19: Unexpected token ']'; remove the trailing ',' (JSON allows no comma after the last item)",
    ],
    [
      '{\n  "a": 1,\n}',
      "invalid JSON at line 3, column 1: Expected double-quoted property name; remove the trailing ',' (JSON allows no comma after the last item)",
    ],
    ['{"backupjobs": [\n', "invalid JSON at line 1, column 17: Unexpected end of JSON input"],
    ['{"a": tru}', "invalid JSON at line 1, column 10: Unexpected token '}'"],
    [
      '{"destination": "D:\\Backup"}',
      "invalid JSON at line 1, column 21: Bad escaped character; in a Windows path write each \\ as \\\\, or use / (C:/Users/me)",
    ],
    [
      "{'backupjobs': []}",
      "invalid JSON at line 1, column 2: Expected property name or '}'; JSON needs double quotes around keys and strings",
    ],
    [
      // Comments are allowed (init writes a commented config); positions after them stay right.
      '{\n  // jobs\n  "backupjobs": [1,] /* note */\n}',
      "invalid JSON at line 3, column 20: Unexpected token ']'; remove the trailing ',' (JSON allows no comma after the last item)",
    ],
    [
      '{"backupjobs": []} x',
      "invalid JSON at line 1, column 20: Unexpected non-whitespace character after JSON",
    ],
  ])("locates the error in %j", (text, message) => {
    expect(problemsOfText(text)).toEqual([{ path: "", message }]);
  });

  it.each(["", "  \n\t"])("explains an empty file %j", (text) => {
    expect(problemsOfText(text)).toEqual([
      { path: "", message: 'the file is empty; expected a JSON object such as {"backupjobs": [ ... ]}' },
    ]);
  });

  // The scanner stands in for Node when its message gives no position, so it must agree with JSON.parse.
  it.each([
    ['{"a": [1, 2, {"b": null}], "c": "\\u00e9\\n", "d": -1.5e3, "e": true, "f": false}', undefined],
    ["[1,]", 3],
    ['{"a": tru}', 9],
    ['{"a": 01}', 7],
    ['"abc', 4],
    ['{"a":"\u0001"}', 6],
    ["[-]", 2],
    ["{} {}", 3],
  ])("scans %j to error offset %s", (text, offset) => {
    expect(findJsonSyntaxError(text)).toBe(offset);
  });

  it.each([
    '{"a": 1 "b": 2}',
    '{"a": 1,}',
    "{a: 1}",
    '{"a" 1}',
    '{"a": "x\ny"}',
    '{"a": "\\q"}',
    '{"a": 1} x',
    '{"a": 01}',
    '["x", -]',
  ])("finds the same offset as JSON.parse in %j", (text) => {
    const message = (() => {
      try {
        JSON.parse(text);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const position = /at position (\d+)/.exec(message)?.[1];
    expect(position, message).toBeDefined();
    expect(findJsonSyntaxError(text)).toBe(Number(position));
  });
});
