import { SimplebackupError } from "../errors.js";

export type StateErrorCode = "STATE_LOCKED" | "STATE_UNWRITABLE";

export function stateError(code: StateErrorCode, message: string, cause?: unknown): SimplebackupError {
  return new SimplebackupError(code, message, { cause });
}
