import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type LiveEvent, type LiveState, onLiveEvent, onLiveState } from "./live";

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Loads again; what is shown stays until the answer comes, so the page does not flicker. */
  reload(): void;
}

/** Data from the API for a page; loaded again when `key` changes. */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  // Answers can arrive out of order (a slow one after a quick reload); only the newest counts.
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      },
    );
  }, []);
  // Loaded again when `key` (what is shown) changes; reload itself never changes.
  useEffect(() => {
    setData(undefined);
    reload();
  }, [key]);
  return { data, error, reload };
}

/** The time now, ticking every second, for "3m ago" texts that stay true while the page is open. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Calls `listener` with each live event while the component is shown. */
export function useLiveEvents(listener: (event: LiveEvent) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => onLiveEvent((event) => ref.current(event)), []);
}

/** Whether the event stream is up; `onBackLive` runs when it comes back, to load what was missed. */
export function useLiveState(onBackLive?: () => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const ref = useRef(onBackLive);
  ref.current = onBackLive;
  useEffect(() => {
    let previous: LiveState | undefined;
    return onLiveState((next) => {
      if (next === "live" && previous === "reconnecting") ref.current?.();
      previous = next;
      setState(next);
    });
  }, []);
  return state;
}
