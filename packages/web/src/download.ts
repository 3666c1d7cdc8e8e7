import { PassThrough, Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/**
 * `Content-Disposition: attachment` for a file name from a snapshot, which may hold anything but `/`
 * and NUL: quotes, backslashes, `;`, newlines, any script. The plain `filename` keeps printable ASCII
 * only (the rest becomes `_`), so no header can be broken out of; `filename*` (RFC 6266/5987) carries
 * the real name, UTF-8 percent-encoded, for every browser of the last decade.
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_") || "download";
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The headers of a download: bytes the browser saves and never renders, never cached. */
export function downloadHeaders(name: string, length?: number): Record<string, string> {
  return {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": attachmentDisposition(name),
    "Cache-Control": "no-store",
    ...(length === undefined ? {} : { "Content-Length": String(length) }),
  };
}

/**
 * A pipe from a writer (restic's dump) to a response body. The adapter reads the body as the client
 * takes it, so a slow client slows restic and memory stays at the buffers; a client that hangs up
 * cancels the body, which destroys `input`, which the dump takes as its reader gone (restic is stopped).
 */
export function createDownloadPipe(): { input: PassThrough; body: ReadableStream<Uint8Array> } {
  const input = new PassThrough();
  const body = Readable.toWeb(input) as NodeReadableStream<Uint8Array>;
  return { input, body: body as unknown as ReadableStream<Uint8Array> };
}
