import { and, eq } from "drizzle-orm";
import type { Sealer } from "../crypto/sealing.ts";
import { newId } from "../ids.ts";
import type { Db } from "../store/database.ts";
import { webhookEndpoints } from "../store/schema.ts";
import { normalizeSubscription } from "./event-types.ts";
import { generateSigningSecret } from "./signing.ts";

/** Webhook endpoints of a project. Every query names the project: one never sees another's. */

export const MAX_URL_LENGTH = 2048;

/** Why a URL cannot be an endpoint, or null when it can. */
export function endpointUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL such as https://example.com/webhooks/forcelink";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return `must use https (or http); '${url.protocol.replace(/:$/, "")}' cannot receive webhooks`;
  // URLs are stored and listed in clear: credentials do not belong in them. The signature
  // authenticates Forcelink to the receiver.
  if (url.username || url.password)
    return "must not contain a user name or password; verify the Forcelink-Signature header instead";
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  return null;
}

const view = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  events: webhookEndpoints.events,
  enabled: webhookEndpoints.enabled,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
};

export type EndpointView = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export async function createEndpoint(
  db: Db,
  sealer: Sealer,
  projectId: string,
  input: { url: string; events: string[]; description?: string | null },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const secret = generateSigningSecret();
  const [endpoint] = await db
    .insert(webhookEndpoints)
    .values({
      id: newId("wh"),
      projectId,
      url: new URL(input.url).href,
      description: input.description ?? null,
      events: normalizeSubscription(input.events),
      secretSealed: sealer.seal(secret),
    })
    .returning(view);
  return { endpoint, secret };
}

export function listEndpoints(db: Db, projectId: string): Promise<EndpointView[]> {
  return db
    .select(view)
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, projectId))
    .orderBy(webhookEndpoints.createdAt, webhookEndpoints.id);
}

export async function getEndpoint(db: Db, projectId: string, id: string): Promise<EndpointView | null> {
  const [row] = await db.select(view).from(webhookEndpoints).where(ofProject(projectId, id));
  return row ?? null;
}

export async function updateEndpoint(
  db: Db,
  projectId: string,
  id: string,
  changes: { url?: string; events?: string[]; enabled?: boolean; description?: string | null },
  now: Date,
): Promise<EndpointView | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...(changes.url !== undefined ? { url: new URL(changes.url).href } : {}),
      ...(changes.events !== undefined ? { events: normalizeSubscription(changes.events) } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      updatedAt: now,
    })
    .where(ofProject(projectId, id))
    .returning(view);
  return row ?? null;
}

/** Deleting an endpoint deletes its deliveries; jobs still queued for them end without sending. */
export async function deleteEndpoint(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db.delete(webhookEndpoints).where(ofProject(projectId, id)).returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/**
 * A new secret, shown once. With a grace period, deliveries carry a signature with the old secret
 * too until it ends, so receivers can switch without dropping any; without one the old secret stops
 * at once (what you want after a leak).
 */
export async function rotateEndpointSecret(
  db: Db,
  sealer: Sealer,
  projectId: string,
  id: string,
  options: { previousSecretValidSeconds: number; now: Date },
): Promise<{ endpoint: EndpointView; secret: string } | null> {
  const { now } = options;
  const [current] = await db
    .select({ secretSealed: webhookEndpoints.secretSealed })
    .from(webhookEndpoints)
    .where(ofProject(projectId, id));
  if (!current) return null;
  const secret = generateSigningSecret();
  const keepPrevious = options.previousSecretValidSeconds > 0;
  const [endpoint] = await db
    .update(webhookEndpoints)
    .set({
      secretSealed: sealer.seal(secret),
      previousSecretSealed: keepPrevious ? current.secretSealed : null,
      previousSecretExpiresAt: keepPrevious
        ? new Date(now.getTime() + options.previousSecretValidSeconds * 1000)
        : null,
      updatedAt: now,
    })
    .where(ofProject(projectId, id))
    .returning(view);
  return endpoint ? { endpoint, secret } : null;
}

/** What the worker needs to send: the URL and every secret currently valid, opened. */
export async function endpointForDelivery(
  db: Db,
  sealer: Sealer,
  id: string,
  now: Date,
): Promise<{ url: string; enabled: boolean; secrets: string[] } | null> {
  const [row] = await db
    .select({
      url: webhookEndpoints.url,
      enabled: webhookEndpoints.enabled,
      secretSealed: webhookEndpoints.secretSealed,
      previousSecretSealed: webhookEndpoints.previousSecretSealed,
      previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
    })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id));
  if (!row) return null;
  const secrets = [sealer.open(row.secretSealed)];
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now)
    secrets.push(sealer.open(row.previousSecretSealed));
  return { url: row.url, enabled: row.enabled, secrets };
}

function ofProject(projectId: string, id: string) {
  return and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId));
}

/** The project's enabled endpoints, with their subscriptions, for matching an event. */
export function enabledEndpoints(db: Db, projectId: string): Promise<Array<{ id: string; events: string[] }>> {
  return db
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), eq(webhookEndpoints.enabled, true)));
}
