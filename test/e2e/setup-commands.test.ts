import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, simplebackup, tempDir, write } from "./cli.js";

const temp = tempDir();
afterAll(() => temp.dispose());

const COMMITTED_SCHEMA = fileURLToPath(new URL("../../schema/backup_config.schema.json", import.meta.url));
const RECIPES = fileURLToPath(new URL("../../docs/recipes.md", import.meta.url));

const job = {
  jobname: "Docs",
  sources: ["./docs"],
  destination: "./repo",
  password: "pw",
  backup_interval: "0 2 * * *",
};

describe("simplebackup schema", () => {
  it("prints the committed JSON Schema (else regenerate it: pnpm run generate)", () => {
    const result = simplebackup(["schema"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(COMMITTED_SCHEMA, "utf8"));
    expect(JSON.parse(result.stdout)).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
    });
  });

  it("writes it to --output FILE", () => {
    const file = join(temp.path, "out", "schema.json");
    mkdirSync(join(temp.path, "out"));
    const result = simplebackup(["schema", "--output", file]);
    expect(result.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(COMMITTED_SCHEMA, "utf8"));
  });
});

describe("simplebackup init", () => {
  it("writes a commented starter config that validates", () => {
    const cwd = join(temp.path, "init-default");
    mkdirSync(cwd);
    const result = simplebackup(["init"], { cwd });
    expect(result.status).toBe(0);
    const file = join(cwd, "backup_config.json");
    expect(result.stdout).toContain(`Wrote ${file}`);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\s*\/\/ /m);
    expect(text).toContain('"$schema": "https://unpkg.com/simplebackup/schema/backup_config.schema.json"');

    const validate = simplebackup(["validate"], { cwd });
    expect(validate.stderr).not.toContain("problem");
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain("config is valid: 1 job");
  });

  it("never overwrites a file: exit 1, a clear message, the file unchanged", () => {
    const file = write(join(temp.path, "existing.json"), { backupjobs: [job] });
    const before = readFileSync(file, "utf8");
    const result = simplebackup(["init", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file} already exists; init never overwrites a file`);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("creates missing folders and takes another $schema, such as a relative path", () => {
    const file = join(temp.path, "nested", "deeper", "backup_config.json");
    const result = simplebackup(["init", file, "--schema", "../../schema/backup_config.schema.json"]);
    expect(result.status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain('"$schema": "../../schema/backup_config.schema.json"');
    expect(result.stdout).toContain("simplebackup validate --config");
    expect(simplebackup(["validate", "--config", file]).status).toBe(0);
  });
});

describe("simplebackup install-service / uninstall-service", () => {
  const config = write(join(temp.path, "service config", "backup_config.json"), { backupjobs: [job] });
  const home = join(temp.path, "home");
  mkdirSync(home);
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, APPDATA: undefined };

  it.each([
    ["linux", `ExecStart=${process.execPath} ${BIN} run --config "${config.replace(/%/g, "%%")}"`],
    ["darwin", `    <string>${config}</string>`],
    ["win32", "    <LogonTrigger>"],
  ])("--print --platform %s prints the service file and changes nothing", (platform, line) => {
    const result = simplebackup(["install-service", "--print", "--platform", platform, "--config", config], {
      env,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.split(/\r?\n/)).toContain(line);
    expect(result.stderr).toMatch(/Would write .+, then run:/);
    expect(existsSync(join(home, ".config"))).toBe(false);
    expect(existsSync(join(home, "Library"))).toBe(false);
  });

  it("refuses a broken config (exit 2), so a service never starts with one", () => {
    const broken = write(join(temp.path, "broken.json"), {
      backupjobs: [{ ...job, backup_interval: "nope" }],
    });
    const result = simplebackup(["install-service", "--print", "--config", broken], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("backup_interval");
  });

  it("installs another platform's service only as a preview (exit 2)", () => {
    const other = process.platform === "win32" ? "linux" : "win32";
    const result = simplebackup(["install-service", "--platform", other, "--config", config], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--platform ${other} only works with --print`);
  });

  it("prints the uninstall steps", () => {
    const result = simplebackup(["uninstall-service", "--print", "--platform", "linux"], { env });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "systemctl --user disable --now simplebackup",
        `rm ${join(home, ".config/systemd/user/simplebackup.service")}`,
        "systemctl --user daemon-reload",
        "",
      ].join("\n"),
    );
  });

  describe.runIf(process.platform === "linux")("on Linux, with a stand-in systemctl on PATH", () => {
    const bin = join(temp.path, "fake-bin");
    const log = join(temp.path, "systemctl.log");
    mkdirSync(bin);
    // Records its arguments; fails when FAIL_SYSTEMCTL is set, as it does without a user session.
    writeFileSync(
      join(bin, "systemctl"),
      `#!/bin/sh\necho "$*" >> "${log}"\nif [ -n "$FAIL_SYSTEMCTL" ]; then echo "Failed to connect to bus: No medium found" >&2; exit 1; fi\n`,
    );
    chmodSync(join(bin, "systemctl"), 0o755);
    const withFake = { ...env, PATH: `${bin}:${process.env.PATH}` };
    const unit = join(home, ".config", "systemd", "user", "simplebackup.service");

    it("writes the user unit and enables it; uninstall stops it and removes the unit", () => {
      const install = simplebackup(["install-service", "--config", config], { env: withFake });
      expect(install.stderr).not.toContain("failed");
      expect(install.status).toBe(0);
      expect(install.stdout).toContain(`Wrote ${unit}`);
      expect(readFileSync(unit, "utf8")).toContain(`ExecStart=${process.execPath} ${BIN} run --config`);
      expect(readFileSync(unit, "utf8")).toContain(`Environment="PATH=${bin}:`);

      const uninstall = simplebackup(["uninstall-service"], { env: withFake });
      expect(uninstall.status).toBe(0);
      expect(uninstall.stdout).toContain(`Removed ${unit}`);
      expect(existsSync(unit)).toBe(false);
      expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
        "--user daemon-reload",
        "--user enable simplebackup",
        "--user restart simplebackup",
        "--user disable --now simplebackup",
        "--user daemon-reload",
      ]);

      const again = simplebackup(["uninstall-service"], { env: withFake });
      expect(again.status).toBe(0);
      expect(again.stdout).toContain("not installed");
    });

    it("says what to do when systemctl fails (exit 1), keeping the written unit", () => {
      const result = simplebackup(["install-service", "--config", config], {
        env: { ...withFake, FAIL_SYSTEMCTL: "1" },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("systemctl failed (exit code 1)");
      expect(result.stderr).toContain("loginctl enable-linger $USER");
      expect(existsSync(unit)).toBe(true);
    });
  });
});

describe("docs/recipes.md", () => {
  const blocks = [...readFileSync(RECIPES, "utf8").matchAll(/```jsonc\n([\s\S]*?)```/g)].map(
    (match) => match[1] ?? "",
  );

  it("has a config for each recipe", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((block, index) => [index + 1, block]))(
    "config %i passes simplebackup validate",
    (index, block) => {
      const file = write(join(temp.path, "recipes", `recipe-${index}.json`), String(block));
      const result = simplebackup(["validate", "--config", file]);
      expect(result.stderr).not.toContain("problem");
      expect(result.status).toBe(0);
    },
  );
});
