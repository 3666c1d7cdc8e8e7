import type { UnlockResult } from "@simplebackup/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChromiumSession, screenshot } from "../../../test/e2e/browser/chromium.js";
import type { PageWatch } from "../../../test/e2e/browser/watch-page.js";
import { openJobPage, openWatchedPage } from "./browser-page.js";
import { type Setup, startDashboard, withUnlock } from "./helpers.js";

/*
 * The job page's Unlock button in Debian's Chromium, driven by keyboard: it asks first (Escape says
 * no), then says what the daemon's unlock answered: the stale locks removed and a live lock left with
 * its holder and why. The daemon's unlock is a stand-in here (the unit project has no restic);
 * unlock.integration.test.ts runs the real one.
 */
let setup: Setup;
let browser: ChromiumSession;
let page: Page;
let watch: PageWatch;
let unlocks = 0;

const TAKEN = new Date(Date.now() - 2 * 60_000).toISOString();

beforeAll(async () => {
  setup = await startDashboard(
    {},
    undefined,
    undefined,
    withUnlock(async (job): Promise<UnlockResult> => {
      unlocks++;
      return {
        job,
        before: 3,
        removed: 2,
        remaining: [
          {
            id: "5e1f".repeat(16),
            holder: { time: TAKEN, exclusive: false, hostname: "laptop", username: "ada", pid: 4242 },
            reason: "process-running",
          },
        ],
        message: "successfully removed 2 locks",
        durationMs: 900,
      };
    }),
  );
  ({ browser, page, watch } = await openWatchedPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await setup?.close();
});

describe("the job page's Unlock button in Chromium", { timeout: 60_000 }, () => {
  it("asks first, then shows the locks removed and the one left with its holder and why", async () => {
    await openJobPage(page, setup.server, "docs");
    const unlock = page.getByRole("button", { name: "Unlock", exact: true });
    const focused = page.locator(":focus");

    // Asked, then declined with Escape: nothing was sent, and the focus is back on the button.
    await unlock.click();
    await expect.poll(() => focused.textContent()).toBe("Yes, unlock");
    await page.getByText("Remove stale locks from the repository of docs?").waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => focused.textContent()).toBe("Unlock");
    expect(unlocks).toBe(0);

    // Asked again, and answered with Enter from the keyboard.
    await page.keyboard.press("Enter");
    await expect.poll(() => focused.textContent()).toBe("Yes, unlock");
    await screenshot(page, "unlock-asks");
    await page.keyboard.press("Enter");
    await page.getByText("Removed 2 stale locks; 1 lock left in place (below).").waitFor();
    expect(unlocks).toBe(1);
    const left = page.locator(".unlock-outcome li");
    await expect
      .poll(() => left.textContent())
      .toMatch(
        /^5e1f5e1f shared lock of PID 4242 on host laptop \(user ada\), taken 2m( \d+s)? ago \(.+\)\. Kept because its process still runs on this machine/,
      );
    await screenshot(page, "unlock-result");
    expect(watch.problems).toEqual([]);
    // The unit project has no restic: only the snapshot list, which runs it, may fail.
    expect(watch.failedResponses.filter((line) => !line.endsWith("/api/jobs/docs/snapshots"))).toEqual([]);
    expect(browser.blockedRequests).toEqual([]);
  });
});
