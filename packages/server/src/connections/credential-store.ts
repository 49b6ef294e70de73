import type {
  CredentialStore,
  ReauthReason,
  RefreshFailing,
  StoredCredentials,
  WriteOutcome,
} from "@forcelink/salesforce";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Sealer } from "../crypto/sealing.ts";
import type { Clock } from "../platform/clock.ts";
import type { Db } from "../store/database.ts";
import { connections } from "../store/schema.ts";

export type ConnectionStatus = "active" | "needs_reauth" | "error";

/** A connection's status follows from its credentials: refused for good, failing for now, or fine. */
export function statusOf(c: Pick<StoredCredentials, "needsReauth" | "refreshFailing">): ConnectionStatus {
  if (c.needsReauth) return "needs_reauth";
  if (c.refreshFailing) return "error";
  return "active";
}

/**
 * The columns that hold a connection's credentials, tokens sealed: the one place that writes
 * them, for a new connection as for a refresh.
 */
export function credentialColumns(sealer: Sealer, c: StoredCredentials) {
  return {
    accessTokenSealed: sealer.seal(c.accessToken),
    refreshTokenSealed: c.refreshToken ? sealer.seal(c.refreshToken) : null,
    instanceUrl: c.instanceUrl,
    identityUrl: c.identityUrl,
    orgId: c.orgId,
    userId: c.userId,
    scopes: c.scopes,
    tokenIssuedAt: c.issuedAt,
    tokenObtainedAt: c.obtainedAt ?? null,
    sessionTimeoutMs: c.sessionTimeoutMs ?? null,
    reauth: c.needsReauth ?? null,
    refreshFailing: c.refreshFailing ?? null,
    status: statusOf(c),
    statusReason: c.needsReauth?.description ?? c.refreshFailing?.description ?? null,
  };
}

/**
 * The token lifecycle's storage: credentials sealed in the connections table, and the refresh
 * lease as two columns taken with one conditional UPDATE, on the database's clock so every
 * process agrees when a lease has expired.
 */
export class DbCredentialStore implements CredentialStore {
  private readonly db: Db;
  private readonly sealer: Sealer;
  private readonly clock: Clock;
  constructor(db: Db, sealer: Sealer, clock: Clock) {
    this.db = db;
    this.sealer = sealer;
    this.clock = clock;
  }

  async read(connectionId: string): Promise<StoredCredentials | null> {
    const [row] = await this.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!row) return null;
    return {
      accessToken: this.sealer.open(row.accessTokenSealed),
      refreshToken: row.refreshTokenSealed ? this.sealer.open(row.refreshTokenSealed) : undefined,
      instanceUrl: row.instanceUrl,
      identityUrl: row.identityUrl,
      orgId: row.orgId,
      userId: row.userId,
      scopes: row.scopes,
      issuedAt: row.tokenIssuedAt,
      obtainedAt: row.tokenObtainedAt ?? undefined,
      sessionTimeoutMs: row.sessionTimeoutMs ?? undefined,
      needsReauth: (row.reauth as ReauthReason | null) ?? undefined,
      refreshFailing: (row.refreshFailing as RefreshFailing | null) ?? undefined,
      version: row.credentialsVersion,
    };
  }

  /**
   * Fenced by the lease: lands only while `owner` still holds it (a token call plus an
   * introspection can outlast the lease) and, when the credentials carry the version they were
   * read at, while that is still the stored version.
   */
  async write(connectionId: string, c: StoredCredentials, owner: string): Promise<WriteOutcome> {
    const fence = [eq(connections.id, connectionId), eq(connections.leaseOwner, owner)];
    if (c.version !== undefined) fence.push(eq(connections.credentialsVersion, c.version));
    const rows = await this.db
      .update(connections)
      .set({
        ...credentialColumns(this.sealer, c),
        credentialsVersion: sql`${connections.credentialsVersion} + 1`,
        updatedAt: this.clock.now(),
      })
      .where(and(...fence))
      .returning({ id: connections.id });
    return rows.length > 0 ? "won" : "lost";
  }

  async tryAcquireLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const rows = await this.db
      .update(connections)
      .set({ leaseOwner: owner, leaseExpiresAt: sql`now() + make_interval(secs => ${ttlMs / 1000})` })
      .where(
        and(
          eq(connections.id, connectionId),
          or(
            isNull(connections.leaseOwner),
            lt(connections.leaseExpiresAt, sql`now()`),
            eq(connections.leaseOwner, owner),
          ),
        ),
      )
      .returning({ id: connections.id });
    return rows.length > 0;
  }

  async releaseLease(connectionId: string, owner: string): Promise<void> {
    await this.db
      .update(connections)
      .set({ leaseOwner: null, leaseExpiresAt: null })
      .where(and(eq(connections.id, connectionId), eq(connections.leaseOwner, owner)));
  }
}
