import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../src/security.js";
import { defaultUiDir } from "../src/static-files.js";
import { type Setup, send, startDashboard } from "./helpers.js";

// A stand-in build, so the serving rules are pinned whatever the real build holds.
const INDEX = `<!doctype html><html><head><script type="module" src="/assets/app-Ab12.js"></script>
<link rel="stylesheet" href="/assets/app-Cd34.css"></head><body><div id="app"></div></body></html>`;
const SCRIPT = `console.log(${JSON.stringify("x".repeat(2_000))});`;

let uiDir: string;
let fake: Setup;
let real: Setup;
beforeAll(async () => {
  uiDir = await mkdtemp(join(tmpdir(), "sb-web-ui-"));
  await mkdir(join(uiDir, "assets"));
  await writeFile(join(uiDir, "index.html"), INDEX);
  await writeFile(join(uiDir, "assets", "app-Ab12.js"), SCRIPT);
  await writeFile(join(uiDir, "assets", "app-Cd34.css"), "body{margin:0}");
  await writeFile(join(uiDir, "assets", "app-Ab12.js.map"), "{}");
  await writeFile(join(uiDir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  fake = await startDashboard({ uiDir });
  real = await startDashboard();
});
afterAll(async () => {
  await fake?.close();
  await real?.close();
  await rm(uiDir, { recursive: true, force: true });
});

describe("the dashboard's page", () => {
  it("serves index.html at / without a session, never cached, under the CSP", async () => {
    const reply = await send(`${fake.server.url}/`);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(INDEX);
    expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(reply.headers["cache-control"]).toBe("no-store");
    expect(reply.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
  });

  it.each([
    ["/assets/app-Ab12.js", "text/javascript; charset=utf-8", "private, max-age=31536000, immutable"],
    ["/assets/app-Cd34.css", "text/css; charset=utf-8", "private, max-age=31536000, immutable"],
    ["/favicon.svg", "image/svg+xml", "no-store"],
  ])("serves %s as %s, cached as %s", async (path, type, cache) => {
    const reply = await send(fake.server.url + path);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe(type);
    expect(reply.headers["cache-control"]).toBe(cache);
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("sends a script gzipped to a browser that accepts it", async () => {
    const reply = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      import("node:http").then(({ get }) =>
        get(`${fake.server.url}/assets/app-Ab12.js`, { headers: { "Accept-Encoding": "gzip" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }),
          );
        }).on("error", reject),
      );
    });
    expect(reply.encoding).toBe("gzip");
    expect(reply.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(reply.body).toString()).toBe(SCRIPT);
  });

  it.each([
    "/assets/app-Ab12.js.map",
    "/assets/../index.html",
    "/assets/%2e%2e/index.html",
    "/index.html/../../package.json",
    "/assets/nothing.js",
  ])("answers 404 for %s: only the build's own files are served", async (path) => {
    const reply = await send(fake.server.url + path);
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain("{}");
  });

  it("says how to build the page when the package was built without it", async () => {
    const setup = await startDashboard({ uiDir: join(uiDir, "missing") });
    try {
      const reply = await send(`${setup.server.url}/`);
      expect(reply.status).toBe(503);
      expect(reply.text).toContain("pnpm run build");
      expect(reply.text).not.toMatch(/<script|<style|\son[a-z]+=/i);
    } finally {
      await setup.close();
    }
  });

  // The real build (`pnpm run build` runs before the tests, in CI too): what the CSP allows.
  it("serves the real build with no inline script or style, its scripts and styles as files", async () => {
    expect(defaultUiDir()).toMatch(/dist[/\\]ui$/);
    const index = await send(`${real.server.url}/`);
    expect(index.status).toBe(200);
    expect(index.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const assets = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.some((path) => path?.endsWith(".js"))).toBe(true);
    expect(assets.some((path) => path?.endsWith(".css"))).toBe(true);
    for (const path of assets) {
      const reply = await send(real.server.url + path);
      expect([path, reply.status]).toEqual([path, 200]);
      expect(reply.headers["cache-control"]).toContain("immutable");
    }
  });
});

describe("GET /api/notifiers", () => {
  it("lists the notifiers in use with their routing, the webhook's secret path masked", async () => {
    await real.browser.logIn();
    const reply = await real.browser.get("/api/notifiers");
    expect(reply.status).toBe(200);
    const { notifiers } = reply.json<{ notifiers: Record<string, unknown>[] }>();
    expect(notifiers).toEqual([
      expect.objectContaining({ type: "webhook", on: ["stale"], jobs: ["app db"] }),
    ]);
    expect(reply.text).not.toContain("T0SECRETPATH9");
    expect(JSON.stringify(notifiers[0]?.options)).toContain("hooks.example");
  });

  it("is 401 without a session", async () => {
    expect((await send(`${real.server.url}/api/notifiers`)).status).toBe(401);
  });
});
