import { randomBytes } from "node:crypto";
import type { ConnectedApp } from "./connected-app.ts";

/** An access token: an API session of one user, maybe obtained through an app. */
export interface Session {
  accessToken: string;
  userId: string;
  appId: string | null;
  scopes: string[];
  /** The refresh token this session came from, so revoking the grant ends the session too. */
  refreshToken: string | null;
  issuedAt: number;
  lastUsedAt: number;
  revoked: boolean;
}

/** A refresh token: a user's approval of an app, redeemable for new sessions. */
export interface Grant {
  refreshToken: string;
  userId: string;
  appId: string;
  scopes: string[];
  issuedAt: number;
  lastUsedAt: number;
  revoked: boolean;
}

export type SessionCheck = { ok: true; session: Session } | { ok: false; reason: "unknown" | "revoked" | "expired" };

export const MAX_GRANTS_PER_USER_AND_APP = 5;

function token(bytes: number): string {
  return randomBytes(bytes).toString("base64url").replace(/[-_]/g, "A");
}

export class SessionRegistry {
  readonly sessions = new Map<string, Session>();
  readonly grants = new Map<string, Grant>();

  private readonly orgId15: string;
  private readonly now: () => number;
  private readonly timeoutSeconds: () => number;
  constructor(orgId15: string, now: () => number, timeoutSeconds: () => number) {
    this.orgId15 = orgId15;
    this.now = now;
    this.timeoutSeconds = timeoutSeconds;
  }

  openSession(userId: string, appId: string | null, scopes: string[], refreshToken: string | null): Session {
    const now = this.now();
    const session: Session = {
      accessToken: `${this.orgId15}!AQ${token(72)}`,
      userId,
      appId,
      scopes,
      refreshToken,
      issuedAt: now,
      lastUsedAt: now,
      revoked: false,
    };
    this.sessions.set(session.accessToken, session);
    return session;
  }

  /**
   * Issues a refresh token. Salesforce keeps at most five per user and app: the oldest is
   * revoked when a sixth is issued.
   */
  openGrant(userId: string, appId: string, scopes: string[]): Grant {
    const now = this.now();
    const grant: Grant = {
      refreshToken: `5Aep${token(64)}`,
      userId,
      appId,
      scopes,
      issuedAt: now,
      lastUsedAt: now,
      revoked: false,
    };
    const live = [...this.grants.values()]
      .filter((g) => !g.revoked && g.userId === userId && g.appId === appId)
      .sort((a, b) => a.issuedAt - b.issuedAt);
    while (live.length >= MAX_GRANTS_PER_USER_AND_APP) {
      const oldest = live.shift();
      if (oldest) this.revokeGrant(oldest.refreshToken);
    }
    this.grants.set(grant.refreshToken, grant);
    return grant;
  }

  /** Validates an access token and slides its expiry forward. */
  use(accessToken: string): SessionCheck {
    const session = this.sessions.get(accessToken);
    if (!session) return { ok: false, reason: "unknown" };
    if (session.revoked) return { ok: false, reason: "revoked" };
    const now = this.now();
    if (now - session.lastUsedAt >= this.timeoutSeconds() * 1000) return { ok: false, reason: "expired" };
    session.lastUsedAt = now;
    return { ok: true, session };
  }

  /** Checks a session without sliding it, for introspection. */
  peek(accessToken: string): Session | undefined {
    const session = this.sessions.get(accessToken);
    if (!session || session.revoked) return undefined;
    if (this.now() - session.lastUsedAt >= this.timeoutSeconds() * 1000) return undefined;
    return session;
  }

  expiresAt(session: Session): number {
    return session.lastUsedAt + this.timeoutSeconds() * 1000;
  }

  /** Whether a refresh token can still be redeemed under the app's policy. */
  grantUsable(grant: Grant | undefined, app: ConnectedApp | undefined): grant is Grant {
    if (!grant || grant.revoked || !app) return false;
    const now = this.now();
    const policy = app.refreshTokenPolicy;
    switch (policy.type) {
      case "until_revoked":
        return true;
      case "immediately":
        return false;
      case "lifetime":
        return now - grant.issuedAt < policy.seconds * 1000;
      case "idle":
        return now - grant.lastUsedAt < policy.seconds * 1000;
    }
  }

  revokeGrant(refreshToken: string): boolean {
    const grant = this.grants.get(refreshToken);
    if (!grant) return false;
    grant.revoked = true;
    for (const s of this.sessions.values()) if (s.refreshToken === refreshToken) s.revoked = true;
    return true;
  }

  revokeSession(accessToken: string): boolean {
    const session = this.sessions.get(accessToken);
    if (!session) return false;
    session.revoked = true;
    return true;
  }

  /** Ends every live session at once (the control surface's "expire sessions"). */
  expireAll(filter: (s: Session) => boolean = () => true): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (!s.revoked && filter(s)) {
        s.lastUsedAt = -Infinity;
        n++;
      }
    }
    return n;
  }

  revokeAllFor(filter: (g: Grant) => boolean): number {
    let n = 0;
    for (const g of this.grants.values()) {
      if (!g.revoked && filter(g)) {
        this.revokeGrant(g.refreshToken);
        n++;
      }
    }
    return n;
  }
}
