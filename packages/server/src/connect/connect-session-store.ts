import { and, eq, isNull } from "drizzle-orm";
import { hashToken, randomToken } from "../crypto/hashing.ts";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { connectSessions } from "../store/schema.ts";

export type ConnectSessionRow = typeof connectSessions.$inferSelect;

/** How long a connect link works: long enough to find an admin, short enough not to linger. */
export const CONNECT_LINK_TTL_MS = 30 * 60 * 1000;
/** How long the customer has at Salesforce once they have left for it. */
export const AUTHORIZE_TTL_MS = 15 * 60 * 1000;

export interface CreatedConnectSession {
  row: ConnectSessionRow;
  /** The secret in the link; only its hash is stored. */
  token: string;
  url: string;
}

export async function createConnectSession(
  platform: Platform,
  input: {
    projectId: string;
    providerAppId: string;
    endUserId: string;
    environment?: string | null;
    myDomain?: string | null;
    returnUrl?: string | null;
    /** Set to reconnect that connection rather than create a new one. */
    reconnectConnectionId?: string | null;
  },
): Promise<CreatedConnectSession> {
  const token = randomToken("cs_", 24);
  const [row] = await platform.db
    .insert(connectSessions)
    .values({
      id: newId("cs"),
      projectId: input.projectId,
      providerAppId: input.providerAppId,
      endUserId: input.endUserId,
      environment: input.environment ?? null,
      myDomain: input.myDomain ?? null,
      returnUrl: input.returnUrl ?? null,
      connectionId: input.reconnectConnectionId ?? null,
      tokenHash: hashToken(token),
      status: "pending",
      expiresAt: new Date(platform.clock.nowMs() + CONNECT_LINK_TTL_MS),
    })
    .returning();
  return { row, token, url: `${platform.config.publicUrl}/connect/${token}` };
}

export async function sessionByToken(platform: Platform, token: string): Promise<ConnectSessionRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(connectSessions)
    .where(eq(connectSessions.tokenHash, hashToken(token)));
  return row;
}

export async function sessionByState(platform: Platform, state: string): Promise<ConnectSessionRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(connectSessions)
    .where(eq(connectSessions.stateHash, hashToken(state)));
  return row;
}

export async function sessionById(
  platform: Platform,
  projectId: string,
  id: string,
): Promise<ConnectSessionRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(connectSessions)
    .where(and(eq(connectSessions.id, id), eq(connectSessions.projectId, projectId)));
  return row;
}

/** Records the start of an authorize round trip: a fresh state and PKCE verifier, replacing any earlier one. */
export async function recordAuthorizeStart(
  platform: Platform,
  id: string,
  input: {
    state: string;
    codeVerifier: string | null;
    loginUrl: string;
    environment: string;
    myDomain: string | null;
    display: string;
  },
): Promise<void> {
  await platform.db
    .update(connectSessions)
    .set({
      stateHash: hashToken(input.state),
      codeVerifierSealed: input.codeVerifier ? platform.sealer.seal(input.codeVerifier) : null,
      loginUrl: input.loginUrl,
      environment: input.environment,
      myDomain: input.myDomain,
      display: input.display,
      status: "authorizing",
      startedAt: platform.clock.now(),
      error: null,
    })
    .where(eq(connectSessions.id, id));
}

/**
 * Uses the state once: the first callback to claim it wins; a replayed or raced callback finds
 * nothing to claim. The state's hash stays, so a reload of the completed callback still finds its
 * session (to show its result, never to exchange again).
 */
export async function claimState(platform: Platform, id: string, state: string): Promise<boolean> {
  const rows = await platform.db
    .update(connectSessions)
    .set({ status: "exchanging" })
    .where(
      and(
        eq(connectSessions.id, id),
        eq(connectSessions.stateHash, hashToken(state)),
        eq(connectSessions.status, "authorizing"),
        isNull(connectSessions.completedAt),
      ),
    )
    .returning({ id: connectSessions.id });
  return rows.length > 0;
}

/** How long the result page's "Check again" button works. */
export const CHECKLIST_TOKEN_TTL_MS = 60 * 60 * 1000;

/**
 * Marks the session completed and mints the result page's "Check again" token: a secret apart from
 * the (now used) connect link, good for re-running the checklist of this one connection for an
 * hour. Only its hash is stored; the token is returned once, for the page.
 */
export async function completeSession(
  platform: Platform,
  id: string,
  connectionId: string,
): Promise<{ checklistToken: string }> {
  const checklistToken = randomToken("cc_", 24);
  await platform.db
    .update(connectSessions)
    .set({
      status: "completed",
      connectionId,
      completedAt: platform.clock.now(),
      codeVerifierSealed: null,
      error: null,
      checklistTokenHash: hashToken(checklistToken),
      checklistTokenExpiresAt: new Date(platform.clock.nowMs() + CHECKLIST_TOKEN_TTL_MS),
    })
    .where(eq(connectSessions.id, id));
  return { checklistToken };
}

/** The completed session a "Check again" token belongs to, expired or not (the caller tells them apart). */
export async function sessionByChecklistToken(
  platform: Platform,
  token: string,
): Promise<ConnectSessionRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(connectSessions)
    .where(and(eq(connectSessions.checklistTokenHash, hashToken(token)), eq(connectSessions.status, "completed")));
  return row;
}

export async function failSession(
  platform: Platform,
  id: string,
  error: { code: string; message: string },
): Promise<void> {
  await platform.db
    .update(connectSessions)
    .set({ status: "failed", error, codeVerifierSealed: null, stateHash: null })
    .where(eq(connectSessions.id, id));
}

/** The status the builder sees: a link left unfinished past its time says why it may have stalled. */
export function sessionView(row: ConnectSessionRow, now: number) {
  const expired = row.status !== "completed" && row.expiresAt.getTime() < now;
  const stalled =
    row.status === "authorizing" && row.startedAt !== null && now - row.startedAt.getTime() > AUTHORIZE_TTL_MS;
  return {
    id: row.id,
    providerAppId: row.providerAppId,
    endUserId: row.endUserId,
    status: expired ? "expired" : stalled ? "stalled" : row.status,
    environment: row.environment,
    myDomain: row.myDomain,
    connectionId: row.connectionId,
    error: (row.error as { code: string; message: string } | null) ?? null,
    hint:
      stalled || (expired && row.startedAt)
        ? "The customer went to Salesforce and did not come back. Salesforce may have stopped them on its own error page: the app may need to be installed in their org, or their user needs 'Approve Uninstalled Connected Apps', or admin approval for the app. Send them a new link after their admin fixes it."
        : null,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
