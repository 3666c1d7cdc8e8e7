import { readFile } from "node:fs/promises";
import { errnoCode } from "../system/errno-code.js";
import { stateError } from "./state-error.js";

/**
 * How the state folder's files are read (`state.json`, the history, the lock files): a file that
 * is not there yet is no error, and a line or file that is not what it should be (torn by a crash,
 * edited by hand) is skipped by its reader rather than thrown.
 */

/** A state file's text; undefined when there is no such file. @throws STATE_UNWRITABLE */
export async function readStateText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw stateError("STATE_UNWRITABLE", `cannot read ${file}`, error);
  }
}
