import type * as z from "zod";
import { command } from "../command/command.js";
import { commandOptionsSchema } from "../command/schema.js";
import { desktopOptionsSchema } from "../desktop/schema.js";
import { healthchecks } from "../healthchecks/healthchecks.js";
import { healthchecksOptionsSchema } from "../healthchecks/schema.js";
import type { Notifier } from "../notifier.js";
import { ntfy } from "../ntfy/ntfy.js";
import { ntfyOptionsSchema } from "../ntfy/schema.js";
import { webhookOptionsSchema } from "../webhook/schema.js";
import { webhook } from "../webhook/webhook.js";

export interface BuiltinNotifier<Schema extends z.ZodType> {
  /** Parses the entry as a config file writes it (without `type` and `jobs`) into the factory's options. */
  readonly schema: Schema;
  /** Option keys holding paths, resolved against the config file's folder. */
  readonly pathKeys: readonly string[];
  readonly create: (options: z.output<Schema>) => Notifier | Promise<Notifier>;
}

function builtin<Schema extends z.ZodType>(definition: BuiltinNotifier<Schema>): BuiltinNotifier<Schema> {
  return definition;
}

/** The built-ins by the `type` a config entry names. */
export const BUILTIN_NOTIFIERS = {
  desktop: builtin({
    schema: desktopOptionsSchema,
    pathKeys: ["icon"],
    // Imported on use: the registry must not pull the desktop notifier into every daemon.
    create: async (options) => (await import("../desktop/desktop.js")).desktop(options),
  }),
  webhook: builtin({ schema: webhookOptionsSchema, pathKeys: [], create: webhook }),
  ntfy: builtin({ schema: ntfyOptionsSchema, pathKeys: [], create: ntfy }),
  healthchecks: builtin({ schema: healthchecksOptionsSchema, pathKeys: [], create: healthchecks }),
  command: builtin({ schema: commandOptionsSchema, pathKeys: ["cwd"], create: command }),
};

export type BuiltinNotifierType = keyof typeof BUILTIN_NOTIFIERS;

export const BUILTIN_NOTIFIER_TYPES = Object.keys(BUILTIN_NOTIFIERS) as BuiltinNotifierType[];

export function isBuiltinType(type: unknown): type is BuiltinNotifierType {
  return typeof type === "string" && Object.hasOwn(BUILTIN_NOTIFIERS, type);
}
