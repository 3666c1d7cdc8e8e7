/** The `code` of a Node system error (`ENOENT`, `ESRCH`, …), or undefined for any other value. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
