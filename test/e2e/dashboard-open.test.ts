import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Setup, startDashboard } from "../../packages/web/test/helpers.js";
import { type ChromiumSession, launchChromium } from "./browser/chromium.js";
import { simplebackup } from "./cli.js";

// `simplebackup ui --open` as a desktop user runs it: the browser ($BROWSER here, a script that notes
// what it was given) gets a file's path, and that file, opened in Chromium, logs the user in.

let setup: Setup;
let browser: ChromiumSession;
beforeAll(async () => {
  setup = await startDashboard();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await setup?.close();
});

describe("simplebackup ui --open", () => {
  it("hands the browser a 0600 page, not the link, and that page logs the user in", async () => {
    const seen = join(setup.dir, "browser-argv.txt");
    const fakeBrowser = join(setup.dir, "fake-browser.sh");
    writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\n`, { mode: 0o700 });
    const result = simplebackup(["ui", "--open", "--config", join(setup.dir, "config.json")], {
      env: { SIMPLEBACKUP_STATE_DIR: setup.stateDir, BROWSER: fakeBrowser },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/could not open/);
    const link = result.stdout.trim();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);

    await expect.poll(() => readFileSync(seen, "utf8"), { timeout: 10_000 }).toMatch(/\.html\n$/);
    const [opened] = readFileSync(seen, "utf8").trim().split("\n");
    if (!opened) throw new Error("the browser was given nothing");
    expect(opened).toBe(join(setup.stateDir, "dashboard-login.html"));
    expect(statSync(opened).mode & 0o777).toBe(0o600);
    expect(readFileSync(seen, "utf8")).not.toContain("code=");

    const page = await browser.newPage();
    await page.goto(pathToFileURL(opened).href);
    await page.waitForURL(`${setup.server.url}/`);
    await page.locator("tr[data-job]").first().waitFor();
    expect(await page.locator("tr[data-job]").count()).toBe(2);
    expect(browser.blockedRequests).toEqual([]);
  });

  it("says on stderr when no browser can be opened, and still prints the link", () => {
    const result = simplebackup(["ui", "--open", "--config", join(setup.dir, "config.json")], {
      env: { SIMPLEBACKUP_STATE_DIR: setup.stateDir, BROWSER: "", DISPLAY: "", WAYLAND_DISPLAY: "" },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
    expect(result.stderr).toMatch(/could not open a browser: no desktop session here/);
  });
});
