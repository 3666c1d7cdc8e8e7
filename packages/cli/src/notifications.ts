import { ConfigError, type ResolvedConfig } from "@simplebackup/core";
import type { NotifierHub } from "@simplebackup/notifier";
import { importModule } from "./module-import.js";

function hasNotifications(config: ResolvedConfig): boolean {
  return (
    config.notifications.length > 0 ||
    config.metricsFile !== undefined ||
    config.jobs.some((job) => job.notifications.length > 0)
  );
}

/**
 * The notifier options, checked with the rest of the config: core checks the outer shape, the
 * notifier package each notifier's own options (and a plugin's schema). Loaded only when the config
 * has notifiers, so other users never load the notifier package.
 */
export async function checkNotifications(config: ResolvedConfig): Promise<void> {
  if (!hasNotifications(config)) return;
  const { validateNotifierEntries, checkNotifierPlugins } = await import("@simplebackup/notifier");
  const lists = [
    { entries: config.notifications, path: "notifications" },
    ...config.jobs.map((job, index) => ({
      entries: job.notifications,
      path: `backupjobs[${index}] (${JSON.stringify(job.name)}).notifications`,
    })),
  ];
  const problems = [];
  for (const { entries, path } of lists) {
    if (entries.length === 0) continue;
    const found = validateNotifierEntries(entries, { path });
    problems.push(...found);
    if (found.length === 0)
      problems.push(
        ...(await checkNotifierPlugins(entries, { baseDir: config.baseDir, path, importModule })),
      );
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", config.file, problems);
}

/** The notifiers of a config as one hub; undefined when it has none. */
export async function createConfigNotifierHub(config: ResolvedConfig): Promise<NotifierHub | undefined> {
  if (!hasNotifications(config)) return undefined;
  const { createNotifierHubFromConfig } = await import("@simplebackup/notifier");
  return createNotifierHubFromConfig(
    { notifications: config.notifications, jobs: config.jobs, metricsFile: config.metricsFile },
    {
      baseDir: config.baseDir,
      importModule,
      ...(config.file ? { file: config.file } : {}),
      logger: {
        warn: (message) => console.error(`notifier: ${message}`),
        error: (message) => console.error(`notifier: ${message}`),
      },
    },
  );
}
