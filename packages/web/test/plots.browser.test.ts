import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChromiumSession, screenshot } from "../../../test/e2e/browser/chromium.js";
import type { PageWatch } from "../../../test/e2e/browser/watch-page.js";
import { openJobPage, openWatchedPage } from "./browser-page.js";
import { type Setup, startDashboard } from "./helpers.js";

/*
 * The job page's plots in Debian's Chromium: a year of hourly runs (8,760, as the store keeps) drawn
 * as four uPlot charts on canvases, under the page's Content-Security-Policy. uPlot sizes its elements
 * through the CSSOM, which `style-src 'self'` allows; this test fails on any CSP violation.
 */

const HOUR = 3_600_000;
let setup: Setup;
let browser: ChromiumSession;
let page: Page;
let watch: PageWatch;

/** A year of hourly runs of "docs", written where core's store keeps them, one file per month. */
async function writeYearOfRuns(stateDir: string, now: number): Promise<number> {
  // The job's folder as core names it: the name made safe, plus a hash of it.
  const hash = createHash("sha256").update("docs").digest("hex").slice(0, 6);
  const dir = join(stateDir, "history", `docs-${hash}`);
  await mkdir(dir, { recursive: true });
  const months = new Map<string, string[]>();
  const count = 365 * 24;
  for (let i = count; i > 0; i--) {
    const finished = now - i * HOUR;
    const failed = i % 97 === 0;
    const record = {
      job: "docs",
      runId: `run-${i}`,
      startedAt: new Date(finished - 60_000).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      status: failed ? "failed" : "success",
      durationMs: 40_000 + (i % 24) * 1_000,
      ...(failed
        ? {}
        : {
            stats: {
              filesNew: i % 7,
              filesChanged: i % 5,
              dataAdded: (i % 24) * 1_000_000,
              totalBytesProcessed: 5e9 + (count - i) * 1e6,
            },
          }),
    };
    const month = record.finishedAt.slice(0, 7);
    const lines = months.get(month) ?? [];
    lines.push(JSON.stringify(record));
    months.set(month, lines);
  }
  for (const [month, lines] of months) await writeFile(join(dir, `${month}.jsonl`), `${lines.join("\n")}\n`);
  return count;
}

beforeAll(async () => {
  setup = await startDashboard();
  await writeYearOfRuns(setup.stateDir, Date.now());
  ({ browser, page, watch } = await openWatchedPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await setup?.close();
});

describe("the job page's plots in Chromium", { timeout: 60_000 }, () => {
  it("draws a year of hourly runs as four charts with no CSP violation", async () => {
    await openJobPage(page, setup.server, "docs");
    const drawn = page.locator(".plot-canvas[data-drawn] canvas");
    await expect.poll(() => drawn.count(), { timeout: 30_000 }).toBe(4);
    const captions = await page.locator(".plot figcaption").allTextContents();
    expect(captions).toEqual([
      "Duration · 8,760 runs",
      "Data added · 8,760 runs",
      "Files new and changed · 8,760 runs",
      "Snapshot size (what restic read) · 8,760 runs",
    ]);
    // The canvas has the chart's size, not a 0×0 element the CSP kept from being styled.
    const box = await drawn.first().boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    expect(box?.height).toBeGreaterThan(100);
    await screenshot(page, "job-plots-year");

    // A shorter range asks the server again and draws fewer runs.
    await page.getByLabel("Show").selectOption("7");
    await expect.poll(() => page.locator(".plot figcaption").first().textContent()).toMatch(/· 16\d runs/);
    await expect.poll(() => drawn.count()).toBe(4);
    expect(watch.problems).toEqual([]);
    // The unit project has no restic: only the snapshot list, which runs it, may fail.
    expect(watch.failedResponses.filter((answer) => !answer.endsWith(" /api/jobs/docs/snapshots"))).toEqual(
      [],
    );
    expect(browser.blockedRequests).toEqual([]);
  });
});
