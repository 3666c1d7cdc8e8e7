import {
  createNotifierHub,
  type NotifierEntry,
  type NotifierHub,
  type NotifierHubOptions,
} from "../hub/hub.js";
import { createMetricsWriter } from "../metrics/metrics-writer.js";
import { createNotifiersFromConfig, type NotifiersFromConfigOptions } from "./from-config.js";

export interface NotificationsConfig {
  /** The top-level `notifications` list. */
  readonly notifications?: readonly unknown[];
  /** Each job's own `notifications`, added to the top-level ones for that job. */
  readonly jobs?: readonly {
    readonly name: string;
    readonly notifications?: readonly unknown[];
    /** Its `copy_to` targets: the metrics file drops the series of targets no longer listed. */
    readonly copyTo?: readonly { readonly name: string }[];
  }[];
  /** `metrics_file`: a Prometheus textfile rewritten after every run. */
  readonly metricsFile?: string;
}

export interface HubFromConfigOptions
  extends Pick<NotifiersFromConfigOptions, "baseDir" | "file" | "logger" | "importModule">,
    Pick<NotifierHubOptions, "timeoutMs" | "retryDelayMs" | "clock" | "deliveries"> {
  /** Where each job's list sits, for problem paths. @default (index) => `backupjobs[${index}].notifications` */
  readonly jobPath?: (index: number) => string;
}

/**
 * The daemon's and one-shot backup's wiring in one call: the top-level notifiers, each job's
 * additions and the metrics file, in one hub.
 */
export async function createNotifierHubFromConfig(
  config: NotificationsConfig,
  options: HubFromConfigOptions,
): Promise<NotifierHub> {
  const { baseDir, file, logger, importModule } = options;
  const common = { baseDir, file, logger, importModule };
  const notifiers: NotifierEntry[] = await createNotifiersFromConfig(config.notifications, common);
  if (config.metricsFile) {
    // Only jobs that say what their targets are: a caller that leaves copyTo out keeps every series.
    const copyTargets = Object.fromEntries(
      (config.jobs ?? []).flatMap((job) =>
        job.copyTo === undefined ? [] : [[job.name, job.copyTo.map((target) => target.name)]],
      ),
    );
    notifiers.push({ notifier: createMetricsWriter({ file: config.metricsFile, copyTargets }) });
  }
  const jobs: Record<string, NotifierEntry[]> = {};
  for (const [index, job] of (config.jobs ?? []).entries()) {
    if (!job.notifications?.length) continue;
    const path = options.jobPath?.(index) ?? `backupjobs[${index}].notifications`;
    jobs[job.name] = await createNotifiersFromConfig(job.notifications, { ...common, path });
  }
  return createNotifierHub({
    notifiers,
    jobs,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.deliveries ? { deliveries: options.deliveries } : {}),
  });
}
