import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode } from "../system/errno-code.js";

/**
 * Where the machine draws its power from, as far as it can tell. `ups`: the battery is a UPS the
 * system reports (macOS, Linux), which means the mains are out.
 */
export type PowerReading =
  | { readonly source: "mains" }
  | { readonly source: "battery"; readonly ups: boolean }
  | { readonly source: "unknown"; readonly why: string };

const MAINS: PowerReading = { source: "mains" };

/** Where Linux lists its power supplies. */
export const LINUX_POWER_SUPPLY_ROOT = "/sys/class/power_supply";

interface Supply {
  readonly type: string;
  readonly online: string | undefined;
  readonly status: string | undefined;
  readonly scope: string | undefined;
  readonly present: string | undefined;
}

/**
 * Reads the power source from Linux's sysfs, a few small files and no process, so a check once a
 * minute costs nothing. The rules (systemd's `on_ac_power`, with one difference, see below):
 * - an external supply that is online (`Mains`, and `Wireless`, `BrickID`: anything but a battery,
 *   a UPS or USB) means mains, even when a battery discharges under a charger too weak for the load;
 * - otherwise a battery that powers this machine (scope not `Device`: a mouse's or a headset's is
 *   ignored; `present` not 0) and reports `Discharging` means battery; a `UPS`-type supply counts as a
 *   battery then: the mains are out;
 * - otherwise mains: no battery at all (a desktop, a server, a VM, a container without sysfs), or
 *   batteries that are `Charging`, `Full`, `Not charging` (a charge threshold) or `Unknown`.
 * The difference: an online `USB` supply does not outweigh a discharging battery. It may be a USB-C
 * port powering a phone (systemd looks up the port's power role for that), or a charger weaker than
 * the load; either way the battery drains, which is what `on_ac_power` is there to prevent.
 */
export async function readLinuxPower(root: string = LINUX_POWER_SUPPLY_ROOT): Promise<PowerReading> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    // No power-supply class at all: nothing runs on a battery here.
    if (errnoCode(error) === "ENOENT") return MAINS;
    return { source: "unknown", why: `cannot read ${root}: ${(error as Error).message}` };
  }
  const supplies = await Promise.all(names.map((name) => readSupply(join(root, name))));
  return linuxPowerSource(supplies.filter((supply) => supply !== undefined));
}

const isBatteryLike = (type: string) => type === "Battery" || type === "UPS";

async function readSupply(dir: string): Promise<Supply | undefined> {
  const attribute = (name: string) =>
    readFile(join(dir, name), "utf8").then(
      (text) => text.trim(),
      () => undefined,
    );
  const type = await attribute("type");
  if (type === undefined) return undefined;
  if (!isBatteryLike(type)) {
    return {
      type,
      online: await attribute("online"),
      status: undefined,
      scope: undefined,
      present: undefined,
    };
  }
  const scope = await attribute("scope");
  const present = await attribute("present");
  // A peripheral's battery is never read further: over Bluetooth that can be slow.
  const powersThis = scope !== "Device" && present !== "0";
  return {
    type,
    online: undefined,
    status: powersThis ? await attribute("status") : undefined,
    scope,
    present,
  };
}

function linuxPowerSource(supplies: readonly Supply[]): PowerReading {
  const externalOnline = supplies.some(
    (supply) =>
      !isBatteryLike(supply.type) && !supply.type.startsWith("USB") && Number(supply.online ?? "0") >= 1,
  );
  if (externalOnline) return MAINS;
  const discharging = supplies.filter(
    (supply) =>
      isBatteryLike(supply.type) &&
      supply.scope !== "Device" &&
      supply.present !== "0" &&
      supply.status === "Discharging",
  );
  if (discharging.length === 0) return MAINS;
  return { source: "battery", ups: discharging.every((supply) => supply.type === "UPS") };
}

/**
 * Reads `pmset -g batt` (macOS). Its first line says what the machine draws from: `'AC Power'`,
 * `'Battery Power'`, or `'UPS Power'` (IOKit's kIOPMUPSPowerKey: running from a UPS, the mains out).
 * A Mac without a battery prints the `'AC Power'` line alone.
 */
export function parsePmsetBatt(output: string): PowerReading {
  const drawing = /Now drawing from '([^']+)'/.exec(output)?.[1];
  switch (drawing) {
    case "AC Power":
      return MAINS;
    case "Battery Power":
      return { source: "battery", ups: false };
    case "UPS Power":
      return { source: "battery", ups: true };
    case undefined:
      return {
        source: "unknown",
        why: `pmset -g batt printed no "Now drawing from" line: ${firstLine(output)}`,
      };
    default:
      return { source: "unknown", why: `pmset -g batt says it draws from '${drawing}'` };
  }
}

/** Win32_Battery.BatteryStatus codes that mean the machine has AC: 2 "has access to AC", 6–9 charging. */
const WINDOWS_ON_AC = new Set([2, 6, 7, 8, 9]);
/** 1 "discharging", 4 "low", 5 "critical": on battery. */
const WINDOWS_DISCHARGING = new Set([1, 4, 5]);

/**
 * Reads `Get-CimInstance Win32_Battery` as PowerShell lists it (one `BatteryStatus : n` line per
 * battery). No instance (empty output) is a machine without a battery: mains. A UPS that Windows
 * knows shows up here as a battery too, and counts like one. Any battery on AC or charging means
 * mains; otherwise one discharging means battery; the other codes (3 fully charged, 10 undefined,
 * 11 partially charged, or empty, which some firmware reports) say nothing of the power line and
 * read as mains, like Linux's `Full` and `Unknown`.
 */
export function parseWin32Battery(output: string): PowerReading {
  const statuses = [...output.matchAll(/^\s*BatteryStatus\s*:\s*(\d*)\s*$/gm)].map((match) =>
    Number(match[1]),
  );
  if (statuses.length === 0) {
    if (output.trim() === "") return MAINS;
    return { source: "unknown", why: `Win32_Battery listed no BatteryStatus: ${firstLine(output)}` };
  }
  if (statuses.some((status) => WINDOWS_ON_AC.has(status))) return MAINS;
  if (statuses.some((status) => WINDOWS_DISCHARGING.has(status))) return { source: "battery", ups: false };
  return MAINS;
}

function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? "";
  return line === "" ? "(nothing)" : line.slice(0, 120);
}
