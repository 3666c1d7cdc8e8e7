import { accessSync } from "node:fs";

/** Whether this process may use `path` as `mode` asks (`constants.X_OK`, `constants.W_OK`, …). */
export function hasAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
