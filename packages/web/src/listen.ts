import {
  DEFAULT_UI_LISTEN,
  type ExposurePolicy,
  exposureProblem,
  formatHostPort,
  isLoopbackHost,
  LISTEN_EXPECTED,
  type ListenAddress,
  parseListenAddress,
} from "@simplebackup/core";
import { DashboardError } from "./errors.js";

// The rules live in core's config (ui-listen.ts), where `validate` says them; here they are applied
// to the options an app passes in code, as typed errors.

export type { ExposurePolicy, ListenAddress };
export { formatHostPort };

/** @default "127.0.0.1:8470" */
export const DEFAULT_LISTEN = DEFAULT_UI_LISTEN;

/** Reads `host:port`, `[v6]:port` or a bare port (which means 127.0.0.1). */
export function parseListen(text: string): ListenAddress {
  const address = parseListenAddress(text);
  if (!address) {
    throw new DashboardError(
      "DASHBOARD_LISTEN_INVALID",
      `ui.listen "${text}" is not an address: write ${LISTEN_EXPECTED}`,
    );
  }
  return address;
}

export const isLoopback = isLoopbackHost;

/** @throws DashboardError DASHBOARD_LISTEN_UNSAFE when another machine could reach it without TLS or a user */
export function checkExposure(address: ListenAddress, policy: ExposurePolicy): void {
  const problem = exposureProblem(address, policy);
  if (problem) throw new DashboardError("DASHBOARD_LISTEN_UNSAFE", `ui.listen ${problem}`);
}
