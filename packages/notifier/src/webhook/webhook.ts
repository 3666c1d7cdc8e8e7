import { DEFAULT_NOTIFY_ON, type NotifierEventKind } from "../events.js";
import { formatMessage } from "../format/format-message.js";
import { post } from "../http/post.js";
import type { Notifier } from "../notifier.js";
import { redactOptions, redactUrl } from "../secrets/redact.js";

export interface WebhookOptions {
  /** Where to POST. Its path and query are treated as secrets (chat webhooks keep their key there). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request. @default 10_000 */
  readonly timeoutMs?: number;
  /** Extra attempts after a network error, a 5xx or a 429. @default 0 */
  readonly retries?: number;
  /** The wait between those attempts. @default 1_000 */
  readonly retryDelayMs?: number;
  /** @default the failure side, see DEFAULT_NOTIFY_ON */
  readonly on?: readonly NotifierEventKind[];
  /** @default "webhook <host>" */
  readonly name?: string;
}

/**
 * POSTs `{ event, notification: { title, body, severity } }` as JSON: the event as core emitted it
 * (dates as ISO strings) and the same text the other notifiers show.
 */
export function webhook(options: WebhookOptions): Notifier {
  const display = `webhook ${redactUrl(options.url, { path: true })}`;
  const on = options.on ?? DEFAULT_NOTIFY_ON;
  const name = options.name ?? `webhook ${new URL(options.url).host}`;
  return {
    name,
    on,
    async notify(event, context) {
      await post({
        url: options.url,
        body: JSON.stringify({ event, notification: formatMessage(event) }),
        headers: { "content-type": "application/json", ...options.headers },
        timeoutMs: options.timeoutMs ?? 10_000,
        retries: options.retries ?? 0,
        retryDelayMs: options.retryDelayMs ?? 1_000,
        signal: context?.signal,
        display,
      });
    },
    toJSON: () => ({
      name,
      type: "webhook",
      on,
      options: redactOptions(
        {
          url: options.url,
          headers: options.headers,
          timeoutMs: options.timeoutMs,
          retries: options.retries,
        },
        ["url"],
      ) as Record<string, unknown>,
    }),
  };
}
