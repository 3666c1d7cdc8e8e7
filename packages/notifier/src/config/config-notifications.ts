import { ConfigError, type ConfigProblem, type ResolvedConfig, usesNotifications } from "@simplebackup/core";
import type { NotifierDeliveryLog } from "../hub/deliveries.js";
import type { NotifierHub } from "../hub/hub.js";
import type { NotifierLogger } from "../notifier.js";
import { validateNotifierEntries } from "./entries.js";
import { checkNotifierPlugins, type NotifiersFromConfigOptions } from "./from-config.js";
import { createNotifierHubFromConfig } from "./hub-from-config.js";

export interface ConfigNotificationsOptions {
  /** How to import a plugin module by URL. @default import() */
  readonly importModule?: NotifiersFromConfigOptions["importModule"];
}

/**
 * The notifier options of a loaded config, checked as part of the config: core checks the outer
 * shape, this each notifier's own options and each plugin's schema. Throws a ConfigError naming every
 * problem by its place (`backupjobs[0] ("Photos").notifications[1].url`).
 */
export async function checkConfigNotifications(
  config: ResolvedConfig,
  options: ConfigNotificationsOptions = {},
): Promise<void> {
  if (!usesNotifications(config)) return;
  const lists = [
    { entries: config.notifications, path: "notifications" },
    ...config.jobs.map((job, index) => ({ entries: job.notifications, path: jobPath(job.name, index) })),
  ];
  const problems: ConfigProblem[] = [];
  for (const { entries, path } of lists) {
    if (entries.length === 0) continue;
    const found = validateNotifierEntries(entries, { path });
    problems.push(...found);
    if (found.length > 0) continue;
    const { importModule } = options;
    problems.push(
      ...(await checkNotifierPlugins(entries, {
        baseDir: config.baseDir,
        path,
        ...(importModule ? { importModule } : {}),
      })),
    );
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", config.file, problems);
}

export interface ConfigNotifierHubOptions extends ConfigNotificationsOptions {
  /** Where a notifier's trouble is told (a failed delivery never fails a backup). */
  readonly logger: NotifierLogger;
  /** Where each notifier's last delivery and error are kept. @default a log of the hub's own */
  readonly deliveries?: NotifierDeliveryLog;
}

/** Every notifier of a loaded config (and its metrics file) as one hub; undefined when it has none. */
export async function createConfigNotifierHub(
  config: ResolvedConfig,
  options: ConfigNotifierHubOptions,
): Promise<NotifierHub | undefined> {
  if (!usesNotifications(config)) return undefined;
  const { importModule, logger, deliveries } = options;
  return createNotifierHubFromConfig(
    { notifications: config.notifications, jobs: config.jobs, metricsFile: config.metricsFile },
    {
      baseDir: config.baseDir,
      logger,
      jobPath: (index) => jobPath(config.jobs[index]?.name ?? "", index),
      ...(importModule ? { importModule } : {}),
      ...(deliveries ? { deliveries } : {}),
      ...(config.file ? { file: config.file } : {}),
    },
  );
}

function jobPath(name: string, index: number): string {
  return `backupjobs[${index}] (${JSON.stringify(name)}).notifications`;
}
