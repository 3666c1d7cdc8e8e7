import type { SchedulerEvent } from "@simplebackup/core";
import { redactOptions } from "@simplebackup/notifier";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { type DashboardContext, scrubberOf } from "../context.js";

/** @default 25 s: under the 30–60 s after which proxies and some browsers drop a silent connection. */
export const HEARTBEAT_MS = 25_000;

/** One event as the stream sends it: secret-named fields and URL credentials masked, then scrubbed. */
export function eventData(context: DashboardContext, event: SchedulerEvent): string {
  return JSON.stringify(scrubberOf(context).value(redactOptions(event)));
}

export function registerEventRoutes(app: Hono, context: DashboardContext): void {
  // Server-Sent Events rather than a WebSocket: one direction is all the page needs, the browser
  // reconnects by itself, and it is plain HTTP, so the same guards (session, host) apply.
  app.get("/api/events", (c) => {
    c.header("Cache-Control", "no-store");
    return streamSSE(c, async (stream) => {
      let end: () => void = () => {};
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      context.streams.add(end);
      stream.onAbort(end);
      // Written one at a time, in order: a slow reader makes events wait in this chain, not interleave.
      let chain = Promise.resolve();
      const send = (write: () => Promise<unknown>) => {
        chain = chain.then(write).then(
          () => {},
          () => end(),
        );
      };
      const unsubscribe = context.daemon.subscribe((event) => {
        send(() => stream.writeSSE({ event: event.type, data: eventData(context, event) }));
      });
      const heartbeat = setInterval(() => send(() => stream.write(": heartbeat\n\n")), context.heartbeatMs);
      heartbeat.unref();
      send(() => stream.write(": connected\n\n"));
      try {
        await ended;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
        context.streams.delete(end);
      }
    });
  });
}
