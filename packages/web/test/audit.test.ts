import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardAuditEntry } from "../src/audit.js";
import { describeAuditEntry, hashPassword } from "../src/index.js";
import { Browser, type Setup, send, startDashboard } from "./helpers.js";

// Who logged in, changed something or downloaded backed-up data, and from where: told to the daemon's
// log (simplebackup run prints each as a line), refusals included, a login link's code never.

const CHEAP = { N: 1024, r: 8, p: 1 };
const entries: DashboardAuditEntry[] = [];
let setup: Setup;
beforeAll(async () => {
  setup = await startDashboard({
    users: [{ name: "ada", passwordHash: await hashPassword("correct horse", CHEAP) }],
    audit: (entry) => entries.push(entry),
  });
});
afterAll(async () => {
  await setup?.close();
});

const lines = () => entries.map(describeAuditEntry);

describe("the dashboard's audit trail", () => {
  it("tells each login, refused or not, without the link's code", async () => {
    const link = setup.server.loginLink();
    await new Browser(setup.server).logIn();
    await send(link.replace(/code=.*/, "code=forged"));
    const ada = new Browser(setup.server);
    ada.keepCookie(await ada.post("/api/login", { user: "ada", password: "correct horse" }));
    await new Browser(setup.server).post("/api/login", { user: "ada", password: "wrong" });
    expect(lines()).toEqual([
      "dashboard: login by link from 127.0.0.1",
      "dashboard: login by link from 127.0.0.1: refused (403)",
      "dashboard: login with a password as ada from 127.0.0.1",
      "dashboard: login with a password from 127.0.0.1: refused (401)",
    ]);
    expect(JSON.stringify(entries)).not.toContain("code=");
    expect(entries.every((entry) => entry.at instanceof Date && entry.method.length > 0)).toBe(true);

    entries.length = 0;
    await ada.post("/api/jobs/docs/run");
    await ada.post("/api/jobs/docs/cancel");
    await ada.post("/api/jobs/app%20db/check");
    // A page of another site cannot act, and its attempt is told too.
    await send(`${setup.server.url}/api/jobs/docs/run`, {
      method: "POST",
      headers: { Origin: "http://evil.example", "X-Simplebackup": "1", Cookie: ada.cookie ?? "" },
    });
    // Reads are not told (a page asks for them every few seconds); a download of backed-up data is.
    await ada.get("/api/jobs");
    await ada.get("/api/jobs/docs/snapshots/0123abcd/file?path=%2Fhome%2Fada%2Ftax.pdf");
    await ada.post("/api/logout");
    expect(lines()).toEqual([
      'dashboard: run of job "docs" as ada from 127.0.0.1',
      'dashboard: cancel of job "docs" as ada from 127.0.0.1',
      'dashboard: check of job "app db" as ada from 127.0.0.1',
      'dashboard: run of job "docs" as ada from 127.0.0.1: refused (403)',
      expect.stringMatching(
        /^dashboard: file download of \/home\/ada\/tax\.pdf from snapshot 0123abcd of job "docs" as ada from 127\.0\.0\.1(: failed \(\d+\))?$/,
      ),
      "dashboard: logout as ada from 127.0.0.1",
    ]);
  });
});
