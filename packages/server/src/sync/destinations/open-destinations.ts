import type { OpenedIntegration } from "../../integrations/integration-store.ts";
import type { Platform } from "../../platform/platform.ts";
import type { Destination } from "./destination.ts";
import { PostgresDestination } from "./postgres-destination.ts";
import { RecordsDestination } from "./records-destination.ts";
import { WebhookDestination } from "./webhook-destination.ts";

/** The destinations an object of an installed integration delivers to, opened for one run. */
export function openDestinations(
  platform: Pick<Platform, "db" | "clock">,
  integration: OpenedIntegration,
  names: readonly string[],
  target: { projectId: string; connectionId: string },
): Destination[] {
  return names.map((name) => {
    const d = integration.manifest.destinations[name];
    if (!d) throw new Error(`the manifest names no destination '${name}'`);
    switch (d.type) {
      case "postgres":
        return new PostgresDestination({ name, url: d.url, schema: d.schema, tablePrefix: d.tablePrefix });
      case "webhook": {
        const secret = integration.webhookSecrets[name];
        if (!secret) throw new Error(`webhook destination '${name}' has no signing secret; upload the manifest again`);
        return new WebhookDestination({
          name,
          url: d.url,
          secret,
          batchSize: d.batchSize,
          connectionId: target.connectionId,
          clock: platform.clock,
        });
      }
      case "records":
        return new RecordsDestination({ name, db: platform.db, ...target });
      default:
        throw new Error(`destination '${name}' has a type this version does not know`);
    }
  });
}
