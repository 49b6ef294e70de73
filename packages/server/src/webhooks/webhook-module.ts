import type { FastifyInstance } from "fastify";
import type { Platform } from "../platform/platform.ts";
import { startWebhookWorker } from "./delivery-worker.ts";
import { registerWebhookRoutes } from "./webhook-routes.ts";

/**
 * The webhooks capability as the server mounts it: the `/v1/webhooks` routes in the API-key scope,
 * and the delivery worker of this process (a process without HTTP calls startWebhookWorker alone).
 */
export async function registerWebhooks(app: FastifyInstance, platform: Platform): Promise<void> {
  registerWebhookRoutes(app, platform);
  await startWebhookWorker(platform);
}
