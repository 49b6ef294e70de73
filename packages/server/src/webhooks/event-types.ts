/**
 * Every event a builder can subscribe to, with what it means. Adding an event is one line here:
 * the API's validation, the OpenAPI document and the matching rules all read this table.
 */
export const WEBHOOK_EVENT_TYPES = {
  "connection.created": "A customer connected an org: the connection is active.",
  "connection.needs_reauth": "The connection's refresh token was refused: the customer must connect again.",
  "connection.refresh_failed": "A token refresh failed for a reason that may pass (Salesforce down, timeout).",
  "connection.recovered": "A connection that needed attention works again.",
  "connection.checklist_failed": "The daily checklist found a check failing that passed in the run before.",
  "connection.deleted": "The connection was deleted and its tokens revoked.",
  "sync.completed": "A sync run of one object finished: counts, API calls and mode are in the event.",
  "sync.failed": "A sync run of one object stopped on an error it could not retry; the checkpoint is kept.",
  "sync.paused": "A sync stopped to spare the org's daily API quota; it resumes on its own.",
  "subscription.recovered":
    "A subscription could not trust the stream (a gap, an overflow, an unusable replay id) and read the changes by query; the reason is in the event.",
  "subscription.paused":
    "A subscription cannot run (permission removed, Change Data Capture allocation full): the check that explains it is in the event.",
  "subscription.resumed":
    "A paused subscription runs again: the checks that paused it pass (a newer checklist run, or a resume asked through the API). It resumes from its checkpoint.",
  "write.completed": "A write finished: every record has a result; counts are in the event.",
  "write.failed": "A write stopped on an error it could not retry; records not yet sent stay pending.",
  "write.paused": "A write stopped to spare the org's daily API quota; it resumes on its own.",
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;

/** Sent by `POST /v1/webhooks/{id}/test` to that endpoint only; nobody subscribes to it. */
export const TEST_EVENT_TYPE = "webhook.test";

/** Subscribes an endpoint to every event, including those added in later versions. */
export const ALL_EVENTS = "*";

export const webhookEventTypes = Object.keys(WEBHOOK_EVENT_TYPES) as [WebhookEventType, ...WebhookEventType[]];

export function isWebhookEventType(type: string): type is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_TYPES, type);
}

/** Whether an endpoint subscribed to `events` receives an event of `type`. */
export function endpointWants(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}

/** The stored form of a subscription: no duplicates, and `*` alone when present. */
export function normalizeSubscription(events: readonly string[]): string[] {
  if (events.includes(ALL_EVENTS)) return [ALL_EVENTS];
  return [...new Set(events)];
}
