import type { ResolvedConfig } from "@simplebackup/core";
import {
  checkConfigNotifications,
  createConfigNotifierHub,
  type NotifierDeliveryLog,
  type NotifierEventSource,
  type NotifierHub,
  type NotifierHubEntryDescription,
  type NotifierLogger,
} from "@simplebackup/notifier";

export interface ConfigNotifiersOptions {
  readonly logger: NotifierLogger;
  readonly importModule: ((url: string) => Promise<unknown>) | undefined;
  /** How long closing a replaced hub may take to deliver what it still holds. */
  readonly closeTimeoutMs: number;
  /** One log for every hub, so a reload keeps each notifier's last delivery and error. */
  readonly deliveries: NotifierDeliveryLog;
}

/**
 * The notifiers a config names, kept in step with it: each config the scheduler accepts is checked
 * (a broken notifier option rejects the config, as a broken schedule would) and gets a new hub; the
 * previous hub then delivers what it still holds and closes. Events go to one hub at a time.
 */
export class ConfigNotifiers {
  private hub: NotifierHub | undefined;
  private detach: (() => void) | undefined;

  constructor(
    private readonly source: NotifierEventSource,
    private readonly options: ConfigNotifiersOptions,
  ) {}

  /** Checks the config's notifiers and switches to them; a ConfigError leaves the current ones. */
  async accept(config: ResolvedConfig): Promise<void> {
    const { importModule, logger, deliveries } = this.options;
    const imports = importModule ? { importModule } : {};
    await checkConfigNotifications(config, imports);
    const next = await createConfigNotifierHub(config, { logger, deliveries, ...imports });
    const previous = this.hub;
    this.detach?.();
    this.hub = next;
    this.detach = next?.attach(this.source);
    await previous?.close({ timeoutMs: this.options.closeTimeoutMs });
  }

  /** The notifiers now in use, secrets masked. */
  describe(): NotifierHubEntryDescription[] {
    return this.hub?.describe() ?? [];
  }

  /** Delivers what is queued (up to `timeoutMs`) and closes every notifier. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.detach?.();
    this.detach = undefined;
    const hub = this.hub;
    this.hub = undefined;
    await hub?.close(options);
  }
}
