import type { ConnectionRow } from "../connections/connection-store.ts";
import { enqueueSync } from "../jobs/sync-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { provisionSubscriptions } from "../subscriptions/provision-subscriptions.ts";
import { scheduleInstallation } from "./installation-schedule.ts";
import {
  type InstallationRow,
  type IntegrationRow,
  installationsOfIntegration,
  installIntegration,
  openIntegration,
  saveIntegration,
} from "./integration-store.ts";
import { parseManifest } from "./manifest/manifest.ts";
import type { ManifestError } from "./manifest/manifest-errors.ts";

export type ManifestUpload =
  | { ok: false; errors: ManifestError[] }
  | { ok: true; row: IntegrationRow; created: boolean; newSecrets: Record<string, string> };

/**
 * Parses and saves a manifest (YAML text or JSON). A changed manifest applies at once to every
 * connection it is installed on: new crons, new objects.
 */
export async function uploadManifest(platform: Platform, projectId: string, input: unknown): Promise<ManifestUpload> {
  const parsed = parseManifest(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const saved = await saveIntegration(platform, projectId, parsed.manifest);
  if (!saved.created)
    for (const inst of await installationsOfIntegration(platform, saved.row.id))
      await scheduleInstallation(platform, inst.id);
  return { ok: true, ...saved };
}

/** Installs an integration on a connection: schedules its objects and, with `startNow`, queues their first runs. */
export async function installOnConnection(
  platform: Platform,
  integration: IntegrationRow,
  conn: ConnectionRow,
  startNow: boolean,
): Promise<{ row: InstallationRow; created: boolean }> {
  const installed = await installIntegration(platform, conn.projectId, integration.id, conn.id);
  await scheduleInstallation(platform, installed.row.id);
  await provisionSubscriptions(platform, {
    installation: installed.row,
    integration: openIntegration(platform, integration),
    conn,
  });
  if (startNow) {
    const { manifest } = openIntegration(platform, integration);
    for (const o of manifest.objects)
      await enqueueSync(platform, { installationId: installed.row.id, object: o.name, trigger: "manual" });
  }
  return installed;
}
