import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../src/security.js";
import { type Setup, send, startDashboard } from "./helpers.js";

let setup: Setup;
beforeAll(async () => {
  setup = await startDashboard();
});
afterAll(async () => {
  await setup?.close();
});

/** A concrete path for a route pattern: a real job and a run id that looks like one. */
function concrete(path: string): string {
  return path.replace(":job", "docs").replace(":runId", "0123456789abcdef");
}

describe("the dashboard's guards", () => {
  it("answers 401 with a JSON body on every /api route without a session (enumerated from the router)", async () => {
    const apiRoutes = setup.server.routes.filter((route) => route.path.startsWith("/api/"));
    // The enumeration itself is checked, so a router change cannot make this test walk nothing.
    expect(apiRoutes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        "GET /api/jobs",
        "GET /api/jobs/:job/history",
        "GET /api/jobs/:job/runs/:runId/log",
        "POST /api/jobs/:job/run",
        "POST /api/jobs/:job/cancel",
        "POST /api/jobs/:job/check",
        "POST /api/jobs/:job/drill",
        "POST /api/jobs/:job/unlock",
        "GET /api/config",
        "GET /api/events",
        "POST /api/login",
      ]),
    );
    for (const route of apiRoutes) {
      if (route.path === "/api/login") continue;
      const url = setup.server.url + concrete(route.path);
      // Writes carry every same-origin proof, so only the missing session can refuse them.
      const headers: Record<string, string> =
        route.method === "GET" ? {} : { Origin: setup.server.url, "X-Simplebackup": "1" };
      const reply = await send(url, { method: route.method, headers });
      expect([route.method, route.path, reply.status]).toEqual([route.method, route.path, 401]);
      expect(reply.headers["content-type"]).toMatch(/^application\/json/);
      expect(reply.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
    }
    expect(setup.daemon.status().jobs.every((job) => !job.running && job.lastAttempt === undefined)).toBe(
      true,
    );
  });

  it("answers 401 on an /api path that is not a route too, so the routes cannot be probed", async () => {
    expect((await send(`${setup.server.url}/api/nothing-here`)).status).toBe(401);
  });

  it("refuses a state-changing request from another origin, or without the custom header, even with a session", async () => {
    const { browser } = setup;
    await browser.logIn();
    const crossOrigin = await browser.post("/api/jobs/docs/cancel", undefined, {
      Origin: "http://evil.example",
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.json()).toMatchObject({ error: { code: "CROSS_ORIGIN" } });
    // Every write route, not only cancel: an unlock runs restic on the repository.
    for (const path of ["/api/jobs/docs/unlock", "/api/jobs/docs/check", "/api/jobs/docs/run"]) {
      const reply = await browser.post(path, undefined, { Origin: "http://evil.example" });
      expect([path, reply.status]).toEqual([path, 403]);
      const bare = await send(setup.server.url + path, {
        method: "POST",
        headers: { Cookie: browser.cookie ?? "", Origin: setup.server.url },
      });
      expect([path, bare.status]).toEqual([path, 403]);
    }
    const otherPort = await browser.post("/api/jobs/docs/cancel", undefined, {
      Origin: "http://127.0.0.1:1",
    });
    expect(otherPort.status).toBe(403);
    const noOrigin = await send(`${setup.server.url}/api/jobs/docs/cancel`, {
      method: "POST",
      headers: { Cookie: browser.cookie ?? "", "X-Simplebackup": "1" },
    });
    expect(noOrigin.status).toBe(403);
    const noHeader = await send(`${setup.server.url}/api/jobs/docs/cancel`, {
      method: "POST",
      headers: { Cookie: browser.cookie ?? "", Origin: setup.server.url },
    });
    expect(noHeader.status).toBe(403);
    // A form post from a page elsewhere: no custom header, a foreign origin.
    const form = await send(`${setup.server.url}/api/jobs/docs/run`, {
      method: "POST",
      headers: {
        Cookie: browser.cookie ?? "",
        Origin: "null",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "x=1",
    });
    expect(form.status).toBe(403);
    expect(setup.daemon.status().jobs.find((job) => job.job === "docs")?.running).toBe(false);
    // And the same request from our own page goes through.
    const own = await browser.post("/api/jobs/docs/cancel");
    expect(own.status).toBe(200);
    expect(own.json()).toEqual({ job: "docs", cancelled: false });
  });

  it("accepts the same-origin proof from localhost as from 127.0.0.1", async () => {
    const { browser, server } = setup;
    const localhost = server.url.replace("127.0.0.1", "localhost");
    const reply = await send(`${localhost}/api/jobs/docs/cancel`, {
      method: "POST",
      headers: { Cookie: browser.cookie ?? "", Origin: localhost, "X-Simplebackup": "1" },
    });
    expect(reply.status).toBe(200);
  });

  it.each([
    ["a rebound DNS name", "evil.example"],
    ["a rebound name on our port", `evil.example:${0}`],
    ["our address on another port", "127.0.0.1:1"],
    ["no port", "127.0.0.1"],
  ])("refuses a request whose Host is %s (421), before looking at the session", async (_what, host) => {
    const hostHeader = host.endsWith(":0") ? host.replace(/:0$/, `:${setup.server.port}`) : host;
    for (const path of ["/", "/api/jobs", "/login?code=x"]) {
      const reply = await send(setup.server.url + path, {
        headers: { Host: hostHeader, Cookie: setup.browser.cookie ?? "" },
      });
      expect([path, reply.status]).toEqual([path, 421]);
      expect(reply.text).not.toContain("docs");
    }
  });

  it("answers to localhost and [::1] on its port", async () => {
    for (const host of [`localhost:${setup.server.port}`, `[::1]:${setup.server.port}`]) {
      const reply = await send(`${setup.server.url}/`, { headers: { Host: host } });
      expect([host, reply.status]).toEqual([host, 200]);
    }
  });

  it("sends its Content-Security-Policy and the other security headers on every response", async () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-eval");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    const replies = [
      await send(`${setup.server.url}/`),
      await send(`${setup.server.url}/no-such-page`),
      await send(`${setup.server.url}/api/jobs`),
      await send(`${setup.server.url}/login?code=wrong`),
      await send(`${setup.server.url}/`, { headers: { Host: "evil.example" } }),
      await setup.browser.get("/api/jobs"),
      await setup.browser.post("/api/jobs/docs/cancel", undefined, { Origin: "http://evil.example" }),
    ];
    for (const reply of replies) {
      expect(reply.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
      expect(reply.headers["referrer-policy"]).toBe("no-referrer");
      expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("serves the page at / with no inline script (test/ui.test.ts pins the rest)", async () => {
    const reply = await send(`${setup.server.url}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/html/);
    expect(reply.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\son[a-z]+=/i);
  });
});
