import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "@simplebackup/core";
import type * as z from "zod";
import type { NotifierEventKind } from "../events.js";
import type { NotifierEntry } from "../hub/hub.js";
import { type Notifier, type NotifierDefinition, type NotifierLogger, resolveNotifier } from "../notifier.js";
import { redactOptions, redactText } from "../secrets/redact.js";
import {
  type NotifierConfigProblem,
  pluginEntrySchema,
  toProblems,
  validateNotifierEntries,
} from "./entries.js";
import { BUILTIN_NOTIFIERS, type BuiltinNotifierType } from "./registry.js";

export interface NotifiersFromConfigOptions {
  /** The config file's folder: plugin paths, command `cwd` and desktop `icon` are relative to it. */
  readonly baseDir: string;
  /** Where the list sits in the config file, for problem paths. @default "notifications" */
  readonly path?: string;
  /** The config file, named in the error. */
  readonly file?: string;
  /** Told which notifiers were built. */
  readonly logger?: NotifierLogger;
  /**
   * Imports a plugin module by URL. Code that runs inside a `vm.Script` (the bundled CLI, for its
   * code cache) has no `import()` of its own and passes its launcher's. @default (url) => import(url)
   */
  readonly importModule?: (url: string) => Promise<unknown>;
}

/** What a plugin module exports. */
export interface NotifierPluginModule {
  readonly default: NotifierDefinition<unknown>;
  /** Checks (and may transform) the entry's `options` before the factory gets them. */
  readonly optionsSchema?: z.ZodType;
}

type PluginEntry = z.output<typeof pluginEntrySchema>;

/**
 * Builds the notifiers of a config's notifications list, ready for `createNotifierHub`. Plugin
 * modules are imported and their options checked against their `optionsSchema`.
 *
 * @throws ConfigError (CONFIG_INVALID) listing every problem, such as `notifications[1].url: expected an http(s) URL, got "x"`
 */
export async function createNotifiersFromConfig(
  entries: readonly unknown[] | undefined,
  options: NotifiersFromConfigOptions,
): Promise<NotifierEntry[]> {
  const base = options.path ?? "notifications";
  const problems = validateNotifierEntries(entries, { path: base });
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", options.file, problems);
  const built: NotifierEntry[] = [];
  for (const [index, entry] of (entries ?? []).entries()) {
    const at = `${base}[${index}]`;
    const record = entry as Record<string, unknown>;
    try {
      built.push(
        "module" in record ? await buildPlugin(record, at, options) : await buildBuiltin(record, options),
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", options.file, problems);
  for (const { notifier } of built) options.logger?.debug?.(`notifications: ${redactText(notifier.name)}`);
  return built;
}

/**
 * Loads every plugin module of the list and checks its options, building nothing: what
 * `simplebackup validate` runs after `validateNotifierEntries`.
 */
export async function checkNotifierPlugins(
  entries: readonly unknown[] | undefined,
  options: Omit<NotifiersFromConfigOptions, "logger" | "file">,
): Promise<NotifierConfigProblem[]> {
  const base = options.path ?? "notifications";
  const problems: NotifierConfigProblem[] = [];
  for (const [index, entry] of (entries ?? []).entries()) {
    const parsed = pluginEntrySchema.safeParse(entry);
    if (!parsed.success) continue; // not a plugin, or validateNotifierEntries reports it
    const at = `${base}[${index}]`;
    const loaded = await loadPlugin(parsed.data, at, options).catch((error: unknown) => {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
      return undefined;
    });
    if (loaded) problems.push(...loaded.problems);
  }
  return problems;
}

async function buildBuiltin(record: Record<string, unknown>, options: NotifiersFromConfigOptions) {
  const { type, jobs, ...rest } = record;
  const builtin = BUILTIN_NOTIFIERS[type as BuiltinNotifierType];
  // Validated already; parse again for the output form (durations in ms, defaults applied).
  const parsed = builtin.schema.parse(rest) as Record<string, unknown>;
  for (const key of builtin.pathKeys) {
    const value = parsed[key];
    if (typeof value === "string") parsed[key] = resolve(options.baseDir, value);
  }
  // A relative program runs from the config file's folder, as the docs promise.
  if (type === "command" && parsed.cwd === undefined) parsed.cwd = options.baseDir;
  const notifier = await (builtin.create as (options: unknown) => Notifier | Promise<Notifier>)(parsed);
  return { notifier, ...(Array.isArray(jobs) ? { jobs: jobs as string[] } : {}) };
}

async function buildPlugin(
  record: Record<string, unknown>,
  at: string,
  options: NotifiersFromConfigOptions,
): Promise<NotifierEntry> {
  const entry = pluginEntrySchema.parse(record);
  const { module, problems, pluginOptions } = await loadPlugin(entry, at, options);
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", undefined, problems);
  let notifier: Notifier;
  try {
    notifier = await resolveNotifier(module.default, pluginOptions);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError("CONFIG_INVALID", undefined, [
      { path: `${at}.module`, message: `the plugin failed to start: ${redactText(message)}` },
    ]);
  }
  return {
    notifier: describedPlugin(notifier, entry),
    ...(entry.on ? { on: entry.on as NotifierEventKind[] } : {}),
    ...(entry.jobs ? { jobs: entry.jobs } : {}),
  };
}

async function loadPlugin(
  entry: PluginEntry,
  at: string,
  {
    baseDir,
    importModule = (url) => import(url),
  }: Pick<NotifiersFromConfigOptions, "baseDir" | "importModule">,
) {
  let module: NotifierPluginModule;
  try {
    module = (await importModule(moduleUrl(entry.module, baseDir))) as NotifierPluginModule;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError("CONFIG_INVALID", undefined, [
      { path: `${at}.module`, message: `cannot load ${JSON.stringify(entry.module)}: ${message}` },
    ]);
  }
  const definition = module.default;
  if (typeof definition !== "function" && (typeof definition !== "object" || definition === null)) {
    throw new ConfigError("CONFIG_INVALID", undefined, [
      {
        path: `${at}.module`,
        message: `${JSON.stringify(entry.module)} has no default export; export default defineNotifier(…)`,
      },
    ]);
  }
  const raw = entry.options ?? {};
  if (!module.optionsSchema) return { module, problems: [], pluginOptions: raw as unknown };
  const result = module.optionsSchema.safeParse(raw);
  return {
    module,
    problems: toProblems(result, `${at}.options`),
    pluginOptions: result.success ? (result.data as unknown) : raw,
  };
}

/** A path (relative to the config file's folder) or a package name, as an import specifier. */
function moduleUrl(specifier: string, baseDir: string): string {
  if (specifier.startsWith(".") || isAbsolute(specifier)) {
    return pathToFileURL(resolve(baseDir, specifier)).href;
  }
  // A package is looked up from the config file's folder, as Node would from a script there.
  try {
    return pathToFileURL(createRequire(join(baseDir, "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier; // an ESM-only package (no "require" export): let import() find it
  }
}

/** Gives a plugin the name the entry chose and a description that shows its options masked. */
function describedPlugin(notifier: Notifier, entry: PluginEntry): Notifier {
  const name = entry.name ?? notifier.name;
  const on = (entry.on as NotifierEventKind[] | undefined) ?? notifier.on;
  return {
    name,
    ...(on ? { on } : {}),
    notify: (event, context) => notifier.notify(event, context),
    ...(notifier.close ? { close: () => notifier.close?.() } : {}),
    toJSON: () => ({
      ...(notifier.toJSON?.() ?? {}),
      name,
      type: entry.module,
      // Any URL among a plugin's options may be a chat webhook with its key in the path.
      ...(entry.options ? { options: redactOptions(entry.options, "all") as Record<string, unknown> } : {}),
    }),
  };
}
