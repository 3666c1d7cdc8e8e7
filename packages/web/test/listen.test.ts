import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardServer, type DashboardError, hashPassword } from "../src/index.js";
import { checkExposure, isLoopback, parseListen } from "../src/listen.js";
import { type Setup, send, startDashboard } from "./helpers.js";

describe("parseListen", () => {
  it.each([
    ["127.0.0.1:8470", { host: "127.0.0.1", port: 8470 }],
    ["localhost:1", { host: "localhost", port: 1 }],
    ["[::1]:8470", { host: "::1", port: 8470 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["8470", { host: "127.0.0.1", port: 8470 }],
  ])("reads %s", (text, address) => {
    expect(parseListen(text)).toEqual(address);
  });

  it.each(["", "127.0.0.1", "::1:8470", "[nohost]:80", "host:99999", "host:-1", "a:b:c"])(
    "refuses %j",
    (text) => {
      expect(() => parseListen(text)).toThrow(expect.objectContaining({ code: "DASHBOARD_LISTEN_INVALID" }));
    },
  );
});

describe("who may reach it", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.0.1", true],
    ["localhost", true],
    ["::1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.5", false],
    ["backup.lan", false],
  ])("%s is loopback: %s", (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  it("allows a non-loopback address only with TLS or insecure_http, and a named user", () => {
    const lan = { host: "0.0.0.0", port: 8470 };
    const refused = (policy: Parameters<typeof checkExposure>[1]) => {
      try {
        checkExposure(lan, policy);
      } catch (error) {
        return (error as DashboardError).code;
      }
      return "allowed";
    };
    expect(refused({ tls: false, insecureHttp: false, users: 1 })).toBe("DASHBOARD_LISTEN_UNSAFE");
    expect(refused({ tls: true, insecureHttp: false, users: 0 })).toBe("DASHBOARD_LISTEN_UNSAFE");
    expect(refused({ tls: false, insecureHttp: true, users: 0 })).toBe("DASHBOARD_LISTEN_UNSAFE");
    expect(refused({ tls: true, insecureHttp: false, users: 1 })).toBe("allowed");
    expect(refused({ tls: false, insecureHttp: true, users: 1 })).toBe("allowed");
    expect(refused({ tls: false, insecureHttp: false, users: 0 })).toBe("DASHBOARD_LISTEN_UNSAFE");
    expect(() =>
      checkExposure({ host: "127.0.0.1", port: 1 }, { tls: false, insecureHttp: false, users: 0 }),
    ).not.toThrow();
  });
});

describe("createDashboardServer", () => {
  let setup: Setup;
  let dir: string;
  beforeAll(async () => {
    setup = await startDashboard();
    dir = await mkdtemp(join(tmpdir(), "sb-web-tls-"));
  });
  afterAll(async () => {
    await setup?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses 0.0.0.0 without TLS before binding anything", async () => {
    await expect(
      createDashboardServer(setup.daemon, { listen: "0.0.0.0:0", stateDir: setup.stateDir }),
    ).rejects.toMatchObject({
      code: "DASHBOARD_LISTEN_UNSAFE",
      message: expect.stringContaining("SSH tunnel"),
    });
  });

  it("says so when the port is taken", async () => {
    await expect(
      createDashboardServer(setup.daemon, {
        listen: `127.0.0.1:${setup.server.port}`,
        stateDir: setup.stateDir,
      }),
    ).rejects.toMatchObject({ code: "DASHBOARD_LISTEN_FAILED", message: expect.stringContaining("in use") });
  });

  it("refuses a user whose hash is not a scrypt hash", async () => {
    await expect(
      createDashboardServer(setup.daemon, {
        listen: "127.0.0.1:0",
        stateDir: setup.stateDir,
        users: [{ name: "ada", passwordHash: "hunter2" }],
      }),
    ).rejects.toMatchObject({ code: "DASHBOARD_USER_INVALID" });
  });

  it("serves HTTPS with a Secure cookie when given a certificate, and listens beyond loopback with a user", async () => {
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      ],
      { stdio: "ignore" },
    );
    await expect(
      createDashboardServer(setup.daemon, {
        listen: "127.0.0.1:0",
        stateDir: setup.stateDir,
        tls: { cert, key: join(dir, "missing.pem") },
      }),
    ).rejects.toMatchObject({ code: "DASHBOARD_TLS_UNREADABLE" });
    const server = await createDashboardServer(setup.daemon, {
      listen: "0.0.0.0:0",
      stateDir: setup.stateDir,
      tls: { cert, key },
      users: [{ name: "ada", passwordHash: await hashPassword("pw", { N: 1024, r: 8, p: 1 }) }],
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await readFile(cert);
      const login = await send(server.loginLink(), { ca });
      expect(login.status).toBe(303);
      const cookie = String(login.headers["set-cookie"]);
      expect(cookie).toContain("Secure");
      expect(cookie).toContain("HttpOnly");
      const jobs = await send(`${server.url}/api/jobs`, {
        ca,
        headers: { Cookie: cookie.split(";")[0] ?? "" },
      });
      expect(jobs.status).toBe(200);
      // Plain HTTP to the TLS port gets no answer of ours.
      await expect(send(server.url.replace("https:", "http:"))).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});

describe("dashboard.json", () => {
  it("tells `simplebackup ui` the address (0600), which makes a working one-time link, and goes on close", async () => {
    const { dashboardLoginLink } = await import("../src/index.js");
    const { stat } = await import("node:fs/promises");
    const setup = await startDashboard();
    try {
      const file = join(setup.stateDir, "dashboard.json");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const link = await dashboardLoginLink(setup.stateDir);
      expect(link.startsWith(`${setup.server.url}/login?code=`)).toBe(true);
      expect((await send(link)).status).toBe(303);
      await setup.server.close();
      await expect(dashboardLoginLink(setup.stateDir)).rejects.toMatchObject({
        code: "DASHBOARD_NOT_RUNNING",
      });
    } finally {
      await setup.close();
    }
  });
});
