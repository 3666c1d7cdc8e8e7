import { DEFAULT_NOTIFY_ON, eventKinds, type NotifierEventKind } from "../events.js";
import { formatMessage, type Severity } from "../format/format-message.js";
import { post } from "../http/post.js";
import type { Notifier } from "../notifier.js";
import { redactOptions, redactUrl } from "../secrets/redact.js";

export type NtfyPriority = 1 | 2 | 3 | 4 | 5 | "min" | "low" | "default" | "high" | "max" | "urgent";

export interface NtfyOptions {
  /** The topic URL, e.g. `https://ntfy.sh/my-backups-4f9a`. The topic is as good as a password. */
  readonly url: string;
  /** Priority per event kind; the more specific kind wins ("destination-full" over "failure"). */
  readonly priority?: Partial<Record<NotifierEventKind, NtfyPriority>>;
  /** An access token (`tk_…`) for a protected topic. */
  readonly token?: string;
  /** Extra tags shown with every message. */
  readonly tags?: readonly string[];
  /** @default 10_000 */
  readonly timeoutMs?: number;
  /** @default the failure side, see DEFAULT_NOTIFY_ON */
  readonly on?: readonly NotifierEventKind[];
  /** @default "ntfy <host>" */
  readonly name?: string;
}

const DEFAULT_PRIORITY: Partial<Record<NotifierEventKind, NtfyPriority>> = {
  "destination-full": 5,
  failure: 4,
  "retries-exhausted": 4,
  "config-invalid": 4,
  stale: 4,
  "copy-lagging": 4,
  partial: 3,
  recovered: 3,
  // Retried until it works: worth a look, not a buzz at night.
  "copy-failed": 3,
  success: 2,
  "copy-done": 2,
  start: 2,
  progress: 1,
};

/** Shown as emoji by the ntfy apps. */
const SEVERITY_TAG: Record<Severity, string> = {
  error: "rotating_light",
  warning: "warning",
  success: "white_check_mark",
  info: "information_source",
};

/** Publishes to an ntfy topic: the body as plain text, title, priority and tags as headers. */
export function ntfy(options: NtfyOptions): Notifier {
  const on = options.on ?? DEFAULT_NOTIFY_ON;
  const name = options.name ?? `ntfy ${new URL(options.url).host}`;
  const display = `ntfy ${redactUrl(options.url, { path: true })}`;
  return {
    name,
    on,
    async notify(event, context) {
      const message = formatMessage(event);
      const kinds = eventKinds(event).reverse(); // most specific first
      const priority =
        kinds.map((kind) => options.priority?.[kind]).find((value) => value !== undefined) ??
        kinds.map((kind) => DEFAULT_PRIORITY[kind]).find((value) => value !== undefined) ??
        3;
      await post({
        url: options.url,
        body: message.body,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          title: encodeHeader(message.title),
          priority: String(priority),
          tags: encodeHeader([SEVERITY_TAG[message.severity], ...(options.tags ?? [])].join(",")),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        timeoutMs: options.timeoutMs ?? 10_000,
        signal: context?.signal,
        display,
      });
    },
    toJSON: () => ({
      name,
      type: "ntfy",
      on,
      options: redactOptions(
        { url: options.url, priority: options.priority, token: options.token, tags: options.tags },
        ["url"],
      ) as Record<string, unknown>,
    }),
  };
}

/**
 * Header values must be Latin-1, and job names need not be; ntfy decodes RFC 2047 encoded-words, so
 * non-ASCII text travels as `=?UTF-8?B?…?=`.
 */
export function encodeHeader(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}
