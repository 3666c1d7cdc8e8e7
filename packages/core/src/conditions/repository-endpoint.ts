import { isIP } from "node:net";

/** The server restic talks to for a repository, and how. */
export interface RepositoryEndpoint {
  readonly host: string;
  readonly port: number;
  /**
   * `ssh` (sftp:): ssh's own config may rename the host, change the port or jump through a proxy.
   * `http`/`https`: an HTTP proxy from the environment may stand in between.
   */
  readonly protocol: "ssh" | "http" | "https";
  /** sftp: the port was written in the URL, which overrides ssh's config. */
  readonly portGiven?: boolean;
  /** sftp: the user written in the URL. */
  readonly user?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The host and port restic connects to for a repository, or undefined when there is none to check: a
 * local folder (`/srv/restic`, `local:…`, `C:\…`), `rclone:` (rclone's own remotes, which may be
 * anything), `azure:` without AZURE_ACCOUNT_NAME, `swift:` without OS_AUTH_URL, or a URL it cannot read.
 * `env` is restic's environment (the job's env over the daemon's): it names Azure's account and
 * Swift's auth server. Public endpoints: b2 → api.backblazeb2.com, gs → storage.googleapis.com, azure →
 * <account>.blob.<AZURE_ENDPOINT_SUFFIX or core.windows.net>, s3 without a scheme → HTTPS.
 */
export function repositoryEndpoint(
  repository: string,
  env: Environment = {},
): RepositoryEndpoint | undefined {
  const colon = repository.indexOf(":");
  const scheme = colon > 0 ? repository.slice(0, colon) : "";
  const rest = repository.slice(colon + 1);
  switch (scheme) {
    case "rest":
      return httpEndpoint(rest);
    case "sftp":
      return rest.startsWith("//") ? sftpUrlEndpoint(repository) : sftpShortEndpoint(rest);
    case "s3":
      if (/^https?:\/\//.test(rest)) return httpEndpoint(rest);
      // s3:host[:port]/bucket, and the older s3://host/bucket: HTTPS to the first path segment.
      return httpEndpoint(`https://${rest.replace(/^\/\//, "").split("/", 1)[0]}`);
    case "b2":
      return { host: "api.backblazeb2.com", port: 443, protocol: "https" };
    case "gs":
      return { host: "storage.googleapis.com", port: 443, protocol: "https" };
    case "azure": {
      const account = env.AZURE_ACCOUNT_NAME;
      if (!account) return undefined;
      const suffix = env.AZURE_ENDPOINT_SUFFIX || "core.windows.net";
      return { host: `${account}.blob.${suffix}`, port: 443, protocol: "https" };
    }
    case "swift":
      return env.OS_AUTH_URL ? httpEndpoint(env.OS_AUTH_URL) : undefined;
    default:
      // rclone:, local:, a drive letter, a plain path.
      return undefined;
  }
}

/** A URL with a host (an IPv6 one without its brackets), or undefined. */
function readUrl(text: string): { url: URL; host: string } | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  const host = unbracket(url.hostname);
  return host === "" ? undefined : { url, host };
}

function httpEndpoint(text: string): RepositoryEndpoint | undefined {
  const read = readUrl(text);
  if (!read || (read.url.protocol !== "http:" && read.url.protocol !== "https:")) return undefined;
  const { url, host } = read;
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host, port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443, protocol };
}

/** sftp://user@host:port//path (restic's URL form; the port defaults to ssh's). */
function sftpUrlEndpoint(repository: string): RepositoryEndpoint | undefined {
  const read = readUrl(repository);
  if (!read) return undefined;
  const { url, host } = read;
  return {
    host,
    port: url.port ? Number(url.port) : 22,
    protocol: "ssh",
    portGiven: url.port !== "",
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
  };
}

/** sftp:user@host:/path, sftp:host:path, sftp:user@[::1]:/path. */
function sftpShortEndpoint(rest: string): RepositoryEndpoint | undefined {
  const at = rest.lastIndexOf("@", rest.startsWith("[") ? 0 : rest.indexOf(":"));
  const user = at > 0 ? rest.slice(0, at) : undefined;
  const hostAndPath = at >= 0 ? rest.slice(at + 1) : rest;
  const host = hostAndPath.startsWith("[")
    ? hostAndPath.slice(1, hostAndPath.indexOf("]"))
    : hostAndPath.split(":", 1)[0];
  if (!host || !hostAndPath.includes(":")) return undefined;
  return { host, port: 22, protocol: "ssh", portGiven: false, ...(user ? { user } : {}) };
}

const unbracket = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The HTTP proxy restic goes through for an HTTP(S) endpoint, as Go reads it: HTTPS_PROXY for https,
 * HTTP_PROXY for http (upper or lower case), unless NO_PROXY names the host (`*`, the host itself, or a
 * domain it is in; a port in an entry is ignored). A check that connected past the proxy would say
 * "down" on a network where only the proxy gets out.
 */
export function proxyEndpoint(
  endpoint: RepositoryEndpoint,
  env: Environment,
): RepositoryEndpoint | undefined {
  if (endpoint.protocol === "ssh") return undefined;
  const read = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = read(endpoint.protocol === "https" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (!proxy || bypassesProxy(endpoint.host, read("NO_PROXY") ?? "")) return undefined;
  // Go takes a proxy without a scheme as http://.
  return httpEndpoint(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
}

function bypassesProxy(host: string, noProxy: string): boolean {
  const name = host.toLowerCase();
  return noProxy
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true;
      const domain = unbracket(entry.replace(/:\d+$/, "")).replace(/^\*?\./, "");
      return name === domain || name.endsWith(`.${domain}`);
    });
}

/** What `ssh -G host` says about a host: where it really connects, or that it goes through a proxy. */
export type SshRoute =
  | { readonly kind: "direct"; readonly host: string; readonly port: number }
  | { readonly kind: "proxied" };

/**
 * Reads `ssh -G`'s output (`hostname …`, `port …`, `proxycommand …`, `proxyjump …`, one a line).
 * Undefined when it names no hostname, so the caller keeps the host as written.
 */
export function parseSshConfig(output: string): SshRoute | undefined {
  const settings = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined && !settings.has(match[1].toLowerCase())) {
      settings.set(match[1].toLowerCase(), match[2]);
    }
  }
  const proxied = (key: string) => {
    const value = settings.get(key);
    return value !== undefined && value !== "none";
  };
  if (proxied("proxycommand") || proxied("proxyjump")) return { kind: "proxied" };
  const host = settings.get("hostname");
  const port = Number(settings.get("port") ?? "22");
  if (!host || !Number.isInteger(port) || port <= 0) return undefined;
  return { kind: "direct", host, port };
}
