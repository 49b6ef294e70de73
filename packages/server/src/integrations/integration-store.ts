import { and, eq } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { installations, integrations } from "../store/schema.ts";
import { generateSigningSecret } from "../webhooks/signing.ts";
import { type Manifest, type ManifestObject, redactManifest } from "./manifest/manifest.ts";

export type IntegrationRow = typeof integrations.$inferSelect;
export type InstallationRow = typeof installations.$inferSelect;

/** An integration with its manifest opened: what the sync engine works from. */
export interface OpenedIntegration {
  row: IntegrationRow;
  manifest: Manifest;
  /** Signing secrets of the webhook destinations, by destination name. */
  webhookSecrets: Record<string, string>;
}

/**
 * Creates the integration, or replaces the manifest of the project's integration of that name.
 * Webhook destinations keep their signing secret across updates; a new one gets a new secret,
 * returned here once.
 */
export async function saveIntegration(
  platform: Pick<Platform, "db" | "sealer" | "clock">,
  projectId: string,
  manifest: Manifest,
): Promise<{ row: IntegrationRow; created: boolean; newSecrets: Record<string, string> }> {
  const [existing] = await platform.db
    .select()
    .from(integrations)
    .where(and(eq(integrations.projectId, projectId), eq(integrations.name, manifest.name)));
  const secrets = existing ? openSecrets(platform, existing) : {};
  const newSecrets: Record<string, string> = {};
  for (const [name, d] of Object.entries(manifest.destinations)) {
    if (d.type !== "webhook" || secrets[name]) continue;
    secrets[name] = generateSigningSecret();
    newSecrets[name] = secrets[name];
  }
  const values = {
    manifestSealed: platform.sealer.seal(JSON.stringify(manifest)),
    manifest: redactManifest(manifest),
    webhookSecretsSealed: platform.sealer.seal(JSON.stringify(secrets)),
    updatedAt: platform.clock.now(),
  };
  if (existing) {
    const [row] = await platform.db
      .update(integrations)
      .set(values)
      .where(eq(integrations.id, existing.id))
      .returning();
    return { row, created: false, newSecrets };
  }
  const [row] = await platform.db
    .insert(integrations)
    .values({ id: newId("int"), projectId, name: manifest.name, ...values })
    .returning();
  return { row, created: true, newSecrets };
}

function openSecrets(platform: Pick<Platform, "sealer">, row: IntegrationRow): Record<string, string> {
  return row.webhookSecretsSealed
    ? (JSON.parse(platform.sealer.open(row.webhookSecretsSealed)) as Record<string, string>)
    : {};
}

export function openIntegration(platform: Pick<Platform, "sealer">, row: IntegrationRow): OpenedIntegration {
  return {
    row,
    manifest: JSON.parse(platform.sealer.open(row.manifestSealed)) as Manifest,
    webhookSecrets: openSecrets(platform, row),
  };
}

/** When the integration's manifest was last replaced; undefined once it is deleted. */
export async function integrationUpdatedAt(platform: Pick<Platform, "db">, id: string): Promise<Date | undefined> {
  const [row] = await platform.db
    .select({ updatedAt: integrations.updatedAt })
    .from(integrations)
    .where(eq(integrations.id, id));
  return row?.updatedAt;
}

export async function findIntegration(
  platform: Pick<Platform, "db">,
  projectId: string,
  idOrName: string,
): Promise<IntegrationRow | undefined> {
  const byId = await platform.db
    .select()
    .from(integrations)
    .where(and(eq(integrations.projectId, projectId), eq(integrations.id, idOrName)));
  if (byId[0]) return byId[0];
  const [byName] = await platform.db
    .select()
    .from(integrations)
    .where(and(eq(integrations.projectId, projectId), eq(integrations.name, idOrName)));
  return byName;
}

export async function listIntegrations(platform: Pick<Platform, "db">, projectId: string) {
  return platform.db.select().from(integrations).where(eq(integrations.projectId, projectId));
}

export async function deleteIntegration(platform: Pick<Platform, "db">, projectId: string, id: string) {
  await platform.db.delete(integrations).where(and(eq(integrations.projectId, projectId), eq(integrations.id, id)));
}

export async function installIntegration(
  platform: Pick<Platform, "db">,
  projectId: string,
  integrationId: string,
  connectionId: string,
): Promise<{ row: InstallationRow; created: boolean }> {
  const [existing] = await platform.db
    .select()
    .from(installations)
    .where(and(eq(installations.connectionId, connectionId), eq(installations.integrationId, integrationId)));
  if (existing) return { row: existing, created: false };
  const [row] = await platform.db
    .insert(installations)
    .values({ id: newId("inst"), projectId, integrationId, connectionId })
    .onConflictDoNothing()
    .returning();
  if (row) return { row, created: true };
  const [raced] = await platform.db
    .select()
    .from(installations)
    .where(and(eq(installations.connectionId, connectionId), eq(installations.integrationId, integrationId)));
  return { row: raced, created: false };
}

export async function installationsOf(platform: Pick<Platform, "db">, connectionId: string) {
  return platform.db.select().from(installations).where(eq(installations.connectionId, connectionId));
}

/** The integrations installed on a connection, each with its manifest opened. */
export async function installedIntegrations(
  platform: Pick<Platform, "db" | "sealer">,
  connectionId: string,
): Promise<Array<{ installation: InstallationRow; integration: OpenedIntegration }>> {
  const rows = await platform.db
    .select({ installation: installations, integration: integrations })
    .from(installations)
    .innerJoin(integrations, eq(integrations.id, installations.integrationId))
    .where(eq(installations.connectionId, connectionId));
  return rows.map((r) => ({ installation: r.installation, integration: openIntegration(platform, r.integration) }));
}

/** What syncs `object` on a connection (names ignore case), with the object as the manifest spells it. */
export async function findSyncTarget(
  platform: Pick<Platform, "db" | "sealer">,
  connectionId: string,
  object: string,
): Promise<{ installation: InstallationRow; integration: OpenedIntegration; spec: ManifestObject } | null> {
  for (const found of await installedIntegrations(platform, connectionId)) {
    const spec = found.integration.manifest.objects.find((o) => o.name.toLowerCase() === object.toLowerCase());
    if (spec) return { ...found, spec };
  }
  return null;
}

/** An installation and its integration, opened; null when either is gone. */
export async function openInstallation(
  platform: Pick<Platform, "db" | "sealer">,
  installationId: string,
): Promise<{ installation: InstallationRow; integration: OpenedIntegration } | null> {
  const [row] = await platform.db
    .select({ installation: installations, integration: integrations })
    .from(installations)
    .innerJoin(integrations, eq(integrations.id, installations.integrationId))
    .where(eq(installations.id, installationId));
  return row ? { installation: row.installation, integration: openIntegration(platform, row.integration) } : null;
}

export async function installationsOfIntegration(platform: Pick<Platform, "db">, integrationId: string) {
  return platform.db.select().from(installations).where(eq(installations.integrationId, integrationId));
}

export async function removeInstallation(platform: Pick<Platform, "db">, projectId: string, id: string) {
  await platform.db.delete(installations).where(and(eq(installations.projectId, projectId), eq(installations.id, id)));
}

export function integrationView(row: IntegrationRow) {
  return {
    id: row.id,
    name: row.name,
    manifest: row.manifest as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
