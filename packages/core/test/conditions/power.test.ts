import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsePmsetBatt, parseWin32Battery, readLinuxPower } from "../../src/conditions/power.js";
import { createTempDir, writeTree } from "../helpers/tree.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

const temp = createTempDir("sb-power-");
afterAll(() => temp.dispose());
let trees = 0;

/** A fake /sys/class/power_supply: each supply a folder of one-line attribute files, as sysfs has them. */
function sysfs(supplies: Record<string, Record<string, string>>): string {
  const root = join(temp.path, `tree-${trees++}`);
  const files: Record<string, string> = {};
  for (const [name, attributes] of Object.entries(supplies)) {
    for (const [attribute, value] of Object.entries(attributes)) files[`${name}/${attribute}`] = `${value}\n`;
  }
  writeTree(root, files);
  return root;
}

const MAINS = { source: "mains" };
const BATTERY = { source: "battery", ups: false };

describe("Linux: /sys/class/power_supply", () => {
  const ac = (online: string) => ({ type: "Mains", online });
  const bat = (status: string, extra: Record<string, string> = {}) => ({
    type: "Battery",
    scope: "System",
    present: "1",
    status,
    ...extra,
  });

  it.each([
    ["a laptop plugged in", { AC: ac("1"), BAT0: bat("Charging") }, MAINS],
    ["a laptop plugged in and full", { AC: ac("1"), BAT0: bat("Full") }, MAINS],
    ["a laptop unplugged", { AC: ac("0"), BAT0: bat("Discharging") }, BATTERY],
    ["a charger too weak for the load: plugged in counts", { AC: ac("1"), BAT0: bat("Discharging") }, MAINS],
    [
      "a charge threshold reached (ThinkPad): Not charging",
      { AC: ac("1"), BAT0: bat("Not charging") },
      MAINS,
    ],
    ["no adapter entry, battery charging", { BAT0: bat("Charging") }, MAINS],
    ["no adapter entry, battery discharging", { BAT0: bat("Discharging") }, BATTERY],
    [
      "two batteries, one discharging (ThinkPad BAT0/BAT1)",
      { AC: ac("0"), BAT0: bat("Unknown"), BAT1: bat("Discharging") },
      BATTERY,
    ],
    ["an empty battery bay", { AC: ac("0"), BAT1: bat("Discharging", { present: "0" }) }, MAINS],
    [
      "a USB-C charger online (USB-PD)",
      { "ucsi-source-psy-USBC000:001": { type: "USB", online: "1" }, BAT0: bat("Charging") },
      MAINS,
    ],
    [
      "a USB-C port online while the battery drains (powering a phone, or a weak charger)",
      { AC: ac("0"), "ucsi-source-psy-USBC000:001": { type: "USB", online: "1" }, BAT0: bat("Discharging") },
      BATTERY,
    ],
    ["online 2 (programmable) counts as online", { AC: ac("2"), BAT0: bat("Discharging") }, MAINS],
    ["a desktop: an adapter entry and no battery", { AC: ac("1") }, MAINS],
    [
      "a desktop with a wireless mouse whose battery drains (scope Device)",
      { hidpp_battery_0: { type: "Battery", scope: "Device", status: "Discharging" } },
      MAINS,
    ],
    ["a UPS on mains", { ups0: { type: "UPS", status: "Charging", present: "1" } }, MAINS],
    [
      "a UPS running from its battery: the mains are out",
      { ups0: { type: "UPS", status: "Discharging" } },
      { source: "battery", ups: true },
    ],
    ["a supply without a type file is ignored", { odd: { online: "1" }, BAT0: bat("Discharging") }, BATTERY],
    ["a battery without a status file says nothing", { AC: ac("0"), BAT0: { type: "Battery" } }, MAINS],
  ])("%s", async (_name, supplies, expected) => {
    expect(await readLinuxPower(sysfs(supplies))).toEqual(expected);
  });

  it("a machine without power supplies (a server, a VM: an empty folder) is on mains", async () => {
    expect(await readLinuxPower(sysfs({}))).toEqual(MAINS);
  });

  it("a machine without the power_supply class at all (a container) is on mains", async () => {
    expect(await readLinuxPower(join(temp.path, "no-such-class"))).toEqual(MAINS);
  });

  it.skipIf(process.getuid?.() === 0)("a folder it cannot read is unknown, with the reason", async () => {
    const root = sysfs({ BAT0: bat("Discharging") });
    chmodSync(root, 0o000);
    try {
      const reading = await readLinuxPower(root);
      expect(reading).toMatchObject({ source: "unknown" });
      expect(reading.source === "unknown" && reading.why).toContain("EACCES");
    } finally {
      chmodSync(root, 0o755);
    }
  });

  it("a root that is a file, not a folder, is unknown", async () => {
    const root = join(temp.path, "a-file");
    writeTree(temp.path, { "a-file": "x" });
    expect(await readLinuxPower(root)).toMatchObject({
      source: "unknown",
      why: expect.stringContaining("ENOTDIR"),
    });
  });
});

describe("macOS: pmset -g batt (captured output, see fixtures/README.md)", () => {
  it.each([
    ["pmset-battery-discharging.txt", BATTERY],
    ["pmset-battery-no-estimate.txt", BATTERY],
    ["pmset-battery-with-id.txt", BATTERY],
    ["pmset-ac-not-charging.txt", MAINS],
    ["pmset-ac-charging.txt", MAINS],
    ["pmset-ac-charging-with-id.txt", MAINS],
    ["pmset-desktop.txt", MAINS],
  ])("%s", (file, expected) => {
    expect(parsePmsetBatt(fixture(file))).toEqual(expected);
  });

  it("'UPS Power' (IOKit's kIOPMUPSPowerKey; no captured output found) is a UPS battery", () => {
    expect(parsePmsetBatt(fixture("pmset-desktop.txt").replace("AC Power", "UPS Power"))).toEqual({
      source: "battery",
      ups: true,
    });
  });

  it("output without the line, or an unknown source, is unknown", () => {
    expect(parsePmsetBatt("")).toMatchObject({ source: "unknown" });
    expect(parsePmsetBatt("Now drawing from 'Solar Power'\n")).toEqual({
      source: "unknown",
      why: "pmset -g batt says it draws from 'Solar Power'",
    });
  });
});

describe("Windows: Get-CimInstance Win32_Battery (captured output, see fixtures/README.md)", () => {
  it.each([
    ["win32-battery-discharging.txt", BATTERY],
    ["win32-battery-wmiobject-discharging.txt", BATTERY],
    ["win32-battery-two-simulated.txt", MAINS],
  ])("%s", (file, expected) => {
    expect(parseWin32Battery(fixture(file))).toEqual(expected);
  });

  it("no instance (no battery: nothing printed) is on mains", () => {
    expect(parseWin32Battery("")).toEqual(MAINS);
    expect(parseWin32Battery("\r\n\r\n")).toEqual(MAINS);
  });

  it("reads Windows line ends", () => {
    expect(parseWin32Battery(fixture("win32-battery-discharging.txt").replaceAll("\n", "\r\n"))).toEqual(
      BATTERY,
    );
  });

  it("output that lists no BatteryStatus is unknown", () => {
    expect(parseWin32Battery("Get-CimInstance : Invalid class\n")).toMatchObject({ source: "unknown" });
  });
});
