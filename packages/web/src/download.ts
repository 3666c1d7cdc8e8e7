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
 *
 * A dump that fails midway destroys `input` with its error. The body then never ends: `hangUp` resets
 * the connection, so the browser sees a failed download, never a cut-short file (or an archive whose
 * chunks end cleanly) that looks whole. The error is not passed on to the body: the adapter would print
 * it as a stack trace, and the route already tells the failure.
 */
export function createDownloadPipe(hangUp: () => void): {
  input: PassThrough;
  body: ReadableStream<Uint8Array>;
} {
  const input = new PassThrough();
  const source = (Readable.toWeb(input) as NodeReadableStream<Uint8Array>).getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof source.read>>;
      try {
        chunk = await source.read();
      } catch {
        hangUp();
        // Never settles: the reset makes the adapter cancel this body, and nothing more is read.
        return new Promise<void>(() => {});
      }
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel: (reason) => source.cancel(reason),
  });
  return { input, body };
}
