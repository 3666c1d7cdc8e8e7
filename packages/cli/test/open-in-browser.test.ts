import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { browserOpener, openInBrowser, writeLoginPage } from "../src/ui/open-in-browser.js";

const dir = mkdtempSync(path.join(tmpdir(), "sb-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
  return readFileSync(file, "utf8");
}

describe("simplebackup ui --open", () => {
  it("asks $BROWSER first, then the desktop's opener, and says when there is no desktop", () => {
    expect(browserOpener("linux", { BROWSER: "firefox", DISPLAY: ":0" })).toEqual({
      command: "firefox",
      args: [],
    });
    expect(browserOpener("linux", { DISPLAY: ":0" })).toEqual({ command: "xdg-open", args: [] });
    expect(browserOpener("linux", { WAYLAND_DISPLAY: "wayland-0" })).toEqual({
      command: "xdg-open",
      args: [],
    });
    expect(browserOpener("darwin", {})).toEqual({ command: "open", args: [] });
    expect(browserOpener("win32", {})).toEqual({ command: "explorer.exe", args: [] });
    expect(browserOpener("linux", {})).toEqual({
      unavailable: expect.stringContaining("no desktop session"),
    });
  });

  it("writes a 0600 page that forwards to the link, escaped, and hands the browser its path, not the link", async () => {
    const link = 'http://127.0.0.1:8470/login?code=abc&x="<y>';
    const page = await writeLoginPage(dir, link);
    expect(statSync(page).mode & 0o777).toBe(0o600);
    const html = readFileSync(page, "utf8");
    expect(html).toContain('content="0;url=http://127.0.0.1:8470/login?code=abc&#38;x=&#34;&#60;y&#62;"');
    expect(html).not.toContain('"<y>');

    const script = path.join(dir, "fake-browser.sh");
    const seen = path.join(dir, "argv.txt");
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\n`, { mode: 0o700 });
    expect(await openInBrowser(page, browserOpener("linux", { BROWSER: script }))).toEqual({ opened: true });
    expect((await waitForFile(seen)).trim()).toBe(page);
  });

  it("says why when the browser cannot start, without failing", async () => {
    const outcome = await openInBrowser(path.join(dir, "x.html"), {
      command: path.join(dir, "no-such-browser"),
      args: [],
    });
    expect(outcome).toEqual({ opened: false, why: expect.stringContaining("was not found") });
    expect(await openInBrowser("x", browserOpener("linux", {}))).toMatchObject({ opened: false });
  });
});
