import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/state/atomic-file.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-atomic-");
});
afterEach(() => dir.dispose());

describe("writeFileAtomic", () => {
  it("replaces a file whole and leaves no temp file", async () => {
    const file = join(dir.path, "state.json");
    writeFileSync(file, "old");
    await writeFileAtomic(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(() => statSync(`${file}.${process.pid}.tmp`)).toThrow();
  });

  it("gives the file the mode asked for, even over a wider temp file a crash left", async () => {
    const file = join(dir.path, "secret.html");
    writeFileSync(`${file}.${process.pid}.tmp`, "left by a crash", { mode: 0o644 });
    await writeFileAtomic(file, "secret", { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe("secret");
  });
});
