import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashPassword } from "../src/index.js";
import { createLoginCode, LoginCodes, readLoginToken, TOKEN_FILE_NAME } from "../src/login-token.js";
import { Browser, type Setup, send, startDashboard } from "./helpers.js";

// Cheap scrypt for tests (N=2^10); the users' hashes carry their own cost, which verifyUser reads.
const CHEAP = { N: 1024, r: 8, p: 1 };

let clock = Date.parse("2026-03-01T10:00:00Z");
let setup: Setup;
beforeAll(async () => {
  setup = await startDashboard({
    now: () => clock,
    users: [{ name: "ada", passwordHash: await hashPassword("correct horse", CHEAP) }],
    loginFailuresAllowed: 3,
  });
});
afterAll(async () => {
  await setup?.close();
});
// Each test starts with a clean failure count: the limiter's window has passed.
beforeEach(() => {
  clock += 15 * 60_000;
});

describe("the login token", () => {
  it("is made in the state folder with mode 0600", async () => {
    const file = join(setup.stateDir, TOKEN_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readLoginToken(setup.stateDir)).length).toBe(32);
  });

  it("never appears in a login link", async () => {
    const token = await readLoginToken(setup.stateDir);
    const link = setup.server.loginLink();
    expect(link).toMatch(new RegExp(`^${setup.server.url}/login\\?code=`));
    expect(link).not.toContain(token.toString("base64url"));
    expect(link).not.toContain(token.toString("hex"));
  });
});

describe("the one-time login link", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie on Path=/ and redirects to the page", async () => {
    const browser = new Browser(setup.server);
    const reply = await browser.logIn();
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe("/");
    const cookie = String(reply.headers["set-cookie"]);
    expect(cookie).toMatch(new RegExp(`^simplebackup_session_${setup.server.port}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure"); // plain HTTP on loopback: a Secure cookie would never come back
    expect((await browser.get("/api/jobs")).status).toBe(200);
    expect((await browser.get("/api/session")).json()).toEqual({ user: null });
  });

  it("works once", async () => {
    const link = setup.server.loginLink();
    expect((await send(link)).status).toBe(303);
    const again = await send(link);
    expect(again.status).toBe(403);
    expect(again.headers["set-cookie"]).toBeUndefined();
  });

  it("expires after five minutes", async () => {
    const token = await readLoginToken(setup.stateDir);
    const codes = new LoginCodes(token);
    const code = createLoginCode(token, clock);
    expect(codes.redeem(code, clock + 5 * 60_000)).toBe(false);
    const fresh = createLoginCode(token, clock);
    expect(codes.redeem(fresh, clock + 5 * 60_000 - 1)).toBe(true);
  });

  it("refuses a code made with another token, or altered", async () => {
    const other = createLoginCode(Buffer.alloc(32, 7), clock);
    expect((await send(`${setup.server.url}/login?code=${other}`)).status).toBe(403);
    const genuine = setup.server.loginLink();
    const altered = genuine.replace(/code=(\d+)\./, (_all, expiry: string) => `code=${Number(expiry) + 1}.`);
    expect((await send(altered)).status).toBe(403);
    expect((await send(`${setup.server.url}/login`)).status).toBe(403);
  });

  it("ends with logout: the cookie no longer opens the API", async () => {
    const browser = new Browser(setup.server);
    await browser.logIn();
    expect((await browser.post("/api/logout")).status).toBe(200);
    expect((await browser.get("/api/jobs")).status).toBe(401);
  });
});

describe("named users", () => {
  it("log in with their password at POST /api/login", async () => {
    const browser = new Browser(setup.server);
    const reply = await browser.post("/api/login", { user: "ada", password: "correct horse" });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ user: "ada" });
    browser.keepCookie(reply);
    expect(String(reply.headers["set-cookie"])).toContain("HttpOnly");
    expect((await browser.get("/api/session")).json()).toEqual({ user: "ada" });
  });

  it("need the same-origin proof to log in (no login from another site's form)", async () => {
    const reply = await send(`${setup.server.url}/api/login`, {
      method: "POST",
      headers: { Origin: "http://evil.example", "X-Simplebackup": "1", "Content-Type": "application/json" },
      body: JSON.stringify({ user: "ada", password: "correct horse" }),
    });
    expect(reply.status).toBe(403);
  });

  it("are rate-limited per address after failed logins, until the window passes", async () => {
    const browser = new Browser(setup.server);
    const wrong = () => browser.post("/api/login", { user: "ada", password: "wrong" });
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(401);
    // Even the right password is refused now: the limit is on the address, not on being wrong.
    const limited = await browser.post("/api/login", { user: "ada", password: "correct horse" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Login links from this address are refused too.
    expect((await send(setup.server.loginLink())).status).toBe(429);
    clock += 15 * 60_000;
    expect((await browser.post("/api/login", { user: "ada", password: "correct horse" })).status).toBe(200);
  });

  it("an unknown name fails like a wrong password", async () => {
    const browser = new Browser(setup.server);
    const reply = await browser.post("/api/login", { user: "nobody", password: "correct horse" });
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ error: { code: "LOGIN_FAILED", message: "wrong user name or password" } });
  });

  it("send a bad body as 400", async () => {
    const browser = new Browser(setup.server);
    expect((await browser.post("/api/login", { user: "ada" })).status).toBe(400);
  });
});
