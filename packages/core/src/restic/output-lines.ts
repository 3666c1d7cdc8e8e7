// Reading what restic prints, shared by the commands' parsers (commands/*.ts) and the message stream
// (messages.ts): lines without colour codes, the JSON object on a line, a whole output as JSON of a
// known shape.
import * as z from "zod";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]/g;

/** restic's text without its colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, "");
}

/** restic's lines without colour codes and trailing blanks; blank lines dropped, indentation kept. */
export function textLines(text: string): string[] {
  return stripAnsi(text)
    .split(/\r?\n|\r/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "");
}

/**
 * A command's whole output read as JSON of the shape `schema` describes.
 * @throws Error naming the command when the output is not JSON, or JSON of another shape.
 */
export function parseJsonWith<T>(schema: z.ZodType<T>, text: string, command: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`restic ${command} printed something that is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `restic ${command} printed JSON of an unexpected shape: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
