import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatHostPort,
  parseSshConfig,
  proxyEndpoint,
  repositoryEndpoint,
} from "../../src/conditions/repository-endpoint.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("repositoryEndpoint", () => {
  it.each([
    // rest: the URL's host and port, else the scheme's.
    ["rest:http://backup.example.com:8000/", { host: "backup.example.com", port: 8000, protocol: "http" }],
    ["rest:https://backup.example.com/laptop", { host: "backup.example.com", port: 443, protocol: "https" }],
    ["rest:http://backup.example.com/", { host: "backup.example.com", port: 80, protocol: "http" }],
    [
      "rest:https://user:secret@backup.example.com:8443/",
      { host: "backup.example.com", port: 8443, protocol: "https" },
    ],
    ["rest:http://[::1]:8000/", { host: "::1", port: 8000, protocol: "http" }],
    ["rest:http://127.0.0.1:8000/repo", { host: "127.0.0.1", port: 8000, protocol: "http" }],
    // sftp: restic's two spellings; port 22 unless the URL says, which then overrides ssh's config.
    [
      "sftp:backup@nas.local:/srv/restic",
      { host: "nas.local", port: 22, protocol: "ssh", portGiven: false, user: "backup" },
    ],
    ["sftp:nas.local:/srv/restic", { host: "nas.local", port: 22, protocol: "ssh", portGiven: false }],
    ["sftp:nas:relative/repo", { host: "nas", port: 22, protocol: "ssh", portGiven: false }],
    [
      "sftp:backup@[fd00::5]:/srv/restic",
      { host: "fd00::5", port: 22, protocol: "ssh", portGiven: false, user: "backup" },
    ],
    ["sftp:me@home@nas:/srv", { host: "nas", port: 22, protocol: "ssh", portGiven: false, user: "me@home" }],
    [
      "sftp://backup@nas.local:2222//srv/restic",
      { host: "nas.local", port: 2222, protocol: "ssh", portGiven: true, user: "backup" },
    ],
    ["sftp://nas.local/srv/restic", { host: "nas.local", port: 22, protocol: "ssh", portGiven: false }],
    // s3: a URL as written; without a scheme, the first segment over HTTPS.
    ["s3:s3.amazonaws.com/bucket/laptop", { host: "s3.amazonaws.com", port: 443, protocol: "https" }],
    [
      "s3:s3.eu-central-1.amazonaws.com/bucket",
      { host: "s3.eu-central-1.amazonaws.com", port: 443, protocol: "https" },
    ],
    ["s3:https://minio.lan:9000/bucket", { host: "minio.lan", port: 9000, protocol: "https" }],
    ["s3:http://minio.lan/bucket", { host: "minio.lan", port: 80, protocol: "http" }],
    ["s3:minio.lan:9000/bucket", { host: "minio.lan", port: 9000, protocol: "https" }],
    ["s3://s3.amazonaws.com/bucket", { host: "s3.amazonaws.com", port: 443, protocol: "https" }],
    // The clouds' public endpoints.
    ["b2:bucket:laptop", { host: "api.backblazeb2.com", port: 443, protocol: "https" }],
    ["gs:bucket:/laptop", { host: "storage.googleapis.com", port: 443, protocol: "https" }],
  ])("%s", (repository, expected) => {
    expect(repositoryEndpoint(repository)).toEqual(expected);
  });

  it.each([
    ["/srv/restic", "a local folder"],
    ["local:/srv/restic", "restic's local: prefix"],
    ["C:\\Backups\\restic", "a Windows path"],
    ["rclone:onedrive:backup", "rclone: its remotes may be anything"],
    ["azure:container:/laptop", "azure: without AZURE_ACCOUNT_NAME"],
    ["swift:container:/laptop", "swift: without OS_AUTH_URL"],
    ["rest:http+unix:///run/rest.sock:/repo", "a REST server on a unix socket"],
    ["rest:not a url", "a URL it cannot read"],
    ["sftp:no-path", "sftp: without host:path"],
  ])("%s: nothing to connect to (%s)", (repository) => {
    expect(repositoryEndpoint(repository)).toBeUndefined();
  });

  it("azure: the account's blob endpoint, on Azure's own cloud or another (AZURE_ENDPOINT_SUFFIX)", () => {
    expect(repositoryEndpoint("azure:c:/p", { AZURE_ACCOUNT_NAME: "acme" })).toEqual({
      host: "acme.blob.core.windows.net",
      port: 443,
      protocol: "https",
    });
    expect(
      repositoryEndpoint("azure:c:/p", {
        AZURE_ACCOUNT_NAME: "acme",
        AZURE_ENDPOINT_SUFFIX: "core.chinacloudapi.cn",
      }),
    ).toMatchObject({ host: "acme.blob.core.chinacloudapi.cn" });
  });

  it("swift: the auth server from OS_AUTH_URL", () => {
    expect(repositoryEndpoint("swift:c:/p", { OS_AUTH_URL: "https://keystone.example.com:5000/v3" })).toEqual(
      {
        host: "keystone.example.com",
        port: 5000,
        protocol: "https",
      },
    );
  });
});

describe("proxyEndpoint: the proxy restic goes through, as Go reads the environment", () => {
  const https = { host: "backup.example.com", port: 443, protocol: "https" } as const;
  const http = { host: "backup.example.com", port: 8000, protocol: "http" } as const;

  it("HTTPS_PROXY for https, HTTP_PROXY for http, either case, with or without a scheme", () => {
    expect(proxyEndpoint(https, { HTTPS_PROXY: "http://proxy.corp:3128" })).toMatchObject({
      host: "proxy.corp",
      port: 3128,
    });
    expect(proxyEndpoint(https, { https_proxy: "proxy.corp:3128" })).toMatchObject({
      host: "proxy.corp",
      port: 3128,
    });
    expect(proxyEndpoint(http, { HTTP_PROXY: "http://proxy.corp" })).toMatchObject({
      host: "proxy.corp",
      port: 80,
    });
    expect(proxyEndpoint(http, { HTTPS_PROXY: "http://proxy.corp:3128" })).toBeUndefined();
    expect(proxyEndpoint(https, {})).toBeUndefined();
  });

  it.each([
    ["*", true],
    ["backup.example.com", true],
    ["example.com", true],
    [".example.com", true],
    ["*.example.com", true],
    ["localhost, backup.example.com:443", true],
    ["other.com", false],
    ["ample.com", false],
  ])("NO_PROXY=%s bypasses it: %s", (noProxy, bypassed) => {
    const proxy = proxyEndpoint(https, { HTTPS_PROXY: "proxy.corp:3128", NO_PROXY: noProxy });
    expect(proxy === undefined).toBe(bypassed);
  });

  it("never for sftp: ssh does not use HTTP proxies", () => {
    expect(
      proxyEndpoint(
        { host: "nas", port: 22, protocol: "ssh" },
        { HTTPS_PROXY: "proxy:3128", HTTP_PROXY: "proxy:3128" },
      ),
    ).toBeUndefined();
  });
});

describe("parseSshConfig (ssh -G, captured: see fixtures/README.md)", () => {
  it("a host without config connects where it says", () => {
    expect(parseSshConfig(fixture("ssh-G-plain.txt"))).toEqual({
      kind: "direct",
      host: "backup.example.com",
      port: 22,
    });
  });

  it("an alias connects to its HostName and Port", () => {
    expect(parseSshConfig(fixture("ssh-G-alias.txt"))).toEqual({
      kind: "direct",
      host: "nas.home.arpa",
      port: 2222,
    });
  });

  it("a host behind a ProxyJump is not reachable directly", () => {
    expect(parseSshConfig(fixture("ssh-G-proxyjump.txt"))).toEqual({ kind: "proxied" });
  });

  it("output without a hostname says nothing", () => {
    expect(parseSshConfig("")).toBeUndefined();
  });
});

it("formatHostPort brackets IPv6 addresses", () => {
  expect(formatHostPort("::1", 8000)).toBe("[::1]:8000");
  expect(formatHostPort("backup.example.com", 8000)).toBe("backup.example.com:8000");
});
