import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** One file of the built UI, held in memory: the whole UI is a few hundred KB. */
export interface StaticFile {
  readonly body: Buffer;
  /** The same bytes gzipped, when that is smaller; sent to browsers that accept it. */
  readonly gzip: Buffer | undefined;
  readonly type: string;
  readonly cacheControl: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Vite names what it emits under assets/ by content hash, so a browser may keep those for good; any
 * other file (index.html above all) names them and must be asked for again after an upgrade.
 */
function cacheControlOf(path: string): string {
  return path.startsWith("/assets/") ? "private, max-age=31536000, immutable" : "no-store";
}

/**
 * Where the built UI is: `ui/` beside the running bundle. That is `dist/ui` of this package beside its
 * `dist/index.js`, and of the CLI beside its `dist/bin.cjs` (the CLI bundles this package's code, so
 * its build copies the UI too). When this module runs from `src/` (the package's own tests), it is
 * this package's `dist/ui`.
 */
export function defaultUiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, "ui");
  return existsSync(beside) ? beside : join(here, "..", "dist", "ui");
}

/**
 * Every file of the built UI by its URL path. Read once at start, so a request's path is only ever a
 * key in this map and never becomes a path on disk. An unbuilt UI (no folder) is an empty map.
 */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  for (const file of await listFiles(dir)) {
    const type = CONTENT_TYPES[extname(file)];
    // Source maps and anything else Vite might leave are not served: only what the page loads.
    if (!type) continue;
    const path = `/${relative(dir, file).split(sep).join("/")}`;
    const body = await readFile(file);
    const gzip = type.startsWith("text/") || type === "image/svg+xml" ? gzipSync(body) : undefined;
    files.set(path, {
      body,
      gzip: gzip && gzip.length < body.length ? gzip : undefined,
      type,
      cacheControl: cacheControlOf(path),
    });
  }
  return files;
}

/** Every file under `dir`, walked by hand: readdir's `recursive` needs a newer Node 20 than 20.11. */
async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** The headers and body of a static file for a request that accepts (or not) gzip. */
export function staticResponse(file: StaticFile, acceptEncoding: string | undefined): Response {
  const gzip = file.gzip && /\bgzip\b/.test(acceptEncoding ?? "") ? file.gzip : undefined;
  const headers: Record<string, string> = {
    "Content-Type": file.type,
    "Cache-Control": file.cacheControl,
    Vary: "Accept-Encoding",
  };
  if (gzip) headers["Content-Encoding"] = "gzip";
  return new Response(new Uint8Array(gzip ?? file.body), { status: 200, headers });
}
