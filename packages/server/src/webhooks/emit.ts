import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { enqueueDeliveries } from "./delivery-queue.ts";
import { insertDeliveries, loadDelivery, type NewDelivery, type WebhookEvent } from "./delivery-store.ts";
import { enabledEndpoints } from "./endpoints.ts";
import { endpointWants, isWebhookEventType, TEST_EVENT_TYPE, type WebhookEventType } from "./event-types.ts";

/** Event data: JSON values only (Dates become ISO strings). */
export type WebhookEventData = Record<string, unknown>;

export class UnsafeEventDataError extends Error {}

/**
 * Announces an event to the project's webhook endpoints: one delivery per enabled endpoint
 * subscribed to `type`, each sent and retried by the delivery worker.
 *
 * `data` goes to the builder's servers as is: ids, statuses, reasons, org and user ids, instance
 * URLs. Never tokens, secrets, passwords, keys or sealed values: keys named like them
 * (`accessToken`, `client_secret`, `privateKey`, …) and values shaped like them (API keys, signing
 * secrets, Salesforce session ids) are refused with UnsafeEventDataError, before anything is written.
 *
 * Resolves once the deliveries are recorded. If queueing them then fails, the error is logged and
 * the recovery sweep enqueues them later; the caller's own work need not fail for it.
 */
export async function emitEvent(
  platform: Platform,
  projectId: string,
  type: WebhookEventType,
  data: WebhookEventData,
  options: { now?: Date } = {},
): Promise<{ event: WebhookEvent; deliveryIds: string[] }> {
  if (!isWebhookEventType(type))
    throw new Error(`'${type}' is not a webhook event type; add it to WEBHOOK_EVENT_TYPES`);
  const event = buildEvent(projectId, type, data, options.now ?? platform.clock.now());
  const endpoints = (await enabledEndpoints(platform.db, projectId)).filter((e) => endpointWants(e.events, type));
  const deliveryIds = await record(
    platform,
    endpoints.map((e) => ({ id: newId("whd"), projectId, endpointId: e.id, event })),
  );
  return { event, deliveryIds };
}

/** A `webhook.test` event to one endpoint, whatever it subscribes to. */
export async function sendTestEvent(
  platform: Platform,
  projectId: string,
  endpointId: string,
): Promise<{ event: WebhookEvent; deliveryId: string }> {
  const event = buildEvent(
    projectId,
    TEST_EVENT_TYPE,
    {
      endpointId,
      message: "A test event from Forcelink: if you can read this, the endpoint receives and can verify webhooks.",
    },
    platform.clock.now(),
  );
  const [deliveryId] = await record(platform, [{ id: newId("whd"), projectId, endpointId, event }]);
  return { event, deliveryId };
}

/**
 * Sends an event again to the endpoint a delivery went to, as a new delivery with attempts of its
 * own; the event (id and body) is the same, so a receiver that deduplicates by event id sees one
 * event. Null when the project has no such delivery.
 */
export async function redeliver(
  platform: Platform,
  projectId: string,
  deliveryId: string,
): Promise<{ deliveryId: string; endpointId: string } | null> {
  const found = await loadDelivery(platform.db, deliveryId);
  if (!found || found.projectId !== projectId) return null;
  const [id] = await record(platform, [
    { id: newId("whd"), projectId, endpointId: found.endpointId, event: found.payload },
  ]);
  return { deliveryId: id, endpointId: found.endpointId };
}

export function buildEvent(projectId: string, type: string, data: WebhookEventData, now: Date): WebhookEvent {
  const unsafe = secretLikePaths(data);
  if (unsafe.length > 0)
    throw new UnsafeEventDataError(
      `webhook event '${type}' would carry what looks like a secret at ${unsafe.join(", ")}; webhook bodies never hold tokens or secrets`,
    );
  return {
    id: newId("evt"),
    type,
    createdAt: now.toISOString(),
    projectId,
    data: JSON.parse(JSON.stringify(data)) as WebhookEventData,
  };
}

async function record(platform: Platform, deliveries: NewDelivery[]): Promise<string[]> {
  await insertDeliveries(platform.db, deliveries);
  const ids = deliveries.map((d) => d.id);
  try {
    await enqueueDeliveries(platform, ids);
  } catch (err) {
    platform.logger.error(
      { err, deliveryIds: ids },
      "webhook deliveries recorded but not queued; the recovery sweep will queue them",
    );
  }
  return ids;
}

const SECRET_KEY_ENDINGS = ["token", "secret", "password", "passwd", "privatekey", "apikey", "sealed", "codeverifier"];
const SECRET_KEYS = new Set(["authorization", "cookie", "setcookie", "sessionid", "sid", "assertion"]);
const SECRET_VALUES = [
  /^fl_sk_/, // Forcelink API keys
  /^whsec_/, // webhook signing secrets
  /^v1\.[\w-]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/, // sealed values
  /^00D[A-Za-z0-9]{12,15}![\w.]+$/, // Salesforce session ids / access tokens
  /^-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^Bearer\s/i,
];

/** Paths in `data` whose key or value looks like a secret. */
export function secretLikePaths(data: unknown, path = "data"): string[] {
  if (typeof data === "string") return SECRET_VALUES.some((re) => re.test(data)) ? [path] : [];
  if (Array.isArray(data)) return data.flatMap((v, i) => secretLikePaths(v, `${path}[${i}]`));
  if (data && typeof data === "object" && !(data instanceof Date)) {
    return Object.entries(data).flatMap(([key, value]) => {
      const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
      const here = `${path}.${key}`;
      if (SECRET_KEYS.has(k) || SECRET_KEY_ENDINGS.some((end) => k.endsWith(end))) return [here];
      return secretLikePaths(value, here);
    });
  }
  return [];
}
