import { request } from "node:http";

/** An open event stream: what has arrived so far, and whether the server ended it. */
export interface EventStream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  text(): string;
  /** Resolves when the text so far matches; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly ended: Promise<void>;
  close(): void;
}

export function openEventStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: "text/event-stream", ...headers } }, (res) => {
      let received = "";
      const waiters = new Set<() => void>();
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        received += chunk;
        for (const waiter of [...waiters]) waiter();
      });
      const ended = new Promise<void>((done) => {
        res.on("end", done);
        res.on("close", done);
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => received,
        ended,
        close: () => req.destroy(),
        waitFor(pattern, timeoutMs = 5_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (!pattern.test(received)) return;
              waiters.delete(check);
              clearTimeout(timer);
              ok();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${pattern} in the stream within ${timeoutMs} ms; got:\n${received}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      });
    });
    req.on("error", reject);
    req.end();
  });
}
