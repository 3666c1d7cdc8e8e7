import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const folder = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** A fixture file's text; captures whose output was empty have no file, which reads as "". */
export function fixture(name: string): string {
  const path = `${folder}${name}`;
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** One captured restic run (see fixtures/capture.sh). */
export function capturedRun(name: string): { stdout: string; stderr: string; exitCode: number } {
  return {
    stdout: fixture(`${name}.stdout.txt`),
    stderr: fixture(`${name}.stderr.txt`),
    exitCode: Number(fixture(`${name}.rc`).trim()),
  };
}
