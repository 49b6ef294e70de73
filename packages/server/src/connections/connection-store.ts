import { credentialsFrom, type ReauthReason, type TokenSet } from "@forcelink/salesforce";
import { and, desc, eq, isNotNull, type SQL, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { type CheckPointer, explainGrantFailure } from "../remedies/explain-failure.ts";
import { explainRefusedGrant, type PolicyReading } from "../remedies/grant-refusal.ts";
import { checklistRuns, connections } from "../store/schema.ts";
import type { JwtGrant } from "./connection-grant.ts";
import { credentialColumns } from "./credential-store.ts";

export type ConnectionRow = typeof connections.$inferSelect;
export type Environment = "production" | "sandbox" | "mydomain";
export type AuthFlow = "web_server" | "client_credentials" | "jwt_bearer";

export interface NewConnection {
  projectId: string;
  providerAppId: string;
  endUserId: string;
  environment: Environment;
  authFlow: AuthFlow;
  /** The host tokens are redeemed on: a login host or the org's My Domain. */
  loginUrl: string;
  tokens: TokenSet;
  username?: string | null;
  /** How the connection's tokens are renewed without a refresh token (JWT bearer). */
  grant?: JwtGrant | null;
}

/** Stores a new connection, its tokens sealed by the credential store's one mapping. */
export async function insertConnection(platform: Platform, input: NewConnection): Promise<ConnectionRow> {
  const { tokens } = input;
  const [row] = await platform.db
    .insert(connections)
    .values({
      id: newId("conn"),
      projectId: input.projectId,
      providerAppId: input.providerAppId,
      endUserId: input.endUserId,
      environment: input.environment,
      authFlow: input.authFlow,
      loginUrl: input.loginUrl,
      username: input.username ?? null,
      grant: input.grant ?? null,
      ...credentialColumns(platform.sealer, credentialsFrom(tokens, platform.clock.nowMs())),
      lastRefreshAt: null,
    })
    .returning();
  return row;
}

export async function findConnection(
  platform: Platform,
  projectId: string,
  id: string,
): Promise<ConnectionRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.projectId, projectId)));
  return row;
}

export async function listConnections(
  platform: Platform,
  projectId: string,
  filter: { endUserId?: string; status?: string; providerAppId?: string; limit: number },
): Promise<ConnectionRow[]> {
  const conditions: SQL[] = [eq(connections.projectId, projectId)];
  if (filter.endUserId) conditions.push(eq(connections.endUserId, filter.endUserId));
  if (filter.status) conditions.push(eq(connections.status, filter.status));
  if (filter.providerAppId) conditions.push(eq(connections.providerAppId, filter.providerAppId));
  return platform.db
    .select()
    .from(connections)
    .where(and(...conditions))
    .orderBy(desc(connections.createdAt))
    .limit(filter.limit);
}

export async function removeConnection(platform: Platform, projectId: string, id: string): Promise<boolean> {
  const rows = await platform.db
    .delete(connections)
    .where(and(eq(connections.id, id), eq(connections.projectId, projectId)))
    .returning({ id: connections.id });
  return rows.length > 0;
}

/** What the connection's last checklist run read of the app's refresh-token policy, or null. */
async function refreshPolicyReading(platform: Platform, connectionId: string): Promise<PolicyReading | null> {
  const [run] = await platform.db
    .select({ results: checklistRuns.results })
    .from(checklistRuns)
    .where(eq(checklistRuns.connectionId, connectionId))
    .orderBy(desc(checklistRuns.ranAt), desc(checklistRuns.id))
    .limit(1);
  const checks = (run?.results ?? []) as Array<PolicyReading & { id: string }>;
  return checks.find((c) => c.id === "refresh-token-policy") ?? null;
}

/**
 * Explains a refused grant once, when it happens, with what the last checklist run read of the
 * app's policy (which tells a revoked grant from an expired one), and keeps the explanation with
 * the connection's reason so every later view says the same.
 */
export async function explainReauth(
  platform: Platform,
  connectionId: string,
  reason: ReauthReason | Parameters<typeof explainGrantFailure>[0],
): Promise<CheckPointer | undefined> {
  const check = explainRefusedGrant(reason, await refreshPolicyReading(platform, connectionId));
  if (check)
    await platform.db
      .update(connections)
      .set({ reauth: sql`coalesce(${connections.reauth}, '{}'::jsonb) || ${JSON.stringify({ check })}::jsonb` })
      .where(and(eq(connections.id, connectionId), isNotNull(connections.reauth)));
  return check;
}

/** Why the connection needs the customer again, and the check that explains it when one does. */
function reauthView(row: ConnectionRow) {
  const stored = (row.reauth as (ReauthReason & { check?: CheckPointer }) | null) ?? null;
  if (!stored) return null;
  const { check: recorded, ...reauth } = stored;
  const check =
    recorded ?? explainGrantFailure(reauth, { user: row.username ? `the user ${row.username}` : undefined });
  return { ...reauth, check: check ?? null };
}

/** What the API shows of a connection: never a token. */
export function connectionView(row: ConnectionRow) {
  return {
    id: row.id,
    providerAppId: row.providerAppId,
    endUserId: row.endUserId,
    environment: row.environment,
    authFlow: row.authFlow,
    status: row.status,
    statusReason: row.statusReason,
    reauth: reauthView(row),
    orgId: row.orgId,
    userId: row.userId,
    username: row.username,
    instanceUrl: row.instanceUrl,
    scopes: row.scopes,
    hasRefreshToken: row.refreshTokenSealed !== null,
    lastRefreshAt: row.lastRefreshAt?.toISOString() ?? null,
    apiUsage: row.apiUsed !== null && row.apiMax !== null ? { used: row.apiUsed, max: row.apiMax } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
