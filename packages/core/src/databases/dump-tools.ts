import { access, constants } from "node:fs/promises";
import path from "node:path";
import type { DatabaseType } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import { ENGINE_TOOLS, type ToolName } from "./engines.js";

/** A tool of an engine, found on PATH: its name (for messages) and its absolute path (to run). */
export interface FoundTool {
  readonly name: ToolName;
  readonly path: string;
}

/**
 * The first of an engine's dump or client programs found on PATH.
 * @throws SimplebackupError DATABASE_TOOL_MISSING naming the programs looked for and the package to install
 */
export async function findDatabaseTool(
  type: DatabaseType,
  role: "dump" | "client",
  env: NodeJS.ProcessEnv = process.env,
): Promise<FoundTool> {
  const tools = ENGINE_TOOLS[type];
  const candidates = tools[role];
  for (const name of candidates) {
    const found = await findOnPath(name, env);
    if (found) return { name, path: found };
  }
  throw new SimplebackupError(
    "DATABASE_TOOL_MISSING",
    `${candidates.join(" or ")} is not installed (needed for ${type} databases): install ${tools.debianPackage} (Debian/Ubuntu: sudo apt-get install ${tools.debianPackage.split(" ")[0]})`,
  );
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const folder of (env.PATH ?? "").split(path.delimiter)) {
    if (folder === "") continue;
    const candidate = path.join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
