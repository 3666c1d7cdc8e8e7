import { isSimplebackupError } from "../errors.js";
import { type LocateResticOptions, locateRestic } from "./locate.js";
import { createRestic, type Restic } from "./restic.js";

export interface ResticProviderOptions {
  /**
   * `restic_binary` from the config. A function when the config can change while the provider lives
   * (the daemon reloads it); it is read at each lookup, never after restic was found.
   */
  readonly configured?: string | undefined | (() => string | undefined);
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /** @default locateRestic; tests inject their own to run without a real restic */
  readonly locate?: (options: LocateResticOptions) => Promise<string>;
  /** @default createRestic */
  readonly create?: (binary: string) => Restic;
}

/** The one restic a command or the daemon runs: found on first use, then kept. */
export interface ResticProvider {
  /**
   * Finds restic on the first call (the config's `restic_binary`, else `RESTIC_BINARY`, else PATH)
   * and returns the same `Restic` after that, so `restic version` is asked once. A lookup that fails
   * (RESTIC_NOT_FOUND), or a found binary that later cannot be started, is forgotten: the next call
   * looks again, so restic installed while the daemon runs is picked up.
   */
  get(): Promise<Restic>;
  /** Forgets the binary found, so the next `get` looks again. */
  reset(): void;
}

export function createResticProvider(options: ResticProviderOptions = {}): ResticProvider {
  const locate = options.locate ?? locateRestic;
  const create = options.create ?? createRestic;
  let current: Promise<Restic> | undefined;

  const forget = (which: Promise<Restic>) => {
    // A newer lookup may already have replaced this one; that one stays.
    if (current === which) current = undefined;
  };

  const lookUp = (): Promise<Restic> => {
    const configured = typeof options.configured === "function" ? options.configured() : options.configured;
    const found: Promise<Restic> = locate({
      configured,
      ...(options.env ? { env: options.env } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
    }).then(
      (binary) => forgetWhenGone(create(binary), () => forget(found)),
      (error: unknown) => {
        forget(found); // installed later? look again next time
        throw error;
      },
    );
    return found;
  };

  return {
    get() {
      current ??= lookUp();
      return current;
    },
    reset() {
      current = undefined;
    },
  };
}

/** Wraps `restic` so a run that finds its binary gone (uninstalled, moved) makes the provider look again. */
function forgetWhenGone(restic: Restic, forget: () => void): Restic {
  return {
    binary: restic.binary,
    version: () => restic.version(),
    run: (args, runOptions) =>
      restic.run(args, runOptions).catch((error: unknown) => {
        if (isSimplebackupError(error) && error.code === "RESTIC_NOT_FOUND") forget();
        throw error;
      }),
  };
}
