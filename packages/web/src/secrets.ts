import { readFileSync } from "node:fs";
import type { BackupJob, DatabasePassword, PasswordSource, ResolvedConfig } from "@simplebackup/core";
import { maskRepository } from "@simplebackup/core";
import { MIN_SECRET_LENGTH, REDACTED, redactOptions, secretValuesOf } from "@simplebackup/notifier";

/**
 * Every secret value the config holds or points at: literal passwords, the values of `password_env`
 * variables in the daemon's environment, the first line of each `password_file`, `env` values,
 * credentials in repository URLs, and notifiers' secrets (tokens, a webhook URL's path). A `password_command`'s output is not known here (running it for this
 * would be a side effect); the views never show it, and restic never prints it.
 */
export function configSecrets(
  config: ResolvedConfig | undefined,
  processEnv: NodeJS.ProcessEnv = process.env,
): string[] {
  if (!config) return [];
  const secrets = new Set<string>();
  const password = (source: PasswordSource | DatabasePassword | undefined) => {
    if (source?.kind === "literal") secrets.add(source.value);
    else if (source?.kind === "env") {
      const value = processEnv[source.variable];
      if (value) secrets.add(value);
    } else if (source?.kind === "file") {
      const value = firstLineOf(source.path);
      if (value) secrets.add(value);
    }
  };
  const env = (values: Readonly<Record<string, string>>) => {
    for (const value of Object.values(values)) if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
  };
  const repository = (url: string) => {
    for (const match of url.matchAll(/\/\/[^/@:]*:([^/@]+)@/g)) if (match[1]) secrets.add(match[1]);
  };
  // A notifier's token, or a webhook's secret path, quoted by a delivery error or a plugin's log line.
  secretValuesOf(config.notifications, undefined, secrets);
  for (const job of config.jobs) {
    secretValuesOf(job.notifications, undefined, secrets);
    password(job.password);
    env(job.env);
    repository(job.repository);
    for (const database of job.databases) password(database.password);
    for (const target of job.copyTo) {
      password(target.password);
      env(target.env);
      repository(target.repository);
    }
  }
  return [...secrets].filter((secret) => secret.length > 0);
}

/** A password file's first line, as restic reads it; undefined when it cannot be read (the run says why). */
function firstLineOf(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").split(/\r?\n/, 1)[0];
  } catch {
    return undefined;
  }
}

/** The scrubber of one config: over free text (a run's log) and over JSON values (every body, every event). */
export interface Scrubber {
  /** Each secret of `MIN_SECRET_LENGTH` or more, wherever it stands, becomes `***`. */
  text(text: string): string;
  /**
   * The same over every string of a JSON value (keys are names, never secrets, and stay), plus a
   * shorter secret where a string is exactly it: searched for inside text, "demo" would blank out
   * every word that holds it; replaced in the serialized JSON, it could break the JSON itself.
   */
  value(value: unknown): unknown;
}

/**
 * A last line of defence over everything the dashboard sends: each known secret, as written,
 * JSON-escaped and URL-encoded, becomes `***`. The views never put a secret in; this catches the one
 * a run's error message or log might quote.
 */
export function createScrubber(secrets: readonly string[]): Scrubber {
  const short = new Set(secrets.filter((secret) => secret.length > 0 && secret.length < MIN_SECRET_LENGTH));
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  const pattern = ordered.length === 0 ? undefined : new RegExp(ordered.map(escapeRegExp).join("|"), "g");
  const text = (input: string) => (pattern ? input.replace(pattern, REDACTED) : input);
  const value = (input: unknown): unknown => {
    if (typeof input === "string") return short.has(input) ? REDACTED : text(input);
    if (input === null || typeof input !== "object") return input;
    // As JSON.stringify sees it: a Date (or anything with toJSON) by what it turns into.
    const json = (input as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return value(json.call(input));
    if (Array.isArray(input)) return input.map(value);
    return Object.fromEntries(Object.entries(input).map(([key, item]) => [key, value(item)]));
  };
  return { text, value };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where a password comes from, without the password: a file's path or a variable's name is no secret. */
function describePassword(source: PasswordSource | DatabasePassword | undefined): unknown {
  if (source === undefined) return undefined;
  switch (source.kind) {
    case "file":
      return { kind: "file", path: source.path };
    case "env":
      return { kind: "env", variable: source.variable };
    default:
      // A literal is the secret itself; a command's text may carry one (`echo hunter2`).
      return { kind: source.kind, value: REDACTED };
  }
}

function jobView(job: BackupJob): unknown {
  const { password, env, repository, databases, copyTo, notifications, ...rest } = job;
  return {
    ...(redactOptions(rest) as object),
    repository: maskRepository(repository),
    password: describePassword(password),
    env: maskedEnv(env),
    databases: databases.map(({ password: dbPassword, ...db }) => ({
      ...(redactOptions(db) as object),
      password: describePassword(dbPassword),
    })),
    copyTo: copyTo.map(({ password: targetPassword, env: targetEnv, repository: target, ...more }) => ({
      ...(redactOptions(more) as object),
      repository: maskRepository(target),
      password: describePassword(targetPassword),
      env: maskedEnv(targetEnv),
    })),
    // A notifier's URL often carries its secret in the path (chat webhooks, ntfy topics).
    notifications: redactOptions(notifications, "all"),
  };
}

/** Variable names are useful to see; their values are backend credentials. */
function maskedEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((name) => [name, REDACTED]));
}

/** The resolved config as the dashboard shows it: read-only, every secret masked. */
export function configView(config: ResolvedConfig): unknown {
  const { jobs, notifications, ...rest } = config;
  return {
    ...(redactOptions(rest) as object),
    notifications: redactOptions(notifications, "all"),
    jobs: jobs.map(jobView),
  };
}
