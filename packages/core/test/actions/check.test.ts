import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resticAtLeast } from "../../../../test/support/restic.js";
import { runCheck } from "../../src/actions/check.js";
import { resticRun } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";

const PASSWORD = "check-secret-9a2f";
const fixture = createTestRepository("check", PASSWORD);
const { temp, source, repository, restic } = fixture;
const job = fixture.job("docs");

beforeAll(() => {
  mkdirSync(source);
  writeFileSync(join(source, "data.bin"), randomBytes(500_000));
  writeFileSync(join(source, "notes.txt"), "notes");
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  const backup = resticRun(repository, PASSWORD, ["backup", "-q", "--tag", "simplebackup:docs", source]);
  expect(backup.status, backup.stderr).toBe(0);
});
afterAll(() => temp.dispose());

describe("runCheck against a real restic", () => {
  it("checks a sound repository, reading group 1 of 2", async () => {
    const result = await runCheck(job, { restic, readDataSubset: "1/2" });
    expect(result).toMatchObject({ ok: true, errors: [], readDataSubset: "1/2", job: "docs" });
    if (resticAtLeast("0.18.0")) {
      // 0.18's --json leaves restic's line out: it is said from the subset asked for.
      expect(result.read).toBe("read group #1 of the data packs in 2 groups");
    } else {
      expect(result.read).toMatch(/^read group #1 of \d+ data packs \(out of total \d+ packs in 2 groups\)$/);
    }
  });

  it("reads a percentage of the data", async () => {
    const result = await runCheck(job, { restic, readDataSubset: "5%" });
    expect(result).toMatchObject({ ok: true, readDataSubset: "5%", read: "read 5.0% of data packs" });
  });

  it("rejects a subset restic would refuse, before running restic", async () => {
    await expect(runCheck(job, { restic, readDataSubset: "150%" })).rejects.toThrow(RangeError);
    await expect(runCheck(job, { restic, readDataSubset: "3/2" })).rejects.toThrow(RangeError);
  });

  it("fails on a corrupted pack when the data is read, naming the pack", async () => {
    const packs = readdirSync(join(repository, "data"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    const pack = packs[0] as string;
    chmodSync(pack, 0o600);
    const bytes = readFileSync(pack);
    for (let i = 500; i < 600; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
    writeFileSync(pack, bytes);

    const structural = await runCheck(job, { restic });
    expect(structural.ok).toBe(true); // without reading data, restic cannot see it

    const result = await runCheck(job, { restic, readData: true });
    const packId = pack.split("/").at(-1) as string;
    expect(result).toMatchObject({ ok: false, read: "read all data" });
    expect(result.errors).toHaveLength(1);
    if (resticAtLeast("0.18.0")) {
      // One error (restic's num_errors), and its advice as notes, not as three more errors.
      expect(result.errors[0]).toMatch(new RegExp(`^pack ${packId} contains \\d+ errors?: `));
      expect(result.notes).toContain(`restic repair packs ${packId}`);
      expect(result.notes.join("\n")).toContain("The repository contains damaged pack files.");
    } else {
      expect(result.errors[0]).toContain(`Pack ID does not match, want ${packId}`);
    }
  });

  it("throws a typed error when the check cannot run at all", async () => {
    const wrong = { ...job, password: { kind: "literal" as const, value: "not the password" } };
    await expect(runCheck(wrong, { restic })).rejects.toMatchObject({ code: "WRONG_PASSWORD" });
  });
});
