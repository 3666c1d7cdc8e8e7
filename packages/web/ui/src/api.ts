/**
 * Every request of the page goes through here. Each carries `X-Simplebackup: 1`, the proof the server
 * requires of a write (the browser adds Origin itself); sending it on reads too keeps one rule.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole JSON body: a restore done in part sends its result beside the error. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const HEADERS = { "X-Simplebackup": "1" } as const;

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(
      response.status,
      body.error?.code ?? "HTTP_ERROR",
      body.error?.message ?? response.statusText,
      body,
    );
  } catch {
    return new ApiError(response.status, "HTTP_ERROR", `the server answered ${response.status}`);
  }
}

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: { ...HEADERS, ...init.headers },
  });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await request(path)).json() as Promise<T>;
}

export async function getText(path: string): Promise<{ text: string; truncated: boolean }> {
  const response = await request(path);
  return { text: await response.text(), truncated: response.headers.get("X-Simplebackup-Truncated") === "1" };
}

export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const response = await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json() as Promise<T>;
}

/** `/api/jobs/<job>/…` with the job's name encoded (names may hold spaces). */
export function jobPath(job: string, rest = ""): string {
  return `/api/jobs/${encodeURIComponent(job)}${rest}`;
}
