import type { NotifiableEvent, NotifierEventKind } from "./events.js";

/** Handed to every `notify` call by the hub. */
export interface NotifyContext {
  /** Aborted when the hub gives up on this delivery (its timeout passed, or the hub is closing). */
  readonly signal: AbortSignal;
}

/**
 * Something that tells a person about backup events: a desktop toast, a webhook, a chat message.
 * `notify` may be async; the hub catches what it throws and times it out, so a notifier can never
 * fail or delay a backup.
 */
export interface Notifier {
  readonly name: string;
  /** The event kinds this notifier wants. @default the failure side, see `DEFAULT_NOTIFY_ON` */
  readonly on?: readonly NotifierEventKind[];
  notify(event: NotifiableEvent, context?: NotifyContext): void | Promise<void>;
  /** Flush and release resources when the daemon stops. */
  close?(): void | Promise<void>;
  /** What `status` and logs show of it; must never hold a secret (`describeNotifier` masks again). */
  toJSON?(): NotifierDescription;
}

export interface NotifierDescription {
  readonly name: string;
  /** The built-in type or plugin module it came from. */
  readonly type?: string;
  readonly on?: readonly NotifierEventKind[];
  readonly options?: Readonly<Record<string, unknown>>;
}

export type NotifierFactory<Options> = (options: Options) => Notifier | Promise<Notifier>;

/** A plugin: either a ready notifier or a factory that builds one from its options. */
export type NotifierDefinition<Options = void> = Notifier | NotifierFactory<Options>;

/**
 * A delivery failure that trying again cannot mend, such as a package that is not installed: the hub
 * reports it once and does not wait to retry it (a one-shot backup would otherwise sit out the retry
 * delay only to print the same error twice).
 */
export class PermanentNotifierError extends Error {
  override name = "PermanentNotifierError";
}

/** By name, not `instanceof`: the desktop subpath and a plugin may hold their own copy of the class. */
export function isPermanentNotifierError(error: unknown): boolean {
  return error instanceof Error && error.name === "PermanentNotifierError";
}

/** Where the hub and built-ins report trouble; `console` fits. */
export interface NotifierLogger {
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/**
 * Identity helper that gives plugin authors type checking and inference: a factory's options type is
 * inferred from its parameter.
 *
 * @example
 * export default defineNotifier((options: { url: string }) => ({
 *   name: "my-chat",
 *   async notify(event) { await fetch(options.url, { method: "POST", body: formatMessage(event).body }) },
 * }));
 */
export function defineNotifier<const N extends Notifier>(notifier: N): N;
export function defineNotifier<Options>(factory: NotifierFactory<Options>): NotifierFactory<Options>;
export function defineNotifier<Options>(
  definition: NotifierDefinition<Options>,
): NotifierDefinition<Options> {
  return definition;
}

export function isNotifier(value: unknown): value is Notifier {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Notifier).name === "string" &&
    typeof (value as Notifier).notify === "function"
  );
}

/** Builds the notifier a definition stands for: calls a factory, takes an object as it is. */
export async function resolveNotifier<Options>(
  definition: NotifierDefinition<Options>,
  options: Options,
): Promise<Notifier> {
  const notifier = typeof definition === "function" ? await definition(options) : definition;
  if (!isNotifier(notifier)) {
    throw new TypeError("a notifier needs a string `name` and a `notify(event)` function");
  }
  return notifier;
}
