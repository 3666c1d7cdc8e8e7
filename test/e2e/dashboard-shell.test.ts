import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Setup, startDashboard } from "../../packages/web/test/helpers.js";
import { type ChromiumSession, launchChromium, screenshot } from "./browser/chromium.js";
import { simplebackup } from "./cli.js";

// The dashboard's shell in Chromium, on an in-process daemon (no restic needed): `simplebackup ui --open`
// as a desktop user runs it (the browser, $BROWSER here, is a script that notes what it was given, and
// the file it gets, opened in Chromium, logs the user in), then a config file saved with a typo.

let setup: Setup;
let browser: ChromiumSession;
let page: Page;
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

    page = await browser.newPage();
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

describe("a config file saved with a mistake", () => {
  it("is said on every page, and the config page names each problem's place, until the file is fixed", async () => {
    const file = join(setup.dir, "config.json");
    const good = readFileSync(file, "utf8");
    const broken = JSON.parse(good) as { backupjobs: Record<string, unknown>[] };
    const [first] = broken.backupjobs;
    if (!first) throw new Error("no job");
    first.backup_interval = "every day at 2";
    writeFileSync(file, JSON.stringify(broken));
    expect(await setup.daemon.scheduler.reload()).toBe(false);

    const banner = page.locator(".config-problems");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /Config not reloaded:.*config\.json has 1 problem .*goes on with the config it last read/,
    );
    await banner.getByRole("link", { name: "See the problems" }).click();
    await page.getByRole("heading", { name: "Config", level: 1 }).waitFor();
    expect(await page.locator(".config-problems li").allTextContents()).toEqual([
      expect.stringMatching(
        /^backupjobs\[0\] \("docs"\)\.backup_interval: "every day at 2" is not a valid cron expression/,
      ),
    ]);
    await screenshot(page, "config-problems");

    writeFileSync(file, good);
    expect(await setup.daemon.scheduler.reload()).toBe(true);
    await banner.waitFor({ state: "detached" });
    expect(browser.blockedRequests).toEqual([]);
  });
});
