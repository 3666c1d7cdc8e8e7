import { spawn } from "node:child_process";
import { join } from "node:path";
import type { PostgresServer } from "./postgres-server.js";

/*
 * A PostgreSQL database whose pg_dump is at least a given size, for the streaming test
 * (test/e2e/database-stream.test.ts) and bench P7 (test/bench/database-dump.mjs), which load this file
 * too so both dump the same data. One UNLOGGED table filled by a single INSERT ... SELECT: no WAL, one
 * statement, a few seconds for 200 MB. The rows are md5 hex, so the dump neither dedups nor compresses
 * to nothing (restic 0.17+ compresses), as a real table's text would not.
 */

/** What pg_dump writes per row of the table below: a 7-digit id, 4 md5s, tabs and a newline. */
const DUMP_BYTES_PER_ROW = 7 + 1 + 4 * 32 + 4;

export interface LargeDatabase {
  readonly rows: number;
  /** The size of `pg_dump <name>`, counted from the tool's own output. */
  readonly dumpBytes: number;
  /** How long creating and measuring took. */
  readonly seconds: number;
}

/**
 * Creates database `name` with one table, then counts its dump; adds rows until the dump holds at
 * least `minBytes` (the first estimate is usually enough: one pass).
 */
export async function createLargeDatabase(
  server: PostgresServer,
  name: string,
  minBytes: number,
): Promise<LargeDatabase> {
  const started = Date.now();
  await server.createDatabase(name);
  await server.psql("CREATE UNLOGGED TABLE payload (id int PRIMARY KEY, a text, b text, c text, d text);", {
    database: name,
  });
  let rows = 0;
  let dumpBytes = 0;
  // 1 % over the estimate, so the header and the schema's lines are covered.
  let wanted = Math.ceil((minBytes / DUMP_BYTES_PER_ROW) * 1.01);
  while (dumpBytes < minBytes) {
    await appendRows(server, name, rows + 1, wanted);
    rows += wanted;
    dumpBytes = await countDumpBytes(server, name);
    wanted = Math.ceil(((minBytes - dumpBytes) / DUMP_BYTES_PER_ROW) * 1.01) + 1;
  }
  return { rows, dumpBytes, seconds: (Date.now() - started) / 1000 };
}

/** Adds `count` rows with ids from `firstId` on to the table of a database made by {@link createLargeDatabase}. */
export async function appendRows(
  server: PostgresServer,
  name: string,
  firstId: number,
  count: number,
): Promise<void> {
  await server.psql(
    `INSERT INTO payload SELECT i, md5(i::text), md5((i + 1)::text), md5((i + 2)::text), md5((i + 3)::text)
       FROM generate_series(${firstId}, ${firstId + count - 1}) i;`,
    { database: name },
  );
}

/** pg_dump's flags as simplebackup passes them (core's buildDumpCommand): plain SQL with DROP ... IF EXISTS. */
export const PG_DUMP_FLAGS = ["--no-password", "--clean", "--if-exists"] as const;

/** The pg_dump command line of database `name` on `server`; its password goes in `server.clientEnv()`. */
export function pgDumpArgs(server: PostgresServer, name: string): string[] {
  return [
    `--host=${server.host}`,
    `--port=${server.port}`,
    `--username=${server.user}`,
    ...PG_DUMP_FLAGS,
    name,
  ];
}

/** The byte count of the dump simplebackup makes of `name`, streamed, never held. */
export function countDumpBytes(server: PostgresServer, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const dump = spawn(join(server.binDir, "pg_dump"), pgDumpArgs(server, name), {
      env: server.clientEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let bytes = 0;
    let stderr = "";
    dump.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    dump.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    dump.once("error", reject);
    dump.once("close", (code) =>
      code === 0 ? resolve(bytes) : reject(new Error(`pg_dump ${name} exited ${code}: ${stderr.trim()}`)),
    );
  });
}
