import type { BackupEvent } from "@simplebackup/core";

/**
 * Something that tells a person about backup events: a desktop toast, a webhook, a chat message.
 * `notify` may be async; a notifier that throws must never fail a backup, so callers catch.
 */
export interface Notifier {
  readonly name: string;
  notify(event: BackupEvent): void | Promise<void>;
  /** Flush and release resources when the daemon stops. */
  close?(): void | Promise<void>;
}

/** A plugin: either a ready notifier or a factory that builds one from its options. */
export type NotifierDefinition<Options = void> =
  | Notifier
  | ((options: Options) => Notifier | Promise<Notifier>);

/** Identity helper that gives plugin authors type checking and inference. */
export function defineNotifier<Options = void>(
  definition: NotifierDefinition<Options>,
): NotifierDefinition<Options> {
  return definition;
}

export type { BackupEvent } from "@simplebackup/core";
