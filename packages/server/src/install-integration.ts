import { type ConnectionRow, findConnection } from "./connections/connection-store.ts";
import { scheduleInstallation } from "./integrations/installation-schedule.ts";
import {
  type InstallationRow,
  type IntegrationRow,
  installationsOfIntegration,
  installIntegration,
  openIntegration,
} from "./integrations/integration-store.ts";
import { type ManifestUpload, uploadManifest } from "./integrations/integration-uses.ts";
import { enqueueSync } from "./jobs/sync-queue.ts";
import type { Platform } from "./platform/platform.ts";
import { provisionSubscriptions, reconcileSubscriptions } from "./subscriptions/provision-subscriptions.ts";

/*
 * Installing spans capabilities (integrations, the sync's schedule, subscriptions), so it lives
 * here beside server.ts, above them: the API, the console and the command line install through it.
 */

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

/**
 * Uploads a manifest (the API and the console upload through it). A changed manifest applies at
 * once to every connection it is installed on: new crons and objects, and subscriptions matched to
 * its `subscribe: true` objects (a connection whose org cannot be reached now keeps its old ones;
 * the failure is logged and shown in its activity).
 */
export async function uploadIntegration(
  platform: Platform,
  projectId: string,
  input: unknown,
): Promise<ManifestUpload> {
  const saved = await uploadManifest(platform, projectId, input);
  if (!saved.ok || saved.created) return saved;
  const integration = openIntegration(platform, saved.row);
  for (const installation of await installationsOfIntegration(platform, saved.row.id)) {
    const conn = await findConnection(platform, projectId, installation.connectionId);
    if (!conn) continue;
    await reconcileSubscriptions(platform, { installation, integration, conn }).catch(async (err: unknown) => {
      platform.logger.warn(
        { err, installationId: installation.id },
        "could not match subscriptions to the new manifest",
      );
      await platform.activity.record({
        projectId,
        connectionId: conn.id,
        kind: "subscription",
        level: "warn",
        message: `Subscriptions were not matched to the new manifest of ${saved.row.name}: ${err instanceof Error ? err.message : String(err)}`,
        details: { installationId: installation.id, event: "reconcile_failed" },
      });
    });
  }
  return saved;
}
