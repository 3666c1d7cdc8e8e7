import { setTimeout as sleep } from "node:timers/promises";

export interface PostOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Per request. */
  readonly timeoutMs: number;
  /** Extra attempts after a network error, a 5xx or a 429. @default 0 */
  readonly retries?: number;
  /** @default 1_000 */
  readonly retryDelayMs?: number;
  /** The hub's signal: stops the request and any waiting between attempts. */
  readonly signal?: AbortSignal | undefined;
  /** How errors name the receiver, secrets masked (the URL itself may carry a token). */
  readonly display: string;
}

/** A receiver that answered, but not with 2xx. */
export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  constructor(
    readonly status: number,
    display: string,
    detail: string,
  ) {
    super(`${display} answered ${status}${detail ? `: ${detail}` : ""}`);
  }
}

const USER_AGENT = "simplebackup-notifier";

/** POSTs a body, retrying transient failures; throws when the receiver never took it. */
export async function post(options: PostOptions): Promise<void> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await postOnce(options);
      return;
    } catch (error) {
      if (attempt >= retries || !isTransient(error) || options.signal?.aborted) throw error;
    }
    await sleep(options.retryDelayMs ?? 1_000, undefined, options.signal ? { signal: options.signal } : {});
  }
}

async function postOnce(options: PostOptions): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const { url, authorization } = splitCredentials(options.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "user-agent": USER_AGENT, ...authorization, ...options.headers },
      body: options.body,
      signal,
    });
  } catch (error) {
    // fetch's own error may name the full URL in a cause; say it with the masked one.
    if (timeout.aborted) throw new Error(`${options.display} did not answer within ${options.timeoutMs} ms`);
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`${options.display} could not be reached: ${reason}`, { cause: error });
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const detail = (await response.text().catch(() => "")).trim().slice(0, 200);
  throw new HttpStatusError(response.status, options.display, detail);
}

/**
 * fetch refuses URLs with credentials; `https://user:pass@host/topic` is how people write them
 * (ntfy, self-hosted receivers), so they travel as basic auth instead.
 */
function splitCredentials(text: string): { url: string; authorization: Record<string, string> } {
  const url = new URL(text);
  if (!url.username && !url.password) return { url: text, authorization: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return {
    url: url.toString(),
    authorization: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
  };
}

function isTransient(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 429;
  return true;
}
