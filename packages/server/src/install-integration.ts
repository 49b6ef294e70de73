import type { ConnectionRow } from "./connections/connection-store.ts";
import { scheduleInstallation } from "./integrations/installation-schedule.ts";
import {
  type InstallationRow,
  type IntegrationRow,
  installIntegration,
  openIntegration,
} from "./integrations/integration-store.ts";
import { enqueueSync } from "./jobs/sync-queue.ts";
import type { Platform } from "./platform/platform.ts";
import { provisionSubscriptions } from "./subscriptions/provision-subscriptions.ts";

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
