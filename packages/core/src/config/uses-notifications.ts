import type { ResolvedConfig } from "./types.js";

/**
 * Whether a config has anything to notify: notifiers at the top or in a job, or a metrics file. Asked
 * before loading the notifier package, so a config without notifications never loads it.
 */
export function usesNotifications(config: ResolvedConfig): boolean {
  return (
    config.notifications.length > 0 ||
    config.metricsFile !== undefined ||
    config.jobs.some((job) => job.notifications.length > 0)
  );
}
