import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChromiumSession, screenshot } from "./browser/chromium.js";
import { type DashboardSession, openDashboard } from "./browser/dashboard-session.js";
import type { PageWatch } from "./browser/watch-page.js";
import { simplebackup, tempDir, write } from "./cli.js";
import { freePort } from "./servers/server-process.js";

/*
 * The snapshot browser in a real browser (Debian's Chromium) against a real daemon with real restic:
 * open the job's latest snapshot, walk into a folder, download a file (its bytes compared with the
 * source), a folder as .tar (its entries listed), restore a folder into a new target (its files
 * compared) and see a restore into a folder that is not empty refused. Every state is screenshotted
 * (test-output/screenshots/dashboard-snapshots/); the test fails on any CSP violation, page error or
 * request that left 127.0.0.1.
 */

const PASSWORD = "snapshots-e2e-pass-71b2";
const temp = tempDir();
const root = temp.path;
const stateDir = join(root, "state");
const data = join(root, "data");
let dashboard: DashboardSession;
let browser: ChromiumSession;
let page: Page;
let watch: PageWatch;

beforeAll(async () => {
  write(join(data, "notes/a.txt"), "alpha\n");
  write(join(data, "notes/deeper/b.txt"), "beta, one level down\n");
  write(join(data, "notes/odd name [1].txt"), "a name with a space and brackets\n");
  write(join(data, "photo.bin"), randomBytes(300 * 1024));
  const made = spawnSync("sqlite3", [
    join(root, "app.db"),
    "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept');",
  ]);
  expect(made.status, String(made.stderr)).toBe(0);
  const config = write(join(root, "config.json"), {
    ui: { listen: `127.0.0.1:${await freePort()}` },
    backupjobs: [
      {
        jobname: "files",
        sources: ["./data"],
        databases: [{ type: "sqlite", path: join(root, "app.db") }],
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
      },
    ],
  });
  const backup = simplebackup(["backup", "--config", config], { env: { SIMPLEBACKUP_STATE_DIR: stateDir } });
  expect(backup.status, backup.stderr).toBe(0);
  dashboard = await openDashboard(config, stateDir);
  ({ browser, page, watch } = dashboard);
}, 120_000);

afterAll(async () => {
  await dashboard?.close();
  temp.dispose();
});

/** Clicks a download link and returns the downloaded bytes with the name the server gave. */
async function download(link: ReturnType<Page["locator"]>): Promise<{ name: string; bytes: Buffer }> {
  const [started] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const path = await started.path();
  expect(await started.failure()).toBeNull();
  return { name: started.suggestedFilename(), bytes: readFileSync(path) };
}

/** Every file below `folder`, as paths relative to it, sorted. */
function filesBelow(folder: string, prefix = ""): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesBelow(join(folder, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

function entryRow(name: string) {
  return page.locator(`table.tree tr[data-entry="${name}"]`);
}

describe("the snapshot browser in Chromium, on a real daemon and restic", { timeout: 150_000 }, () => {
  it("opens the latest snapshot from the job's page and walks into a folder", async () => {
    await page.goto(dashboard.loginLink());
    await page.goto(new URL("/#/jobs/files", page.url()).href);
    await page.getByRole("heading", { name: "files", level: 1 }).waitFor();
    // The newest snapshot of files (the database's dump has its own, shown as such).
    await page
      .locator("table.snapshots tbody tr")
      .filter({ hasNotText: "database" })
      .first()
      .getByRole("link", { name: /browse snapshot/ })
      .click();
    await page.getByRole("heading", { name: /Snapshot [0-9a-f]{8}/ }).waitFor();
    // The root lists the folders above the backed-up path; the path itself is a link.
    await page.locator("table.tree tbody tr").first().waitFor({ timeout: 60_000 });
    await screenshot(page, "snapshot-root");
    await page.getByRole("link", { name: data, exact: true }).click();
    await entryRow("notes").waitFor({ timeout: 60_000 });
    expect(await entryRow("photo.bin").textContent()).toContain("file");
    expect(await entryRow("notes").textContent()).toContain("folder");
    await screenshot(page, "snapshot-data-folder");
    await entryRow("notes").getByRole("link", { name: "notes/" }).click();
    await entryRow("a.txt").waitFor({ timeout: 60_000 });
    expect(await page.locator("nav.crumbs").textContent()).toContain("notes");
    expect(await entryRow("deeper").textContent()).toContain("folder");
    await screenshot(page, "snapshot-notes-folder");
  });

  it("downloads a file byte for byte", async () => {
    const file = await download(page.getByRole("link", { name: "download a.txt" }));
    expect(file.name).toBe("a.txt");
    expect(file.bytes.equals(readFileSync(join(data, "notes/a.txt")))).toBe(true);
    const odd = await download(page.getByRole("link", { name: "download odd name [1].txt" }));
    expect(odd.name).toBe("odd name [1].txt");
    expect(odd.bytes.equals(readFileSync(join(data, "notes/odd name [1].txt")))).toBe(true);
  });

  it("downloads a folder as .tar with its files", async () => {
    const tar = await download(page.getByRole("link", { name: "download deeper as .tar" }));
    expect(tar.name).toMatch(/^files-[0-9a-f]{8}-deeper\.tar$/);
    const listed = spawnSync("tar", ["-t"], { input: tar.bytes, encoding: "utf8" });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/deeper\/b\.txt$/m);
  });

  it("restores a chosen folder into a new target, files equal to the source", async () => {
    // Back to the data folder by the breadcrumb, choose notes, restore it.
    await page.locator("nav.crumbs").getByRole("link", { name: "data" }).click();
    await entryRow("notes").waitFor({ timeout: 60_000 });
    await page.getByRole("checkbox", { name: "choose notes to restore" }).check();
    await page.locator("ul.chosen").getByText(join(data, "notes")).waitFor();
    const target = join(root, "restored");
    await page.getByLabel(/Target folder/).fill(target);
    await page.getByRole("button", { name: "Restore…" }).click();
    await screenshot(page, "restore-confirm");
    await page.getByRole("button", { name: "Yes, restore" }).click();
    await page
      .locator(".restore-result")
      .getByText(/✓ Restored 3 files/)
      .waitFor({ timeout: 60_000 });
    await screenshot(page, "restore-done");
    // restic recreates each path below the target at its full path.
    const restored = join(target, data, "notes");
    expect(filesBelow(restored)).toEqual(filesBelow(join(data, "notes")));
    for (const file of filesBelow(restored)) {
      expect(readFileSync(join(restored, file)).equals(readFileSync(join(data, "notes", file))), file).toBe(
        true,
      );
    }
  });

  it("shows a restore into a folder that is not empty refused", async () => {
    const target = join(root, "not-empty");
    mkdirSync(target);
    write(join(target, "keep.txt"), "mine");
    await page.getByLabel(/Target folder/).fill(target);
    await page.getByRole("button", { name: "Restore…" }).click();
    await page.getByRole("button", { name: "Yes, restore" }).click();
    await page.getByRole("alert").filter({ hasText: "TARGET_NOT_EMPTY" }).waitFor({ timeout: 60_000 });
    expect(readFileSync(join(target, "keep.txt"), "utf8")).toBe("mine");
    expect(readdirSync(target)).toEqual(["keep.txt"]);
    await screenshot(page, "restore-refused");
  });

  it("shows a database's dump as such, with the restore-db command instead of the form", async () => {
    await page.getByRole("link", { name: "← files" }).click();
    await page
      .locator("table.snapshots tbody tr")
      .filter({ hasText: "sqlite database app" })
      .getByRole("link", { name: /browse snapshot/ })
      .click();
    const note = page.getByRole("note");
    await note.filter({ hasText: "dump of the sqlite database app" }).waitFor({ timeout: 60_000 });
    expect(await note.textContent()).toMatch(
      /simplebackup restore-db files --database app --snapshot [0-9a-f]{8}/,
    );
    expect(await page.getByRole("heading", { name: "Restore" }).count()).toBe(0);
    const dump = await download(page.getByRole("link", { name: "download files-sqlite-app.sql" }));
    expect(dump.bytes.toString("utf8")).toContain("INSERT INTO notes VALUES('kept');");
    await screenshot(page, "database-snapshot");
  });

  it("logged no CSP violation or page error, and asked nothing of any host but 127.0.0.1", () => {
    expect(watch.problems).toEqual([]);
    expect(browser.blockedRequests).toEqual([]);
    // The only failed request: the refused restore.
    expect(watch.failedResponses).toHaveLength(1);
    expect(watch.failedResponses[0]).toMatch(/^409 \/api\/jobs\/files\/snapshots\/[0-9a-f]+\/restore$/);
  });
});
