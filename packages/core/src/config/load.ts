import { readFile } from "node:fs/promises";
import { homedir as osHomedir } from "node:os";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { copyTargetProblems, toCopyTargets } from "./copy-targets.js";
import { databaseProblems, toDatabases } from "./databases.js";
import { DEFAULT_BACKEND_UNREACHABLE_AFTER_MS } from "./defaults.js";
import { parseDuration } from "./duration.js";
import { stripJsonComments } from "./jsonc.js";
import {
  finishProblems,
  isPlainObject,
  issuesToProblems,
  jsonSyntaxProblem,
  type RawProblem,
} from "./problems.js";
import { passwordCountProblem, toPasswordSource, toRetention } from "./repository-keys.js";
import { resolveRepository } from "./repository-path.js";
import { buildRetryPolicy, DEFAULT_RETRY_POLICY } from "./retry-config.js";
import { toRunConditions, whenProblems } from "./run-conditions.js";
import { type ConfigFile, configFileSchema } from "./schema.js";
import type { BackupJob, JobHooks, ResolvedConfig, RetryPolicy } from "./types.js";
import { toUiSettings, uiProblems } from "./ui.js";

const DEFAULT_STALE_LOCK_AFTER_MS = 3_600_000;

export interface ResolveOptions {
  /** The file the config came from, named in errors. */
  file?: string;
  /** Folder that relative paths are relative to: the config file's folder. */
  baseDir: string;
  /** Folder that `~/` stands for. @default os.homedir() */
  homedir?: string;
}

/** Parses and validates the text of a config file. Throws ConfigError `CONFIG_INVALID` listing every problem. */
export function parseConfigText(text: string, options: ResolveOptions): ResolvedConfig {
  // Notepad saves UTF-8 with a byte order mark, which JSON.parse rejects.
  const json = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (json.trim() === "") {
    throw new ConfigError("CONFIG_INVALID", options.file, [
      { path: "", message: 'the file is empty; expected a JSON object such as {"backupjobs": [ ... ]}' },
    ]);
  }
  let input: unknown;
  // Comments become spaces, so every position (and so a syntax error's line and column) stays put.
  const uncommented = stripJsonComments(json);
  try {
    input = JSON.parse(uncommented);
  } catch (error) {
    throw new ConfigError("CONFIG_INVALID", options.file, [jsonSyntaxProblem(uncommented, error)]);
  }
  return resolveConfig(input, options);
}

/** Validates a config object (as parsed from JSON) and resolves its paths. */
export function resolveConfig(input: unknown, options: ResolveOptions): ResolvedConfig {
  const resolve = pathResolver(path.resolve(options.baseDir), options.homedir ?? osHomedir());
  const result = configFileSchema.safeParse(input);
  const problems = [
    ...(result.success ? [] : issuesToProblems(result.error.issues, configFileSchema)),
    ...crossKeyProblems(input, resolve),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", options.file, finishProblems(problems, input));
  }
  return toResolvedConfig(result.data, options, resolve);
}

/** Reads and loads a config file; relative paths in it are relative to its folder. */
export async function loadConfigFile(
  file: string,
  options: { homedir?: string } = {},
): Promise<ResolvedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new ConfigError("CONFIG_NOT_FOUND", absolute, [{ path: "", message: readFailure(error) }]);
  }
  return parseConfigText(text, { ...options, file: absolute, baseDir: path.dirname(absolute) });
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return "no such file; check the path, or pass --config FILE";
  if (code === "EISDIR") return "this is a folder; expected a JSON config file";
  return `cannot read the file (${code ?? String(error)})`;
}

/**
 * Rules across keys, checked on the raw input so they are reported together with the schema's
 * problems rather than only after those are fixed.
 */
function crossKeyProblems(input: unknown, resolve: (p: string) => string): RawProblem[] {
  if (!isPlainObject(input)) return [];
  const problems: RawProblem[] = [...uiProblems(input.ui)];
  if (!Array.isArray(input.backupjobs)) return problems;
  const firstIndexByName = new Map<string, number>();
  for (const [index, job] of input.backupjobs.entries()) {
    if (!isPlainObject(job)) continue;
    const password = passwordCountProblem(job, ["backupjobs", index]);
    if (password) problems.push(password);
    problems.push(
      ...copyTargetProblems(job, index, resolve),
      ...whenProblems(job, index, resolve),
      ...databaseProblems(job, index),
    );
    const name = job.jobname;
    if (typeof name !== "string" || name === "") continue;
    const first = firstIndexByName.get(name);
    if (first === undefined) firstIndexByName.set(name, index);
    else {
      problems.push({
        path: ["backupjobs", index, "jobname"],
        message: `${JSON.stringify(name)} is already used by backupjobs[${first}]; job names must be unique`,
      });
    }
  }
  return problems;
}

function toResolvedConfig(
  file: ConfigFile,
  options: ResolveOptions,
  resolve: (p: string) => string,
): ResolvedConfig {
  const bin = file.restic_binary;
  const defaults: JobDefaults = {
    retry: buildRetryPolicy(file.retry, DEFAULT_RETRY_POLICY),
    staleLockAfterMs: durationMs(file.stale_lock_after) ?? DEFAULT_STALE_LOCK_AFTER_MS,
    backendUnreachableAfterMs:
      durationMs(file.backend_unreachable_after) ?? DEFAULT_BACKEND_UNREACHABLE_AFTER_MS,
    skipIfUnchanged: file.skip_if_unchanged ?? false,
    when: file.when,
  };
  return {
    file: options.file === undefined ? undefined : path.resolve(options.file),
    // A bare name such as "restic" is looked up on PATH when restic runs.
    resticBinary: bin === undefined || !/[\\/]/.test(bin) ? bin : resolve(bin),
    stateDir: file.state_dir === undefined ? undefined : resolve(file.state_dir),
    maxConcurrent: file.max_concurrent ?? 1,
    keepLogs: file.keep_logs ?? 30,
    baseDir: path.resolve(options.baseDir),
    notifications: file.notifications ?? [],
    metricsFile: file.metrics_file === undefined ? undefined : resolve(file.metrics_file),
    skipIfUnchanged: defaults.skipIfUnchanged,
    jobs: file.backupjobs.map((job) => toBackupJob(job, resolve, defaults)),
    ...(file.ui === undefined ? {} : { ui: toUiSettings(file.ui, resolve) }),
  };
}

type JobInput = ConfigFile["backupjobs"][number];

interface JobDefaults {
  readonly retry: RetryPolicy;
  readonly staleLockAfterMs: number;
  readonly backendUnreachableAfterMs: number;
  readonly skipIfUnchanged: boolean;
  /** The top-level `when`, as written: each job's `when` is merged over it. */
  readonly when: ConfigFile["when"];
}

function durationMs(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

function toBackupJob(job: JobInput, resolve: (p: string) => string, defaults: JobDefaults): BackupJob {
  const repository = resolveRepository(job.destination, resolve);
  const retention = job.retention === undefined ? undefined : toRetention(job.retention);
  return {
    name: job.jobname,
    sources: [...new Set((job.sources ?? []).map(resolve))],
    databases: toDatabases(job.databases, resolve),
    repository,
    password: toPasswordSource(job, resolve),
    schedule: job.backup_interval,
    excludes: job.exclude_patterns ?? [],
    skipIfUnchanged: job.skip_if_unchanged ?? defaults.skipIfUnchanged,
    retention,
    env: job.env ?? {},
    tags: job.tags ?? [],
    timezone: job.timezone,
    catchUp: job.catch_up ?? true,
    jitterMs: durationMs(job.jitter) ?? 0,
    backupOnStart: job.backup_on_start ?? false,
    allowEmptySources: job.allow_empty_sources ?? false,
    retry: job.retry ? buildRetryPolicy(job.retry, defaults.retry) : defaults.retry,
    staleLockAfterMs: durationMs(job.stale_lock_after) ?? defaults.staleLockAfterMs,
    backendUnreachableAfterMs:
      durationMs(job.backend_unreachable_after) ?? defaults.backendUnreachableAfterMs,
    alertAfterMs: durationMs(job.alert_after),
    notifications: job.notifications ?? [],
    hooks: toHooks(job.hooks),
    check: job.check_interval
      ? { schedule: job.check_interval, readDataGroups: job.check_read_data_groups ?? 10 }
      : undefined,
    drill: job.drill_interval ? { schedule: job.drill_interval, files: job.drill_files ?? 10 } : undefined,
    copyTo: toCopyTargets(job.copy_to, { retention, alertAfterMs: durationMs(job.alert_after) }, resolve),
    when: toRunConditions(defaults.when, job.when, repository, resolve),
  };
}

const DEFAULT_HOOK_TIMEOUT_MS = 5 * 60_000;

function toHooks(hooks: JobInput["hooks"]): JobHooks | undefined {
  if (!hooks) return undefined;
  const { before, after, on_success: onSuccess, on_failure: onFailure } = hooks;
  if (!before && !after && !onSuccess && !onFailure) return undefined;
  return {
    before,
    after,
    onSuccess,
    onFailure,
    timeoutMs: durationMs(hooks.timeout) ?? DEFAULT_HOOK_TIMEOUT_MS,
  };
}

/** A drive-letter or UNC path: absolute on Windows, and kept as written when this host is not Windows. */
const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|\\\\)/;

function pathResolver(baseDir: string, home: string): (p: string) => string {
  return (p) => {
    if (p === "~" || /^~[\\/]/.test(p)) return path.resolve(home, p.slice(2));
    if (WINDOWS_ABSOLUTE.test(p) && path.sep === "/") return p;
    return path.resolve(baseDir, p);
  };
}
