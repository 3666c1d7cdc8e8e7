import type { NotifiableEvent, NotifierEventKind } from "../events.js";
import { formatMessage } from "../format/format-message.js";
import { post } from "../http/post.js";
import type { Notifier } from "../notifier.js";
import { redactOptions, redactUrl } from "../secrets/redact.js";

export interface HealthchecksOptions {
  /** The check's ping URL, e.g. `https://hc-ping.com/<uuid>`; `/start` and `/fail` are added to it. */
  readonly url: string;
  /** @default ["start", "success", "partial", "failure"]: what a check needs to time runs and see failures */
  readonly on?: readonly NotifierEventKind[];
  /** @default 10_000 */
  readonly timeoutMs?: number;
  /** @default "healthchecks <host>" */
  readonly name?: string;
}

export const HEALTHCHECKS_DEFAULT_ON: readonly NotifierEventKind[] = Object.freeze([
  "start",
  "success",
  "partial",
  "failure",
]);

/** healthchecks.io accepts at most 100 kB of body; the end of a log says the most. */
const MAX_BODY_BYTES = 100_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * healthchecks.io-style pings: `/start` when a run starts, the URL itself on success, `/fail` on a
 * failure or a partial backup, `/log` for any other kind asked for in `on`. The body is the run's log
 * tail when the event carries one, else the message.
 *
 * A check is about the job's backups, so a failed copy to a `copy_to` target is never a `/fail`: the
 * backup it follows succeeded (and pinged so), and a check marked down by a retried copy would say
 * the backup is broken when it is not. Asked for, copy events go to `/log`; watch a target with its
 * own `alert_after` (the `copy-lagging` event) instead. Nor is a run skipped for its `when`.
 */
export function healthchecks(options: HealthchecksOptions): Notifier {
  const on = options.on ?? HEALTHCHECKS_DEFAULT_ON;
  const name = options.name ?? `healthchecks ${new URL(options.url).host}`;
  const display = `healthchecks ${redactUrl(options.url, { path: true })}`;
  return {
    name,
    on,
    async notify(event, context) {
      await post({
        url: pingUrl(options.url, event),
        body: pingBody(event),
        headers: { "content-type": "text/plain; charset=utf-8" },
        timeoutMs: options.timeoutMs ?? 10_000,
        signal: context?.signal,
        display,
      });
    },
    toJSON: () => ({
      name,
      type: "healthchecks",
      on,
      options: redactOptions({ url: options.url }, ["url"]) as Record<string, unknown>,
    }),
  };
}

export function pingUrl(base: string, event: NotifiableEvent): string {
  const url = new URL(base);
  const suffix =
    event.type === "start"
      ? "/start"
      : event.type === "success"
        ? ""
        : event.type === "failure" || event.type === "partial"
          ? "/fail"
          : "/log";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${suffix}`;
  // The run id lets healthchecks pair a start with its end and measure the run's duration.
  if (UUID.test(event.runId)) url.searchParams.set("rid", event.runId);
  return url.toString();
}

function pingBody(event: NotifiableEvent): string {
  const { title, body } = formatMessage(event);
  const text = `${title}\n${body}`;
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= MAX_BODY_BYTES
    ? text
    : bytes.subarray(bytes.length - MAX_BODY_BYTES).toString("utf8");
}
