import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning, processesOfProfile } from "./browser-processes.js";
import { BrowserTestError, type ChromiumSession, launchChromium, screenshot } from "./chromium.js";

// The harness the dashboard's page tests stand on: a page served on 127.0.0.1 with the dashboard's kind
// of Content-Security-Policy (scripts from files only), driven like a person would, with no way out.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>harness</title><script src="/app.js"></script></head>
<body>
  <button type="button">Say hello</button>
  <p id="out">waiting</p>
  <script>document.title = "an inline script ran";</script>
  <img alt="" src="http://example.com/pixel.png">
</body></html>`;
const SCRIPT = `document.addEventListener("DOMContentLoaded", () => {
  document.querySelector("button").addEventListener("click", () => {
    document.querySelector("#out").textContent = "hello from app.js";
  });
});`;

function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const [type, body] = request.url === "/app.js" ? ["text/javascript", SCRIPT] : ["text/html", PAGE];
    response.writeHead(200, { "content-type": type, "content-security-policy": "script-src 'self'" });
    response.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe("launchChromium", () => {
  let browser: ChromiumSession;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    ({ server, origin } = await servePage());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("drives a page on 127.0.0.1 whose script comes from a file, and screenshots it", async () => {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.getByRole("button", { name: "Say hello" }).click();
    await page.getByText("hello from app.js").waitFor();
    expect(await page.title()).toBe("harness"); // the CSP kept the inline script out

    const png = await screenshot(page, "clicked");
    expect(png).toMatch(/test-output\/screenshots\/chromium\/clicked\.png$/);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  });

  it("aborts every request and WebSocket to another host, from a page and by navigation", async () => {
    const page = await browser.newPage();
    await page.goto(origin);
    const socketClosed = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          new WebSocket("wss://example.com/socket").addEventListener("close", (event) => resolve(event.code));
        }),
    );
    expect(socketClosed).toBe(1008);
    await expect(page.goto("https://example.com/")).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    expect(browser.blockedRequests).toEqual(
      expect.arrayContaining([
        "http://example.com/pixel.png",
        "wss://example.com/socket",
        "https://example.com/",
      ]),
    );
    expect(browser.blockedRequests.filter((url) => url.startsWith(origin))).toEqual([]);
  });

  it("leaves no browser process and no profile after close", async () => {
    const pids = processesOfProfile(browser.userDataDir);
    expect(pids).toContain(browser.pid);

    expect(await browser.close()).toBe("closed");
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(browser.userDataDir)).toBe(false);
  });

  it("kills a browser that does not quit", async () => {
    const stuck = await launchChromium({ closeTimeoutMs: 500 });
    const pids = processesOfProfile(stuck.userDataDir);
    process.kill(stuck.pid, "SIGSTOP"); // it can no longer answer playwright's close

    expect(await stuck.close()).toBe("killed");
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(stuck.userDataDir)).toBe(false);
  });

  it("names the package when the browser is missing", async () => {
    const missing = launchChromium({ executablePath: "/nonexistent/chromium" });
    await expect(missing).rejects.toBeInstanceOf(BrowserTestError);
    await expect(missing).rejects.toMatchObject({
      code: "NOT_INSTALLED",
      message: expect.stringContaining("apt-get install chromium"),
    });
  });
});
