import { randomBytes } from "node:crypto";

/** A session ends after this long without a request. @default 12 hours */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** And after this long at most, however busy. @default 7 days */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;

export interface Session {
  /** The named user, or undefined for a login link (whoever can read the state folder). */
  readonly user: string | undefined;
  readonly createdAt: number;
  lastSeenAt: number;
}

/**
 * Sessions in memory only: a restart of the daemon logs everyone out, which is what a person expects
 * of a tool on their own machine, and no session secret is ever written to disk.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  create(user: string | undefined, now: number): string {
    this.#sweep(now);
    const id = randomBytes(32).toString("base64url");
    this.#sessions.set(id, { user, createdAt: now, lastSeenAt: now });
    return id;
  }

  /** The live session of this id, its idle clock restarted; undefined for an unknown or expired one. */
  touch(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (expired(session, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  #sweep(now: number): void {
    for (const [id, session] of this.#sessions) if (expired(session, now)) this.#sessions.delete(id);
  }
}

function expired(session: Session, now: number): boolean {
  return now - session.lastSeenAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS;
}
