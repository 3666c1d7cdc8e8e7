import { SCHEDULER_EVENT_TYPES } from "../../../core/src/events";

/**
 * The daemon's events over Server-Sent Events, one stream shared by every page. EventSource retries a
 * dropped connection by itself, but gives up for good when the server answers with an error (a 401
 * after the daemon restarted, a 503): then this opens a new one, waiting longer each time, so the page
 * comes back by itself when the daemon does.
 */

export interface LiveEvent {
  readonly type: string;
  readonly job?: string;
  readonly runId?: string;
  readonly [field: string]: unknown;
}

export type LiveState = "connecting" | "live" | "reconnecting";

type EventListener = (event: LiveEvent) => void;
type StateListener = (state: LiveState) => void;

// The stream's event names: each of the daemon's event types is sent as `event: <type>`. Core's own
// list (events.ts imports nothing at run time), so an event type added there is heard here too.
const EVENT_TYPES: readonly string[] = SCHEDULER_EVENT_TYPES;

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

const eventListeners = new Set<EventListener>();
const stateListeners = new Set<StateListener>();
let source: EventSource | undefined;
let state: LiveState = "connecting";
let retryMs = RETRY_MIN_MS;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of stateListeners) listener(next);
}

function open(): void {
  const stream = new EventSource("/api/events");
  source = stream;
  stream.onopen = () => {
    retryMs = RETRY_MIN_MS;
    setState("live");
  };
  stream.onerror = () => {
    setState("reconnecting");
    if (stream.readyState !== EventSource.CLOSED) return; // the browser retries this one itself
    stream.close();
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  for (const type of EVENT_TYPES) {
    stream.addEventListener(type, (message) => {
      let event: LiveEvent;
      try {
        event = { ...(JSON.parse((message as MessageEvent<string>).data) as object), type };
      } catch {
        return;
      }
      for (const listener of eventListeners) listener(event);
    });
  }
}

/** Listens to every event; opens the stream with the first listener. Returns the unsubscribe. */
export function onLiveEvent(listener: EventListener): () => void {
  eventListeners.add(listener);
  if (!source && retryTimer === undefined) open();
  return () => eventListeners.delete(listener);
}

/** Hears whether the stream is up: a page says so rather than showing stale numbers as live. */
export function onLiveState(listener: StateListener): () => void {
  stateListeners.add(listener);
  listener(state);
  return () => stateListeners.delete(listener);
}
