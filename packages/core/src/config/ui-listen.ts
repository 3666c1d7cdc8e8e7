import { isIP } from "node:net";

/*
 * Where the dashboard may listen: the address's shape and the rule for leaving loopback. Config rules,
 * so `validate` and every config load say them, naming `ui.listen`, before a daemon starts; the
 * dashboard (@simplebackup/web) applies the same functions to options given in code.
 */

export interface ListenAddress {
  /** As the socket binds it: `127.0.0.1`, `::1`, `0.0.0.0`, a name. */
  readonly host: string;
  /** 0 asks the system for a free port (tests). */
  readonly port: number;
}

/** Reads `host:port`, `[v6]:port` or a bare port (which means 127.0.0.1); undefined when it is none. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(trimmed)) {
    host = "127.0.0.1";
    portText = trimmed;
  } else {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(trimmed);
    if (!match) return undefined;
    host = match[1] ?? match[2] ?? "";
    portText = match[3] ?? "";
    if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || host === "") return undefined;
  return { host, port };
}

/** What `ui.listen` must look like, said when it does not. */
export const LISTEN_EXPECTED = "host:port with a port from 1 to 65535, such as 127.0.0.1:8470 or [::1]:8470";

/**
 * Whether only this machine can reach the address. `localhost` counts: it resolves to a loopback
 * address on every system we run on, and binding it cannot open a port to the network.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./i.test(host);
  return false;
}

export interface ExposurePolicy {
  readonly tls: boolean;
  readonly insecureHttp: boolean;
  readonly users: number;
}

/**
 * The rule for leaving loopback: the dashboard can read every backed-up file, so another machine may
 * reach it only over TLS (or by an explicit `insecure_http: true`, for a network the user trusts or a
 * TLS proxy in front), and only with a named user's password — a login link needs a shell on this
 * machine, which a person on another machine should not need to reach the page.
 * @returns why the address may not be used, with the fix; undefined when it may
 */
export function exposureProblem(address: ListenAddress, policy: ExposurePolicy): string | undefined {
  if (isLoopbackHost(address.host)) return undefined;
  const where = `${formatHostPort(address.host, address.port)} is reachable from other machines`;
  if (!policy.tls && !policy.insecureHttp) {
    return `${where}: set ui.tls (cert and key files), or insecure_http: true if a TLS proxy or a trusted network protects it; or listen on 127.0.0.1 and use an SSH tunnel`;
  }
  if (policy.users === 0) {
    return `${where}: add a user (ui.users, with a password hash from \`simplebackup ui --hash-password\`), since the login link needs a shell on this machine`;
  }
  return undefined;
}

/** `host:port`, with IPv6 addresses in brackets as URLs and Host headers write them. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
