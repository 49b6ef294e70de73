import { OAuthFailure, revokeToken } from "@forcelink/salesforce";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Platform } from "../platform/platform.ts";
import { connections } from "../store/schema.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { type ConnectionRow, removeConnection } from "./connection-store.ts";

/** `?force=true` on a delete: go ahead even where Salesforce could not revoke a grant. */
export const forceFlag = z
  .enum(["true", "false"], { message: "force must be true or false" })
  .default("false")
  .transform((v) => v === "true");

/** What became of a connection's grant at Salesforce when the connection was deleted. */
export type RevokeOutcome =
  | { revoked: true }
  /** Salesforce refused the token as already invalid: no live grant is left either. */
  | { revoked: false; alreadyInvalid: true; reason: string }
  /** No answer (network, timeout) or a 5xx: the grant may still be live. */
  | { revoked: false; alreadyInvalid: false; reason: string };

export type DisconnectOutcome =
  | { deleted: true; revoke: RevokeOutcome }
  /** Salesforce could not be reached to revoke, and deleting anyway was not asked for. */
  | { deleted: false; revoke: RevokeOutcome & { revoked: false; alreadyInvalid: false } };

/** Revokes the refresh token (or, without one, the access token): either kills the whole grant. */
export async function revokeGrant(platform: Platform, row: ConnectionRow): Promise<RevokeOutcome> {
  const token = platform.sealer.open(row.refreshTokenSealed ?? row.accessTokenSealed);
  try {
    await revokeToken({ baseUrl: row.instanceUrl, token });
    return { revoked: true };
  } catch (error) {
    // Status 0 is a transport failure: Salesforce never answered, so the grant may be live.
    if (error instanceof OAuthFailure && error.status >= 400 && error.status < 500)
      return { revoked: false, alreadyInvalid: true, reason: `Salesforce refused the token as ${error.error}` };
    const reason =
      error instanceof OAuthFailure
        ? error.description || error.error
        : error instanceof Error
          ? error.message
          : String(error);
    return { revoked: false, alreadyInvalid: false, reason: `Salesforce could not revoke the grant: ${reason}` };
  }
}

/**
 * Deletes a connection after revoking its grant. An unreachable Salesforce keeps the connection
 * (its grant would stay live with nobody holding it) unless `force`, which deletes it anyway and
 * says the grant was not revoked, in the answer and in `connection.deleted`.
 */
export async function disconnect(
  platform: Platform,
  row: ConnectionRow,
  options: { force: boolean },
): Promise<DisconnectOutcome> {
  const revoke = await revokeGrant(platform, row);
  if (!revoke.revoked && !revoke.alreadyInvalid && !options.force) return { deleted: false, revoke };
  await removeConnection(platform, row.projectId, row.id);
  platform.tokens.forget(row.id);
  await emitEvent(platform, row.projectId, "connection.deleted", {
    connectionId: row.id,
    endUserId: row.endUserId,
    providerAppId: row.providerAppId,
    tokenRevoked: revoke.revoked,
    revokeFailure: revoke.revoked ? null : revoke.reason,
  });
  await platform.activity.record({
    projectId: row.projectId,
    connectionId: row.id,
    kind: "disconnect",
    level: revoke.revoked || revoke.alreadyInvalid ? "info" : "warn",
    message:
      revoke.revoked || revoke.alreadyInvalid
        ? "Deleted; its grant at Salesforce is revoked"
        : `Deleted without revoking its grant (${revoke.reason}): revoke the app's access in Salesforce`,
    details: { endUserId: row.endUserId, orgId: row.orgId, revoked: revoke.revoked, forced: options.force },
  });
  return { deleted: true, revoke };
}

/** The connections made through a provider app, which deleting the app would take with it. */
export async function connectionsOfApp(
  platform: Platform,
  projectId: string,
  providerAppId: string,
): Promise<ConnectionRow[]> {
  return platform.db
    .select()
    .from(connections)
    .where(and(eq(connections.projectId, projectId), eq(connections.providerAppId, providerAppId)));
}

/** Disconnects every connection of a provider app: each grant revoked where Salesforce answers, each deletion announced. */
export async function disconnectAll(
  platform: Platform,
  rows: ConnectionRow[],
): Promise<Array<{ connectionId: string; reason: string }>> {
  const notRevoked: Array<{ connectionId: string; reason: string }> = [];
  for (const row of rows) {
    const { revoke } = await disconnect(platform, row, { force: true });
    if (!revoke.revoked && !revoke.alreadyInvalid) notRevoked.push({ connectionId: row.id, reason: revoke.reason });
  }
  return notRevoked;
}
