import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type Clock, SCHEDULER_EVENT_TYPES, type TimerHandle, writeFileAtomic } from "@simplebackup/core";
import type {
  NotifierDelivery,
  NotifierDeliveryLast,
  NotifierDeliveryLog,
  NotifierLogger,
} from "@simplebackup/notifier";

/** In the state folder, beside the jobs' state. */
export const DELIVERIES_FILE = "notifier-deliveries.json";

/** At most one write per this long: a burst of events (every job's copy lagging) is one write. */
const WRITE_INTERVAL_MS = 5_000;

interface DeliveriesFileContent {
  readonly version: 1;
  readonly notifiers: Record<string, NotifierDeliveryLast>;
}

/**
 * Each notifier's last delivery and last error, kept in the state folder.
 *
 * Kept, rather than held in memory only, because the knowledge is worth most exactly when it spans
 * a restart: an ntfy server down for a day, then the daemon restarted (an update, a reboot), and a
 * page that said "never delivered, no error" would hide that nothing has reached the person since
 * yesterday; a notifier that hears only failures may then hear nothing for days. The counts are not
 * kept: they say "since start".
 *
 * What goes in holds no secret: the key is the notifier's scope, type and masked name (see
 * `notifierDeliveryKeys`), the outcomes hold times, event types, job names and the hub's masked error
 * line, and the log masks that line again when it reads the file back.
 */
export class DeliveryFile {
  private file: string | undefined;
  private stopListening: (() => void) | undefined;
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private warned = false;

  constructor(
    private readonly log: NotifierDeliveryLog,
    private readonly options: { readonly clock: Clock; readonly logger: NotifierLogger },
  ) {}

  /** Reads what the folder kept into the log, then writes the log's changes there. */
  async open(stateDir: string): Promise<void> {
    this.file = path.join(stateDir, DELIVERIES_FILE);
    this.log.restore(await this.read(this.file));
    this.stopListening = this.log.onChange(() => this.changed());
  }

  /** Writes what is not written yet and stops listening. */
  async close(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.dirty) this.write();
    await this.writing;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastWriteAt + WRITE_INTERVAL_MS - this.options.clock.now());
    this.timer = this.options.clock.setTimer(() => {
      this.timer = undefined;
      this.write();
    }, wait);
  }

  /** Chained, so two writes of the one file never overlap (writeFileAtomic's temp name is per process). */
  private write(): void {
    const file = this.file;
    if (file === undefined) return;
    this.dirty = false;
    this.lastWriteAt = this.options.clock.now();
    const content: DeliveriesFileContent = { version: 1, notifiers: this.log.lastOutcomes() };
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
      } catch (error) {
        // The page then forgets at the next restart; backups and deliveries go on.
        if (!this.warned) this.options.logger.warn(`cannot keep ${file}: ${(error as Error).message}`);
        this.warned = true;
      }
    });
  }

  /** What the file holds that has the right shape; anything else is left out, never fatal. */
  private async read(file: string): Promise<Record<string, NotifierDeliveryLast>> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      return {}; // the first start, or a state folder made before this file existed
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.options.logger.warn(`${file} is not JSON; the notifiers' last deliveries start afresh`);
      return {};
    }
    const notifiers = (parsed as Partial<DeliveriesFileContent> | null)?.notifiers;
    if (typeof notifiers !== "object" || notifiers === null) return {};
    const out: Record<string, NotifierDeliveryLast> = {};
    for (const [key, value] of Object.entries(notifiers)) {
      const lastDelivery = asDelivery(value?.lastDelivery);
      const lastError = asDelivery(value?.lastError);
      const error = (value?.lastError as { error?: unknown } | undefined)?.error;
      out[key] = {
        ...(lastDelivery ? { lastDelivery } : {}),
        ...(lastError && typeof error === "string" ? { lastError: { ...lastError, error } } : {}),
      };
    }
    return out;
  }
}

const EVENT_TYPES: ReadonlySet<string> = new Set(SCHEDULER_EVENT_TYPES);

function asDelivery(value: unknown): NotifierDelivery | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { at, event, job } = value as Record<string, unknown>;
  if (typeof at !== "string" || Number.isNaN(Date.parse(at))) return undefined;
  if (typeof event !== "string" || !EVENT_TYPES.has(event) || typeof job !== "string") return undefined;
  return { at, event: event as NotifierDelivery["event"], job };
}
