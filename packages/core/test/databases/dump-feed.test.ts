import { createReadStream } from "node:fs";
import { describe, expect, it } from "vitest";
import { DumpFeed } from "../../src/databases/dump-feed.js";
import type { FoundTool } from "../../src/databases/dump-tools.js";
import type { ToolCommand } from "../../src/databases/engines.js";

// A stand-in dump tool: sh writing a known text, then exiting as told. What restic would read is read
// here, from the feed's input; the end of it is what restic takes as "the dump is complete".
const SH: FoundTool = { name: "sqlite3", path: "/bin/sh" };

function dump(script: string): ToolCommand {
  return { tool: "sqlite3", args: ["-c", script], env: {} };
}

/** Reads the input to its end, or until `timeoutMs` passes without one (then `ended` is false). */
function readAll(input: NodeJS.ReadableStream | number, timeoutMs: number) {
  const stream: NodeJS.ReadableStream =
    typeof input === "number" ? createReadStream("", { fd: input, autoClose: false }) : input;
  return new Promise<{ text: string; ended: boolean }>((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve({ text, ended: false }), timeoutMs);
    stream.on("data", (chunk: Buffer | string) => {
      text += chunk.toString();
    });
    stream.on("end", () => {
      clearTimeout(timer);
      resolve({ text, ended: true });
    });
  });
}

describe.each([
  ["a named pipe", false],
  ["the relay through this process", true],
])("DumpFeed through %s", (_, relay) => {
  it("ends the input only after the tool exited 0, with all it wrote", async () => {
    const feed = await DumpFeed.create(
      SH,
      dump("printf 'CREATE TABLE t;\\n'; sleep 0.2; printf 'INSERT 1;\\n'"),
      {
        relay,
      },
    );
    const read = await readAll(feed.input(), 5_000);
    expect(read).toEqual({ text: "CREATE TABLE t;\nINSERT 1;\n", ended: true });
    expect(feed.failed.aborted).toBe(false);
    expect(await feed.finish()).toBeUndefined();
  });

  it("never ends the input of a tool that failed, says it failed, and keeps its last words", async () => {
    const feed = await DumpFeed.create(
      SH,
      dump("printf 'CREATE TABLE t;\\n'; echo 'lost connection' >&2; exit 3"),
      {
        relay,
      },
    );
    const read = await readAll(feed.input(), 1_000);
    // restic would still be waiting for the end here; the run stops it on `failed` instead.
    expect(read.ended).toBe(false);
    expect(read.text).toBe("CREATE TABLE t;\n");
    expect(feed.failed.aborted).toBe(true);
    const failure = await feed.finish();
    expect(failure).toMatchObject({ exitCode: 3, stderrLines: ["lost connection"] });
  });

  it("stops a tool still writing when restic has ended first", async () => {
    const feed = await DumpFeed.create(SH, dump("while :; do echo row; done"), { relay });
    const input = feed.input();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Nobody reads: the tool is blocked on a full pipe. finish() must still return.
    const failure = await feed.finish();
    expect(failure).toBeUndefined();
    expect(feed.failed.aborted).toBe(false);
    if (typeof input !== "number") input.resume();
  });
});
