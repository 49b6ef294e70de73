import { randomBytes } from "node:crypto";
import type { HostRole } from "../http/context.ts";
import type { Org } from "../org/org.ts";

/** A browser's logged-in session on one host, kept by the cookie the login page sets. */
export interface LoginSession {
  id: string;
  userId: string;
  role: HostRole;
  lastUsedAt: number;
}

/** Browser sessions; they time out like API sessions, after the org's session timeout unused. */
export class LoginSessionStore {
  private readonly sessions = new Map<string, LoginSession>();
  private readonly org: Org;
  constructor(org: Org) {
    this.org = org;
  }

  open(userId: string, role: HostRole): LoginSession {
    const session = { id: randomBytes(24).toString("base64url"), userId, role, lastUsedAt: this.org.clock.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session behind a cookie on this host, if its user is still active. */
  use(id: string | undefined, role: HostRole): LoginSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session || session.role !== role) return undefined;
    const now = this.org.clock.now();
    if (now - session.lastUsedAt >= this.org.settings.sessionTimeoutSeconds * 1000) {
      this.sessions.delete(id);
      return undefined;
    }
    if (this.org.user(session.userId)?.IsActive !== true) return undefined;
    session.lastUsedAt = now;
    return session;
  }
}

export function loginSessionsOf(org: Org): LoginSessionStore {
  return org.extension("oauth.loginSessions", () => new LoginSessionStore(org));
}
