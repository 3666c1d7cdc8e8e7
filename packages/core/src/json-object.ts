/**
 * `text` as a JSON object, its fields still to be checked; undefined for text, arrays, other JSON and
 * broken JSON. One reader for restic's `--json` lines and the state folder's files alike.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  // Cheap pre-check, so plain-text lines (prune's report, warnings) skip JSON.parse entirely.
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
