import { describe, expect, it, vi } from "vitest";
import { SimplebackupError } from "../../src/errors.js";
import type { LocateResticOptions } from "../../src/restic/locate.js";
import type { Restic } from "../../src/restic/restic.js";
import { createResticProvider } from "../../src/restic/restic-provider.js";

const notFound = () => new SimplebackupError("RESTIC_NOT_FOUND", "restic was not found on PATH.");

/** A restic that never spawns: `run` does what the test says, `version` counts its calls. */
function fakeRestic(binary: string, run: Restic["run"] = async () => ({}) as never): Restic {
  return { binary, version: vi.fn(async () => ({ version: "0.14.0" }) as never), run };
}

describe("createResticProvider", () => {
  it("looks nothing up until first asked", async () => {
    const locate = vi.fn(async () => "/opt/restic");
    const provider = createResticProvider({ locate, create: (binary) => fakeRestic(binary) });
    expect(locate).not.toHaveBeenCalled();
    expect((await provider.get()).binary).toBe("/opt/restic");
    expect(locate).toHaveBeenCalledTimes(1);
  });

  it("passes restic_binary, read at lookup time, with env and platform to the lookup", async () => {
    let configured: string | undefined = "/first/restic";
    const seen: LocateResticOptions[] = [];
    const locate = async (options: LocateResticOptions) => {
      seen.push(options);
      return options.configured ?? "restic";
    };
    const env = { PATH: "/nowhere" };
    const provider = createResticProvider({
      configured: () => configured,
      env,
      platform: "linux",
      locate,
      create: (binary) => fakeRestic(binary),
    });
    configured = "/second/restic";
    expect((await provider.get()).binary).toBe("/second/restic");
    expect(seen).toEqual([{ configured: "/second/restic", env, platform: "linux" }]);
  });

  it("keeps one Restic, so restic version is asked once", async () => {
    const locate = vi.fn(async () => "/opt/restic");
    const create = vi.fn((binary: string) => fakeRestic(binary));
    const provider = createResticProvider({ locate, create });
    const [a, b] = await Promise.all([provider.get(), provider.get()]);
    const c = await provider.get();
    expect(a).toBe(b);
    expect(a).toBe(c);
    await a.version();
    await c.version();
    expect(locate).toHaveBeenCalledTimes(1);
    expect(create).toHaveBeenCalledTimes(1);
    expect(create.mock.results[0]?.value.version).toHaveBeenCalledTimes(2);
  });

  it("looks again after a lookup failed, so restic installed later is found", async () => {
    const locate = vi.fn<(options: LocateResticOptions) => Promise<string>>();
    locate.mockRejectedValueOnce(notFound()).mockResolvedValueOnce("/usr/bin/restic");
    const provider = createResticProvider({ locate, create: (binary) => fakeRestic(binary) });
    await expect(provider.get()).rejects.toMatchObject({ code: "RESTIC_NOT_FOUND" });
    expect((await provider.get()).binary).toBe("/usr/bin/restic");
    expect(locate).toHaveBeenCalledTimes(2);
  });

  it("looks again after the binary found could not be started", async () => {
    const locate = vi.fn<(options: LocateResticOptions) => Promise<string>>();
    locate.mockResolvedValueOnce("/gone/restic").mockResolvedValueOnce("/usr/bin/restic");
    const gone: Restic["run"] = async () => {
      throw new SimplebackupError("RESTIC_NOT_FOUND", "restic could not be started: /gone/restic not found");
    };
    const provider = createResticProvider({
      locate,
      create: (binary) => fakeRestic(binary, binary === "/gone/restic" ? gone : undefined),
    });
    const first = await provider.get();
    await expect(first.run(["snapshots"], { env: {} })).rejects.toMatchObject({ code: "RESTIC_NOT_FOUND" });
    expect((await provider.get()).binary).toBe("/usr/bin/restic");
    expect(locate).toHaveBeenCalledTimes(2);
  });

  it("keeps the binary when a run fails for any other reason", async () => {
    const locate = vi.fn(async () => "/opt/restic");
    const failing: Restic["run"] = async () => {
      throw new SimplebackupError("WRONG_PASSWORD", "wrong password");
    };
    const provider = createResticProvider({ locate, create: (binary) => fakeRestic(binary, failing) });
    const restic = await provider.get();
    await expect(restic.run(["snapshots"], { env: {} })).rejects.toMatchObject({ code: "WRONG_PASSWORD" });
    expect(await provider.get()).toBe(restic);
    expect(locate).toHaveBeenCalledTimes(1);
  });

  it("finds a fake binary through RESTIC_BINARY with the real lookup", async () => {
    const provider = createResticProvider({
      env: { RESTIC_BINARY: process.execPath, PATH: "" },
      create: (binary) => fakeRestic(binary),
    });
    expect((await provider.get()).binary).toBe(process.execPath);
  });
});
