/** What a service runs: `<node> <bin> run --config <config>`, all absolute paths. */
export interface ServiceCommand {
  /** The Node.js binary (`process.execPath`). */
  readonly node: string;
  /** The simplebackup launcher script (`bin/simplebackup.mjs`). */
  readonly bin: string;
  /** The config file the daemon runs with. */
  readonly config: string;
  /** Variables the service needs that a login session would give it, such as PATH to find restic. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The arguments after the Node.js binary. */
export function serviceArgs(command: ServiceCommand): string[] {
  return [command.bin, "run", "--config", command.config];
}

export const SERVICE_DESCRIPTION = "simplebackup: restic backups on schedules";
