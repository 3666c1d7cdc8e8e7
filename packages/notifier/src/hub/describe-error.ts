import { redactText, redactUrlsInText } from "../secrets/redact.js";

/**
 * An error in one line, with its causes: fetch says only "fetch failed" and keeps the reason
 * (ECONNREFUSED, a timeout) in `cause`.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const text = current instanceof Error ? current.message : String(current);
    // A wrapper often quotes its cause ("… could not be reached: connect ECONNREFUSED …").
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ") || "unknown error";
}

/** How long a kept delivery error may be. */
const MAX_DELIVERY_ERROR_LENGTH = 200;

/**
 * `describeError` with its secrets masked: every URL down to scheme and host (a plugin's error may
 * quote its webhook URL, whose path is the key), then tokens, passwords and authorizations.
 */
export function describeSafeError(error: unknown): string {
  return redactText(redactUrlsInText(describeError(error)));
}

/**
 * An error text as a status page may show it, masked as `describeSafeError` masks (again: it may come
 * from a file written by an older version), then folded to one line (a receiver's multi-line answer)
 * of at most 200 characters.
 */
export function safeDeliveryError(text: string): string {
  const line = redactText(redactUrlsInText(text)).replace(/\s+/g, " ").trim();
  return line.length > MAX_DELIVERY_ERROR_LENGTH ? `${line.slice(0, MAX_DELIVERY_ERROR_LENGTH - 1)}…` : line;
}
