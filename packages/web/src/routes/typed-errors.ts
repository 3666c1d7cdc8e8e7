import { isSimplebackupError } from "@simplebackup/core";
import type { Context } from "hono";
import { type DashboardContext, sendError } from "../context.js";

/** What failed, as an HTTP status: the request's fault, the repository's, or a conflict. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  JOB_NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  SNAPSHOT_PATH_NOT_FOUND: 404,
  TARGET_IN_PLACE: 400,
  TARGET_UNWRITABLE: 400,
  TARGET_NOT_EMPTY: 409,
  REPO_LOCKED: 409,
  REPOSITORY_BUSY: 409,
  RESTIC_NOT_FOUND: 503,
};

/**
 * Runs a route's work; a typed failure becomes its status and `{error: {code, message}}` (502 for the
 * repository's own: wrong password, not found, unreachable), anything else the app's 500.
 */
export function answerTyped(
  context: DashboardContext,
): (c: Context, work: () => Promise<Response>) => Promise<Response> {
  return async (c, work) => {
    try {
      return await work();
    } catch (error) {
      if (!isSimplebackupError(error)) throw error;
      return sendError(c, context, STATUS_BY_CODE[error.code] ?? 502, error.code, error.message);
    }
  };
}
