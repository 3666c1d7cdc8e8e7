// The public API of @simplebackup/notifier. The desktop notifier has its own entry,
// `@simplebackup/notifier/desktop`, so that node-notifier is loaded only by those who use it.

export type { CommandOptions } from "./command/command.js";
export { command } from "./command/command.js";
export { commandOptionsSchema } from "./command/schema.js";
export type { ConfigNotificationsOptions, ConfigNotifierHubOptions } from "./config/config-notifications.js";
export { checkConfigNotifications, createConfigNotifierHub } from "./config/config-notifications.js";
export type { NotifierConfigProblem, ValidateEntriesOptions } from "./config/entries.js";
export { pluginEntrySchema, validateNotifierEntries } from "./config/entries.js";
export type { NotifierPluginModule, NotifiersFromConfigOptions } from "./config/from-config.js";
export { checkNotifierPlugins, createNotifiersFromConfig } from "./config/from-config.js";
export type { HubFromConfigOptions, NotificationsConfig } from "./config/hub-from-config.js";
export { createNotifierHubFromConfig } from "./config/hub-from-config.js";
export type { BuiltinNotifier, BuiltinNotifierType } from "./config/registry.js";
export { BUILTIN_NOTIFIER_TYPES, BUILTIN_NOTIFIERS } from "./config/registry.js";
export { desktopOptionsSchema } from "./desktop/schema.js";
export type { NotifiableEvent, NotifiableEventType, NotifierEventKind } from "./events.js";
export {
  DEFAULT_NOTIFY_ON,
  eventKinds,
  NOTIFIER_EVENT_KINDS,
  wantsEvent,
} from "./events.js";
export type { FormattedMessage, Severity } from "./format/format-message.js";
export { formatMessage } from "./format/format-message.js";
export type { HealthchecksOptions } from "./healthchecks/healthchecks.js";
export { HEALTHCHECKS_DEFAULT_ON, healthchecks } from "./healthchecks/healthchecks.js";
export { healthchecksOptionsSchema } from "./healthchecks/schema.js";
export { HttpStatusError } from "./http/post.js";
export type {
  NotifierDelivery,
  NotifierDeliveryFailure,
  NotifierDeliveryLast,
  NotifierDeliveryLog,
  NotifierDeliveryLogOptions,
  NotifierDeliveryRecord,
} from "./hub/deliveries.js";
export { createNotifierDeliveryLog } from "./hub/deliveries.js";
export { safeDeliveryError } from "./hub/describe-error.js";
export type {
  NotifierEntry,
  NotifierEventSource,
  NotifierHub,
  NotifierHubEntryDescription,
  NotifierHubOptions,
  NotifierInput,
} from "./hub/hub.js";
export { createNotifierHub } from "./hub/hub.js";
export type { MemoryNotification, MemoryNotifier, MemoryNotifierOptions } from "./memory/memory-notifier.js";
export { createMemoryNotifier } from "./memory/memory-notifier.js";
export type { CopyMetrics, JobMetrics } from "./metrics/exposition.js";
export { parseMetrics, renderMetrics } from "./metrics/exposition.js";
export type { MetricsWriter, MetricsWriterOptions } from "./metrics/metrics-writer.js";
export { createMetricsWriter } from "./metrics/metrics-writer.js";
export type {
  Notifier,
  NotifierDefinition,
  NotifierDescription,
  NotifierFactory,
  NotifierLogger,
  NotifyContext,
} from "./notifier.js";
export { defineNotifier, isNotifier, PermanentNotifierError, resolveNotifier } from "./notifier.js";
export type { NtfyOptions, NtfyPriority } from "./ntfy/ntfy.js";
export { ntfy } from "./ntfy/ntfy.js";
export { ntfyOptionsSchema } from "./ntfy/schema.js";
export type { RedactUrlOptions } from "./secrets/redact.js";
export {
  describeNotifier,
  MIN_SECRET_LENGTH,
  REDACTED,
  redactOptions,
  redactText,
  redactUrl,
  redactUrlsInText,
  secretValuesOf,
} from "./secrets/redact.js";
export { webhookOptionsSchema } from "./webhook/schema.js";
export type { WebhookOptions } from "./webhook/webhook.js";
export { webhook } from "./webhook/webhook.js";
