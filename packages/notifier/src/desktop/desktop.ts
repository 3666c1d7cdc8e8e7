import { createRequire } from "node:module";
import type { NodeNotifier } from "node-notifier";
import { DEFAULT_NOTIFY_ON, type NotifierEventKind } from "../events.js";
import { formatMessage } from "../format/format-message.js";
import { type Notifier, PermanentNotifierError } from "../notifier.js";
import { redactOptions } from "../secrets/redact.js";

export interface DesktopOptions {
  /** Play the system's notification sound (macOS, Windows). @default false */
  readonly sound?: boolean;
  /** Absolute path of an image shown with the notification. */
  readonly icon?: string;
  /** @default the failure side, see DEFAULT_NOTIFY_ON */
  readonly on?: readonly NotifierEventKind[];
  /** @default "desktop" */
  readonly name?: string;
}

const USES_NOTIFY_SEND = ["linux", "freebsd", "openbsd", "netbsd"].includes(process.platform);

/**
 * node-notifier, loaded at the first notification. It is CommonJS, so require() loads it, also from
 * the CLI's bundle, which runs in a vm.Script without import() of its own (and keeps node-notifier
 * outside, next to its binaries). require() remembers a module it loaded, and retries one it could
 * not (installed later). It is an optional peer dependency (5.6 MB, mostly macOS and Windows helper
 * binaries), so a missing one is the user's to install: the error says how.
 */
function loadNodeNotifier(): NodeNotifier {
  try {
    return createRequire(import.meta.url)("node-notifier") as NodeNotifier;
  } catch (error) {
    // No cause: the hub prints causes too, and Node's "Require stack" lists this machine's paths.
    if (isMissingNodeNotifier(error)) {
      throw new PermanentNotifierError(
        "the desktop notifier needs the node-notifier package, which is not installed: run `npm install -g node-notifier` next to a global simplebackup, or `npm install node-notifier` in your project",
      );
    }
    throw new Error(`node-notifier could not be loaded: ${String(error)}`, { cause: error });
  }
}

/** node-notifier itself is absent (not one of its own dependencies). */
function isMissingNodeNotifier(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" &&
    error.message.includes("'node-notifier'")
  );
}

/**
 * A desktop notification through node-notifier: Notification Center on macOS, a toast on Windows,
 * notify-send on Linux. node-notifier is imported at the first notification, so a daemon that never
 * shows one never loads it.
 */
export function desktop(options: DesktopOptions = {}): Notifier {
  const on = options.on ?? DEFAULT_NOTIFY_ON;
  const name = options.name ?? "desktop";
  return {
    name,
    on,
    async notify(event) {
      const notifier = loadNodeNotifier();
      const { title, body, severity } = formatMessage(event);
      await new Promise<void>((resolve, reject) => {
        notifier.notify(
          {
            title,
            message: body || title,
            sound: options.sound ?? false,
            ...(options.icon ? { icon: options.icon } : {}),
            wait: false,
            // A failure stays on a Linux desktop until dismissed instead of fading after 10 s.
            ...(USES_NOTIFY_SEND ? { urgency: severity === "error" ? "critical" : "normal" } : {}),
          },
          // notify-send reports success as an empty stderr string in the error position.
          (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
        );
      });
    },
    toJSON: () => ({
      name,
      type: "desktop",
      on,
      options: redactOptions({ sound: options.sound, icon: options.icon }) as Record<string, unknown>,
    }),
  };
}
