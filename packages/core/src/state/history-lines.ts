import { open } from "node:fs/promises";
import { errnoCode } from "../system/errno-code.js";
import { readStateText } from "./state-text.js";

/**
 * The line files of the history: appended one line at a time, and read either whole or from the end,
 * so the newest runs of a job cost a few kilobytes whatever the file's size.
 */

/**
 * Appends one line and fsyncs it; once this resolves the line is on disk. Returns whether the file
 * was new (its folder entry then needs a sync of its own to survive a power cut).
 * The line goes out in one write(2) on a file opened with O_APPEND, so two processes appending at
 * once (the daemon and a one-shot `simplebackup backup`) each land whole lines, never interleaved.
 */
export async function appendLine(file: string, line: string): Promise<{ created: boolean }> {
  const handle = await open(file, "a+");
  try {
    const { size } = await handle.stat();
    // After a crash mid-append the file ends in a torn line; starting a new line keeps this record
    // from being glued to it and lost with it. (Two writers may both add the newline: an empty line,
    // which readers skip.)
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    await handle.write(Buffer.from(`${prefix}${line}\n`, "utf8"));
    await handle.sync();
    return { created: size === 0 };
  } finally {
    await handle.close();
  }
}

/** The file's non-empty lines, first to last; none when there is no such file. */
export async function readLines(file: string): Promise<string[]> {
  const text = await readStateText(file);
  if (text === undefined) return [];
  return text.split("\n").filter((line) => line.trim() !== "");
}

/**
 * Calls `visit` with each non-empty line of the file, last to first, with the byte offset the line
 * starts at, until `visit` returns false. Only lines that end before `end` are read (a paging cursor);
 * the first line of the file needs no newline before it. A missing file has no lines.
 */
export async function visitLinesBackward(
  file: string,
  visit: (line: string, offset: number) => boolean,
  end?: number,
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw error;
  }
  try {
    let position = Math.min(end ?? Number.POSITIVE_INFINITY, (await handle.stat()).size);
    // The bytes after `position` not yet split into lines: the start of a line read in an earlier chunk.
    let carry = Buffer.alloc(0);
    // Small first: the newest page of a job is a few kilobytes. Doubled while more is wanted.
    let chunkSize = 16 * 1024;
    while (position > 0) {
      const size = Math.min(chunkSize, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      const buffer = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      let lineEnd = buffer.length;
      for (let i = buffer.length - 1; i >= 0; i--) {
        if (buffer[i] !== 0x0a) continue;
        if (!visitLine(buffer, i + 1, lineEnd, position, visit)) return;
        lineEnd = i;
      }
      carry = buffer.subarray(0, lineEnd);
      chunkSize = Math.min(chunkSize * 2, 1024 * 1024);
    }
    visitLine(carry, 0, carry.length, 0, visit);
  } finally {
    await handle.close();
  }
}

function visitLine(
  buffer: Buffer,
  start: number,
  end: number,
  bufferOffset: number,
  visit: (line: string, offset: number) => boolean,
): boolean {
  if (end <= start) return true;
  const line = buffer.toString("utf8", start, end);
  return line.trim() === "" || visit(line, bufferOffset + start);
}
