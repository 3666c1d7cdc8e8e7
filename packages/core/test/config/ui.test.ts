import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { exposureProblem, isLoopbackHost, parseListenAddress } from "../../src/config/ui-listen.js";
import { ConfigError, type ConfigProblem } from "../../src/errors.js";
import { configJob } from "../helpers/job.js";

const baseDir = path.resolve("/configs");
const homedir = path.resolve("/home/me");
const USER = { name: "ada", password_hash: "scrypt$131072$8$1$c2FsdA$aGFzaA" };

function problemsOfUi(ui: unknown): readonly ConfigProblem[] {
  try {
    resolveConfig({ ui, backupjobs: [configJob()] }, { baseDir, homedir });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "CONFIG_INVALID") return error.problems;
    throw error;
  }
  return [];
}

describe("the ui key's listen address, checked with the config", () => {
  it.each([
    ["loopback", { listen: "127.0.0.1:8470" }],
    ["localhost", { listen: "localhost:8470" }],
    ["IPv6 loopback", { listen: "[::1]:8470" }],
    ["a bare port (127.0.0.1)", { listen: "8470" }],
    [
      "the LAN with TLS and a user",
      { listen: "0.0.0.0:8443", tls: { cert: "c.pem", key: "k.pem" }, users: [USER] },
    ],
    [
      "the LAN behind a proxy, said so, with a user",
      { listen: "192.168.1.5:8470", insecure_http: true, users: [USER] },
    ],
  ])("accepts %s", (_, ui) => {
    expect(problemsOfUi(ui)).toEqual([]);
  });

  it("refuses a port that does not exist, naming the place and the form", () => {
    expect(problemsOfUi({ listen: "127.0.0.1:99999" })).toEqual([
      {
        path: "ui.listen",
        message:
          'expected host:port with a port from 1 to 65535, such as 127.0.0.1:8470 or [::1]:8470, got "127.0.0.1:99999"',
      },
    ]);
  });

  it("refuses an address other machines reach without TLS (or insecure_http), and then without a user", () => {
    expect(problemsOfUi({ listen: "0.0.0.0:8471" })).toEqual([
      {
        path: "ui.listen",
        message: expect.stringMatching(/^0\.0\.0\.0:8471 is reachable from other machines: set ui\.tls/),
      },
    ]);
    expect(problemsOfUi({ listen: "0.0.0.0:8471", insecure_http: true })).toEqual([
      { path: "ui.listen", message: expect.stringContaining("add a user (ui.users") },
    ]);
  });
});

describe("ui-listen rules", () => {
  it("reads host:port, [v6]:port and a bare port", () => {
    expect(parseListenAddress("10.0.0.2:80")).toEqual({ host: "10.0.0.2", port: 80 });
    expect(parseListenAddress("[::1]:8470")).toEqual({ host: "::1", port: 8470 });
    expect(parseListenAddress("8470")).toEqual({ host: "127.0.0.1", port: 8470 });
    expect(parseListenAddress("[not-v6]:80")).toBeUndefined();
    expect(parseListenAddress("host:")).toBeUndefined();
  });

  it("knows loopback from the network", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"].every(isLoopbackHost)).toBe(
      true,
    );
    expect(["0.0.0.0", "::", "192.168.1.5", "backup.lan"].some(isLoopbackHost)).toBe(false);
    expect(
      exposureProblem({ host: "127.0.0.1", port: 1 }, { tls: false, insecureHttp: false, users: 0 }),
    ).toBeUndefined();
  });
});
