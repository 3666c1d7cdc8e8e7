import { type ResolvedConfig, usesNotifications } from "@simplebackup/core";
import type { NotifierHub } from "@simplebackup/notifier";
import { importModule } from "./module-import.js";

// The notifier package is loaded only for a config that has notifications: other users never load it.

/** The config's notifier options, checked as part of the config (a ConfigError, exit 2). */
export async function checkNotifications(config: ResolvedConfig): Promise<void> {
  if (!usesNotifications(config)) return;
  const { checkConfigNotifications } = await import("@simplebackup/notifier");
  await checkConfigNotifications(config, importModule ? { importModule } : {});
}

/** The notifiers of a config as one hub, telling their trouble on stderr; undefined when it has none. */
export async function createConfigNotifierHub(config: ResolvedConfig): Promise<NotifierHub | undefined> {
  if (!usesNotifications(config)) return undefined;
  const { createConfigNotifierHub: create } = await import("@simplebackup/notifier");
  return create(config, { logger: stderrLogger, ...(importModule ? { importModule } : {}) });
}

/** Notifier trouble on stderr, so stdout stays the command's output (JSON with --json). */
export const stderrLogger = {
  warn: (message: string) => console.error(`notifier: ${message}`),
  error: (message: string) => console.error(`notifier: ${message}`),
};
