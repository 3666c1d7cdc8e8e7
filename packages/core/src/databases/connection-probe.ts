/*
 * A connection check after a dump failed without saying why. restic 0.17+ runs the dump tool itself
 * (`--stdin-from-command`) and can exit on the tool's failure before it has passed the tool's stderr
 * on (seen once in CI under load): the failure would then read as a mere DATABASE_DUMP_FAILED, never
 * retried, when the server was only down. The engine's client, asked for `SELECT 1` with the same
 * settings, says again what the dump would have said.
 */
import { SimplebackupError } from "../errors.js";
import { findDatabaseTool } from "./dump-tools.js";
import { buildConnectionProbeCommand, type Connection, PROBE_CONNECT_TIMEOUT_SECONDS } from "./engines.js";
import { startDatabaseTool } from "./run-tool.js";

/** What a connection check that failed said. */
export interface ProbeFailure {
  /** The client that said it (`psql`, `mariadb`, …). */
  readonly tool: string;
  /** Its stderr lines. */
  readonly lines: readonly string[];
}

/**
 * Runs the check; undefined when it connected, could not run (no client installed, a SQLite file), or
 * was stopped after `timeoutMs` (a server that holds the connection open without answering).
 */
export type ConnectionProbe = () => Promise<ProbeFailure | undefined>;

/** Past the client's own connect timeout, for a server that accepts the connection and then says nothing. */
export const PROBE_TIMEOUT_MS = (PROBE_CONNECT_TIMEOUT_SECONDS + 2) * 1000;

/**
 * Checks the connection as the dump made it: the same password, environment (PG* variables) or private
 * option file, which must therefore still exist; nothing secret on argv.
 * @param env the environment the dump tools inherit
 */
export async function probeConnection(
  connection: Connection,
  env: NodeJS.ProcessEnv,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeFailure | undefined> {
  if (connection.database.type === "sqlite") return undefined;
  let client: Awaited<ReturnType<typeof findDatabaseTool>>;
  try {
    client = await findDatabaseTool(connection.database.type, "client", env);
  } catch (error) {
    if (error instanceof SimplebackupError) return undefined;
    throw error;
  }
  const started = startDatabaseTool(client, buildConnectionProbeCommand(connection, client.name), { env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    started.stop();
  }, timeoutMs);
  const exit = await started.exited.finally(() => clearTimeout(timer));
  if (timedOut || exit.exitCode === 0) return undefined;
  return { tool: client.name, lines: exit.stderrLines };
}
