import { DEFAULT_NOTIFY_ON, type NotifiableEvent, type NotifierEventKind } from "../events.js";
import { type FormattedMessage, formatMessage } from "../format/format-message.js";
import type { Notifier } from "../notifier.js";

export interface MemoryNotifierOptions {
  /** @default "memory" */
  readonly name?: string;
  /** @default the failure side, see DEFAULT_NOTIFY_ON */
  readonly on?: readonly NotifierEventKind[];
}

export interface MemoryNotification {
  readonly event: NotifiableEvent;
  readonly message: FormattedMessage;
}

/** The test double: keeps every notification it is given. */
export interface MemoryNotifier extends Notifier {
  readonly notifications: readonly MemoryNotification[];
  /** Event types in the order received, for terse assertions. */
  types(): NotifiableEvent["type"][];
  readonly closed: boolean;
  clear(): void;
}

/**
 * A notifier that records what it is told, formatted as the real ones would show it. Use it in tests
 * of anything that wires a hub: `expect(memory.types()).toEqual(["failure"])`.
 */
export function createMemoryNotifier(options: MemoryNotifierOptions = {}): MemoryNotifier {
  const notifications: MemoryNotification[] = [];
  let closed = false;
  return {
    name: options.name ?? "memory",
    on: options.on ?? DEFAULT_NOTIFY_ON,
    notifications,
    types: () => notifications.map((notification) => notification.event.type),
    get closed() {
      return closed;
    },
    clear() {
      notifications.length = 0;
    },
    notify(event) {
      notifications.push({ event, message: formatMessage(event) });
    },
    close() {
      closed = true;
    },
  };
}
