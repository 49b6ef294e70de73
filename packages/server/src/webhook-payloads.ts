import { z } from "zod";
import { syncRunSchema } from "./sync/sync-routes.ts";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./webhooks/event-types.ts";
import { countsView } from "./writes/write-views.ts";

/**
 * The `data` of every webhook event, as its emitter builds it: the OpenAPI document's `webhooks`
 * and the Node SDK's event types come from here. A new event type fails to compile until its
 * payload is described.
 */

const checkPointer = z.object({
  id: z.string(),
  title: z.string(),
  remedy: z.array(z.string()),
  checklist: z.boolean(),
  reason: z.string().optional(),
});

const syncData = z.object({
  connectionId: z.string(),
  endUserId: z.string(),
  object: z.string(),
  run: syncRunSchema,
});

const writeData = z.object({
  writeId: z.string(),
  connectionId: z.string(),
  object: z.string(),
  operation: z.string(),
  status: z.string(),
  path: z.string().nullable().describe("collections, composite or bulk"),
  counts: countsView,
  apiCalls: z.number().int(),
  error: z.record(z.string(), z.unknown()).optional().describe("Why the write stopped or paused"),
});

const subscriptionData = z.object({
  connectionId: z.string(),
  endUserId: z.string(),
  subscriptionId: z.string(),
  object: z.string(),
  reason: z
    .string()
    .describe(
      "recovered: gap, overflow or replay_id_invalid; paused: the check's reason (cdc-allocation, subscription-permissions); resumed: checks_pass",
    ),
  records: z.number().int().optional().describe("Records the recovery read and delivered"),
  check: checkPointer.optional().describe("The checklist check that explains a pause, with its remedy"),
});

export const WEBHOOK_EVENT_DATA: Record<WebhookEventType | typeof TEST_EVENT_TYPE, z.ZodType> = {
  "connection.created": z.object({
    connectionId: z.string(),
    endUserId: z.string(),
    providerAppId: z.string(),
    orgId: z.string(),
    environment: z.string(),
    offlineAccess: z.boolean().optional().describe("Connect-page connections: whether a refresh token was granted"),
    authFlow: z.enum(["client_credentials", "jwt_bearer"]).optional().describe("Server-side connections"),
  }),
  "connection.needs_reauth": z.object({
    connectionId: z.string(),
    reason: z.object({
      error: z.string(),
      description: z.string(),
      reason: z.string().nullable(),
      checklistItem: z.string().nullable(),
      remedy: z.string().nullable(),
    }),
    check: checkPointer.nullable(),
    reconnect: z
      .object({ method: z.literal("POST"), path: z.string(), body: z.object({ connectionId: z.string() }) })
      .describe("The call that makes a connect link to send the customer"),
  }),
  "connection.refresh_failed": z.object({
    connectionId: z.string(),
    error: z.string(),
    description: z.string(),
    nextAttemptAt: z.string(),
  }),
  "connection.recovered": z.object({
    connectionId: z.string(),
    endUserId: z.string().optional(),
    via: z.literal("reconnect").optional().describe("The customer connected again"),
    failingSince: z.string().optional().describe("Refreshes failed since then, and work again"),
    failures: z.number().int().optional(),
  }),
  "connection.checklist_failed": z.object({
    connectionId: z.string(),
    endUserId: z.string(),
    runId: z.string(),
    ranAt: z.string(),
    failing: z.array(z.object({ id: z.string(), title: z.string(), new: z.boolean(), remedy: z.array(z.string()) })),
  }),
  "connection.deleted": z.object({
    connectionId: z.string(),
    endUserId: z.string(),
    providerAppId: z.string(),
    tokenRevoked: z.boolean(),
    revokeFailure: z.string().nullable(),
  }),
  "sync.completed": syncData,
  "sync.failed": syncData,
  "sync.paused": syncData,
  "subscription.recovered": subscriptionData,
  "subscription.paused": subscriptionData,
  "subscription.resumed": subscriptionData,
  "write.completed": writeData,
  "write.failed": writeData,
  "write.paused": writeData,
  [TEST_EVENT_TYPE]: z.object({ endpointId: z.string(), message: z.string() }),
};

/** Every event as delivered: the envelope with the type's data. */
export function webhookEventSchema(type: WebhookEventType | typeof TEST_EVENT_TYPE): z.ZodType {
  return z.object({
    id: z.string().describe("The event's id (evt_…), the same on every retry: deduplicate on it"),
    type: z.literal(type),
    createdAt: z.string(),
    projectId: z.string(),
    data: WEBHOOK_EVENT_DATA[type],
  });
}

/** What the OpenAPI document lists under `webhooks`, one entry per event type. */
export function webhookEventsDocumented(): Record<string, { description: string; payload: z.ZodType }> {
  const events: Record<string, { description: string; payload: z.ZodType }> = {};
  for (const [type, description] of Object.entries(WEBHOOK_EVENT_TYPES))
    events[type] = { description, payload: webhookEventSchema(type as WebhookEventType) };
  events[TEST_EVENT_TYPE] = {
    description: "Sent by POST /v1/webhooks/{id}/test to that endpoint only.",
    payload: webhookEventSchema(TEST_EVENT_TYPE),
  };
  return events;
}
