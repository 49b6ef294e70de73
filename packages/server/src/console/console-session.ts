import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { hashToken, hmacSha256Hex, randomToken, sameHash } from "../crypto/hashing.ts";
import type { Platform } from "../platform/platform.ts";
import { apiKeys, consoleSessions } from "../store/schema.ts";

export const SESSION_COOKIE = "forcelink_session";
/** A console sign-in lasts a working day. */
export const SESSION_TTL_MS = 12 * 3600_000;

export interface ConsoleSession {
  /** The stored id: the token's SHA-256. */
  id: string;
  projectId: string;
  apiKeyId: string;
  /** The token the forms carry: derived from the session token, which only the cookie holds. */
  csrf: string;
}

/** The CSRF token of a session: an HMAC of its token, so the store (which has only the hash) cannot make it. */
function csrfOf(token: string): string {
  return hmacSha256Hex(token, "forcelink-console-csrf");
}

/**
 * Signs in with an API key: a session tied to that key (revoking the key ends it), stored by the
 * hash of its token. Null when the key is not valid.
 */
export async function startSession(platform: Platform, key: string): Promise<{ token: string } | null> {
  const projectId = await platform.verifier.projectFor(key);
  if (!projectId) return null;
  const [row] = await platform.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashToken(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  const token = randomToken("fls_", 32);
  const now = platform.clock.nowMs();
  // Old sessions go when new ones start: the table holds only live ones and the recently expired.
  await platform.db.delete(consoleSessions).where(lt(consoleSessions.expiresAt, new Date(now)));
  await platform.db.insert(consoleSessions).values({
    id: hashToken(token),
    projectId,
    apiKeyId: row.id,
    expiresAt: new Date(now + SESSION_TTL_MS),
  });
  return { token };
}

/** The live session a cookie's token names: not expired, its key not revoked. */
export async function sessionOf(platform: Platform, token: string | undefined): Promise<ConsoleSession | null> {
  if (!token?.startsWith("fls_") || token.length > 100) return null;
  const id = hashToken(token);
  const [row] = await platform.db
    .select({ projectId: consoleSessions.projectId, apiKeyId: consoleSessions.apiKeyId })
    .from(consoleSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, consoleSessions.apiKeyId))
    .where(
      and(eq(consoleSessions.id, id), gt(consoleSessions.expiresAt, platform.clock.now()), isNull(apiKeys.revokedAt)),
    );
  return row ? { id, ...row, csrf: csrfOf(token) } : null;
}

export function csrfMatches(session: ConsoleSession, sent: unknown): boolean {
  return typeof sent === "string" && sameHash(sent, session.csrf);
}

export async function endSession(platform: Platform, session: ConsoleSession): Promise<void> {
  await platform.db.delete(consoleSessions).where(eq(consoleSessions.id, session.id));
}
