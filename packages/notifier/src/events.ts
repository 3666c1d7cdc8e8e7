import type { RunContext, SchedulerEvent } from "@simplebackup/core";

/**
 * A job has not succeeded for longer than its `alert_after`. Emitted once per stale period by core's
 * staleness timer; `runId` is empty because no run is involved.
 */
export interface StaleEvent extends RunContext {
  readonly type: "stale";
  /** Undefined when the job never succeeded since the state folder knew it. */
  readonly lastSuccessAt: Date | undefined;
  readonly alertAfterMs: number;
}

/** The first success after a stale alert; `runId` is that successful run. */
export interface RecoveredEvent extends RunContext {
  readonly type: "recovered";
  /** When the job became stale (the stale event's `at`). */
  readonly staleSinceAt: Date;
}

/**
 * Everything a notifier can be told. Core's union plus the staleness events, which core will add to
 * its own union; until then they are declared here so notifiers handle them already.
 */
export type NotifiableEvent = SchedulerEvent | StaleEvent | RecoveredEvent;
export type NotifiableEventType = NotifiableEvent["type"];

/**
 * What an `on` filter names: an event type, or "destination-full", a failure whose code is
 * DESTINATION_FULL (so a notifier can page for a full disk without paging for every failure).
 */
export type NotifierEventKind = NotifiableEventType | "destination-full";

const EVENT_TYPE_LIST = [
  "start",
  "progress",
  "repository-initialized",
  "success",
  "partial",
  "failure",
  "retention-done",
  "stale-lock-removed",
  "skipped",
  "scheduled",
  "retry",
  "retries-exhausted",
  "stale",
  "recovered",
  "check-done",
  "drill-done",
  "waiting",
  "config-reloaded",
  "config-invalid",
] as const;

/** The types listed above; test/types.test.ts fails when core emits one that is not among them. */
export type ListedEventType = (typeof EVENT_TYPE_LIST)[number];

/**
 * Every event type, for subscribing to an emitter. A plain list rather than an exhaustive record so
 * that the package builds against a core a step behind or ahead of it: a type core does not emit is
 * never heard, and one this list misses is caught by the type test, not by a broken build.
 */
export const NOTIFIABLE_EVENT_TYPES = Object.freeze(
  EVENT_TYPE_LIST as readonly string[] as readonly NotifiableEventType[],
);

export const NOTIFIER_EVENT_KINDS: readonly NotifierEventKind[] = [
  ...NOTIFIABLE_EVENT_TYPES,
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
  if (optionalField(event, "willRetry", (value): value is boolean => typeof value === "boolean"))
    return ["retry"];
  return event.code === "DESTINATION_FULL" ? ["failure", "destination-full"] : ["failure"];
}

/**
 * The failure side, which is what a person needs to hear about without asking: success only when a
 * notifier asks for it.
 */
export const DEFAULT_NOTIFY_ON: readonly NotifierEventKind[] = Object.freeze([
  "failure",
  "destination-full",
  "partial",
  "retries-exhausted",
  "config-invalid",
  "stale",
  "recovered",
]);

/** Whether a notifier listening for `on` wants this event. */
export function wantsEvent(on: readonly NotifierEventKind[], event: NotifiableEvent): boolean {
  return eventKinds(event).some((kind) => on.includes(kind));
}

/**
 * Fields core may attach to run events that are not in its types yet. Read defensively so the
 * notifier works before and after core sends them.
 */
export function optionalField<T>(event: NotifiableEvent, key: string, is: (value: unknown) => value is T) {
  const value = (event as unknown as Record<string, unknown>)[key];
  return is(value) ? value : undefined;
}
