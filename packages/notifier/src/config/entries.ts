import { describeValue, expected } from "@simplebackup/core";
import * as z from "zod";
import { BUILTIN_NOTIFIER_TYPES, BUILTIN_NOTIFIERS, isBuiltinType } from "./registry.js";
import { displayName, onFilter } from "./zod-helpers.js";

/** One problem in a notifications list, named by its place: `notifications[1].url`. */
export interface NotifierConfigProblem {
  readonly path: string;
  readonly message: string;
}

export interface ValidateEntriesOptions {
  /** Where the list sits in the config file. @default "notifications" */
  readonly path?: string;
}

const jobsFilter = z
  .array(
    z.string(expected("a job name")).min(1, expected("a non-empty job name")),
    expected("an array of job names"),
  )
  .optional()
  .describe("Only these jobs' events reach the notifier. Default: every job.");

/** A plugin entry: `{ "module": "./my-notifier.mjs", "options": { … } }`. */
export const pluginEntrySchema = z.strictObject(
  {
    module: z
      .string(expected("a module path or package name"))
      .min(1, expected("a non-empty module path or package name"))
      .describe("A file relative to the config file's folder, or a package name."),
    options: z
      .record(z.string(), z.unknown(), expected("an object of the plugin's options"))
      .optional()
      .describe("Handed to the plugin's factory, after its optionsSchema (if it exports one) checked them."),
    on: onFilter(),
    jobs: jobsFilter,
    name: displayName(),
  },
  expected("an object with module and optional options, on, jobs, name"),
);

/**
 * Checks a notifications list as the config file holds it: built-in entries completely, plugin
 * entries' shape (their options need the module loaded: see `checkNotifierPlugins`). Returns every
 * problem, in file order; an empty list means valid.
 */
export function validateNotifierEntries(
  entries: unknown,
  options: ValidateEntriesOptions = {},
): NotifierConfigProblem[] {
  const base = options.path ?? "notifications";
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) {
    return [{ path: base, message: `expected an array of notifiers, got ${describeValue(entries)}` }];
  }
  return entries.flatMap((entry, index) => validateEntry(entry, `${base}[${index}]`));
}

function validateEntry(entry: unknown, at: string): NotifierConfigProblem[] {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return [{ path: at, message: `expected an object with "type" or "module", got ${describeValue(entry)}` }];
  }
  const record = entry as Record<string, unknown>;
  const types = `one of ${BUILTIN_NOTIFIER_TYPES.map((type) => JSON.stringify(type)).join(", ")}`;
  if ("type" in record && "module" in record) {
    return [{ path: at, message: 'set either "type" (a built-in) or "module" (a plugin), not both' }];
  }
  if ("module" in record) {
    return toProblems(pluginEntrySchema.safeParse(record), at, Object.keys(pluginEntrySchema.shape));
  }
  if (!("type" in record)) {
    return [{ path: at, message: `missing "type" (${types}) or "module" (a plugin)` }];
  }
  const { type, jobs, ...rest } = record;
  if (!isBuiltinType(type)) {
    return [{ path: `${at}.type`, message: `expected ${types}, got ${describeValue(type)}` }];
  }
  const schema: z.ZodType = BUILTIN_NOTIFIERS[type].schema;
  const known = ["type", ...objectKeys(schema), "jobs"];
  return [
    ...toProblems(jobsFilter.safeParse(jobs), `${at}.jobs`),
    ...toProblems(schema.safeParse(rest), at, known),
  ];
}

/** The keys of an object schema, also behind the `.transform()` the built-ins' schemas end with. */
function objectKeys(schema: z.ZodType): string[] {
  const inner = schema instanceof z.ZodPipe ? schema.in : schema;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

export function toProblems(
  result: { success: true } | { success: false; error: z.ZodError },
  at: string,
  knownKeys: readonly string[] = [],
): NotifierConfigProblem[] {
  if (result.success) return [];
  const known = knownKeys.length > 0 ? `; expected one of ${knownKeys.join(", ")}` : "";
  return result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // Only the entry's own keys are listed; a nested object's would be the wrong list.
      const message = issue.path.length === 0 ? `unknown key${known}` : "unknown key";
      return issue.keys.map((key) => ({ path: formatPath(at, [...issue.path, key]), message }));
    }
    return [{ path: formatPath(at, issue.path), message: issue.message }];
  });
}

/** `notifications[1]` + `["headers", "X-Token"]` → `notifications[1].headers.X-Token`. */
export function formatPath(at: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : `${text}.${String(segment)}`),
    at,
  );
}
