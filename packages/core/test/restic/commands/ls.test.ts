import { describe, expect, it } from "vitest";
import { buildLsArgs, parseLsLine, parseTimeNanos } from "../../../src/restic/commands/ls.js";
import { CAPTURES } from "../fixtures.js";

// Output captured from restic 0.14.0 and 0.18.0 (../fixtures/, read through CAPTURES) or, for single
// lines, from 0.14.0.
const LAB = "/tmp/simplebackup-restic-lab";

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

describe("buildLsArgs", () => {
  it("lists one snapshot by its id", () => {
    expect(buildLsArgs("44c3960a")).toEqual(["ls", "--json", "44c3960a"]);
  });
});

describe("parseLsLine", () => {
  it("reads 0.14's struct_type lines", () => {
    expect(
      parseLsLine(
        '{"time":"2026-11-25T11:38:35.908055502Z","tree":"752eff3e","paths":["/tmp/lab/src"],"hostname":"vm","username":"root","tags":["simplebackup:j"],"id":"44c3960adcc98715031061c25e99a91f20d6b2e4b429392e42ad66d9ca1468ff","short_id":"44c3960a","struct_type":"snapshot"}',
      ),
    ).toMatchObject({ kind: "snapshot", shortId: "44c3960a", paths: ["/tmp/lab/src"] });
    expect(
      parseLsLine(
        '{"name":"empty","type":"file","path":"/tmp/lab/src3/empty","uid":0,"gid":0,"size":0,"mode":420,"permissions":"-rw-r--r--","mtime":"2026-11-25T11:41:53.314825716Z","struct_type":"node"}',
      ),
    ).toEqual({
      kind: "node",
      node: { type: "file", path: "/tmp/lab/src3/empty", size: 0, mtime: "2026-11-25T11:41:53.314825716Z" },
    });
  });

  it("ignores text", () => {
    expect(parseLsLine('Ignoring "latest", no snapshot matched given filter')).toBeUndefined();
  });
});

describe.each(CAPTURES)("parseLsLine on restic $version captures", (capture) => {
  it("reads ls --json: the snapshot, then every node (0.17+ also names them in message_type)", () => {
    const stdout = capture.run("ls").stdout;
    expect(stdout.includes('"message_type":"node"')).toBe(capture.atLeast("0.17.0"));
    const [snapshot, ...nodes] = lines(stdout).map(parseLsLine);
    expect(snapshot).toMatchObject({
      kind: "snapshot",
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      shortId: expect.stringMatching(/^[0-9a-f]{8}$/),
      paths: [`${LAB}/src`],
    });
    // The source's parent folders, then its 7 folders and 9 files.
    expect(nodes.map((node) => (node?.kind === "node" ? node.node.path : node))).toEqual([
      "/tmp",
      LAB,
      `${LAB}/src`,
      `${LAB}/src/README`,
      `${LAB}/src/docs`,
      `${LAB}/src/docs/notes`,
      `${LAB}/src/docs/notes/n1.txt`,
      `${LAB}/src/docs/notes/n2.txt`,
      `${LAB}/src/docs/notes/n3.txt`,
      `${LAB}/src/src`,
      `${LAB}/src/src/lib`,
      ...[1, 2, 3, 4, 5].map((i) => `${LAB}/src/src/lib/file${i}.bin`),
    ]);
    expect(nodes[3]).toEqual({
      kind: "node",
      node: {
        type: "file",
        path: `${LAB}/src/README`,
        size: 15,
        mtime: expect.stringMatching(/^\d{4}-.+Z$/),
      },
    });
    expect(nodes[1]).toMatchObject({ node: { type: "dir", size: 0 } });
  });

  it("reads no line of ls for a tag no snapshot has (0.14 exits 0, 0.18 exits 1)", () => {
    const run = capture.run("ls-no-match");
    expect(run.exitCode).toBe(capture.atLeast("0.17.0") ? 1 : 0);
    expect(run.stdout).toBe("");
    expect(lines(run.stderr).map(parseLsLine)).toEqual([undefined]);
  });
});

describe("parseTimeNanos", () => {
  it("keeps all nine fraction digits and honours the offset", () => {
    const base = BigInt(Date.UTC(2026, 10, 25, 11, 38, 20)) * 1_000_000n;
    expect(parseTimeNanos("2026-11-25T11:38:20.538458189Z")).toBe(base + 538_458_189n);
    expect(parseTimeNanos("2026-11-25T12:38:20.538458189+01:00")).toBe(base + 538_458_189n);
    expect(parseTimeNanos("2026-11-25T11:38:20Z")).toBe(base);
    expect(parseTimeNanos("2026-11-25T11:38:20.5Z")).toBe(base + 500_000_000n);
    expect(parseTimeNanos("yesterday")).toBeUndefined();
  });
});
