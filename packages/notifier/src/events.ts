import { SCHEDULER_EVENT_TYPES, type SchedulerEvent, type SchedulerEventType } from "@simplebackup/core";

/** Everything a notifier can be told: core's scheduler events, under the name the notifier API uses. */
export type NotifiableEvent = SchedulerEvent;
export type NotifiableEventType = SchedulerEventType;

/**
 * What an `on` filter names: an event type, or "destination-full", a failure whose code is
 * DESTINATION_FULL (so a notifier can page for a full disk without paging for every failure).
 */
export type NotifierEventKind = NotifiableEventType | "destination-full";

export const NOTIFIER_EVENT_KINDS: readonly NotifierEventKind[] = [
  ...SCHEDULER_EVENT_TYPES,
  "destination-full",
];

/**
 * The kinds an event counts as: its type, plus "destination-full" for a full destination. A failure
 * core marks `willRetry` counts as "retry" only: the `retry` event that follows it says the same with
 * the time of the next attempt, and a person told "backup failed" for an attempt that then succeeds
 * has been told something untrue.
 */
export function eventKinds(event: NotifiableEvent): NotifierEventKind[] {
  if (event.type !== "failure") return [event.type];
  if (event.willRetry === true) return ["retry"];
  return event.code === "DESTINATION_FULL" ? ["failure", "destination-full"] : ["failure"];
}

/**
 * The failure side, which is what a person needs to hear about without asking: success only when a
 * notifier asks for it.
 *
 * For `copy_to` targets that is `copy-lagging`, not `copy-failed`. A copy is retried until it works
 * (every retry delay, and at once when a probe finds the target back), so each failed attempt of a
 * target that is down for a day would be a message, and a blip that the next attempt mends would be
 * one too. `copy-lagging` comes once per spell, when the target has lacked a snapshot for its
 * `alert_after`: the copy's counterpart of `stale`. A `skipped` run (its `when` conditions not met)
 * is no failure either: the job's own `stale` speaks if it waits too long.
 */
export const DEFAULT_NOTIFY_ON: readonly NotifierEventKind[] = Object.freeze([
  "failure",
  "destination-full",
  "partial",
  "retries-exhausted",
  "config-invalid",
  "stale",
  "recovered",
  "copy-lagging",
]);

/** Whether a notifier listening for `on` wants this event. */
export function wantsEvent(on: readonly NotifierEventKind[], event: NotifiableEvent): boolean {
  return eventKinds(event).some((kind) => on.includes(kind));
}
