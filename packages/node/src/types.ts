import type { paths, webhooks } from "./api-types.ts";

/**
 * Names for the API's shapes, all read from the generated api-types.ts (the OpenAPI document):
 * when a route's schema changes, these change with it.
 */

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];

/** The JSON a route answers with `status`. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number = 200> =
  Operation<P, M> extends { responses: infer R } ? (S extends keyof R ? Json<R[S]> : never) : never;

/** The JSON body a route takes. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends {
    requestBody?: infer B;
  }
    ? Json<NonNullable<B>>
    : never;

/** The query a route takes. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends {
    parameters: { query?: infer Q };
  }
    ? NonNullable<Q>
    : never;

export type ApiKey = ResponseOf<"/v1/api-keys", "get">["data"][number];
export type CreatedApiKey = ResponseOf<"/v1/api-keys", "post", 201>;

export type ProviderApp = ResponseOf<"/v1/provider-apps/{id}", "get">;
export type NewProviderApp = BodyOf<"/v1/provider-apps", "post">;
export type ProviderAppChange = BodyOf<"/v1/provider-apps/{id}", "patch">;
export type ProviderAppDeleted = ResponseOf<"/v1/provider-apps/{id}", "delete">;

export type ConnectSession = ResponseOf<"/v1/connect-sessions/{id}", "get">;
export type CreatedConnectSession = ResponseOf<"/v1/connect-sessions", "post", 201>;
export type NewConnectSession = BodyOf<"/v1/connect-sessions", "post">;

export type Connection = ResponseOf<"/v1/connections/{id}", "get">;
export type ConnectionFilter = QueryOf<"/v1/connections", "get">;
export type ServerSideConnection = BodyOf<"/v1/connections", "post">;
export type ConnectionDeleted = ResponseOf<"/v1/connections/{id}", "delete">;

export type ChecklistRun = ResponseOf<"/v1/connections/{id}/checklist", "get">;

export type Integration = ResponseOf<"/v1/integrations/{id}", "get">;
export type UploadedIntegration = ResponseOf<"/v1/integrations", "post", 201>;
export type Installation = ResponseOf<"/v1/connections/{id}/integrations", "post", 201>;
export type InstalledIntegration = ResponseOf<"/v1/connections/{id}/integrations", "get">["data"][number];
export type NewInstallation = BodyOf<"/v1/connections/{id}/integrations", "post">;

export type SyncState = ResponseOf<"/v1/connections/{id}/syncs", "get">["data"][number];
export type Subscription = ResponseOf<"/v1/connections/{id}/subscriptions", "get">["data"][number];
export type SyncRun = ResponseOf<"/v1/connections/{id}/sync-runs", "get">["data"][number];
export type SyncRunFilter = QueryOf<"/v1/connections/{id}/sync-runs", "get">;
export type SyncRequested = ResponseOf<"/v1/connections/{id}/syncs/{object}", "post", 202>;
export type RecordChanges = ResponseOf<"/v1/connections/{id}/records/{object}", "get">;
export type RecordChange = RecordChanges["records"][number];

export type WebhookEndpoint = ResponseOf<"/v1/webhooks/{id}", "get">;
export type WebhookEndpointWithSecret = ResponseOf<"/v1/webhooks", "post", 201>;
export type NewWebhookEndpoint = BodyOf<"/v1/webhooks", "post">;
export type WebhookEndpointChange = BodyOf<"/v1/webhooks/{id}", "patch">;
export type WebhookDelivery = ResponseOf<"/v1/webhooks/{id}/deliveries", "get">["data"][number];
export type DeliveryFilter = QueryOf<"/v1/webhooks/{id}/deliveries", "get">;
export type TestDelivery = ResponseOf<"/v1/webhooks/{id}/test", "post", 202>;

export type Write = ResponseOf<"/v1/connections/{id}/writes/{writeId}", "get">;
export type WriteAnswer = ResponseOf<"/v1/connections/{id}/writes", "post">;
export type NewWrite = NonNullable<BodyOf<"/v1/connections/{id}/writes", "post">>;
export type WriteFilter = QueryOf<"/v1/connections/{id}/writes", "get">;
export type WriteResult = ResponseOf<"/v1/connections/{id}/writes/{writeId}/results", "get">["data"][number];
export type WriteResultFilter = QueryOf<"/v1/connections/{id}/writes/{writeId}/results", "get">;

type EventOf<K extends keyof webhooks> = webhooks[K] extends { post: { requestBody: infer B } } ? Json<B> : never;
/** Every event Forcelink delivers to a webhook endpoint, told apart by `type`. */
export type WebhookEvent = { [K in keyof webhooks]: EventOf<K> }[keyof webhooks];
export type WebhookEventType = WebhookEvent["type"];

export type ActivityPage = ResponseOf<"/v1/activity", "get">;
export type ActivityEntry = ActivityPage["data"][number];
export type ActivityFilter = QueryOf<"/v1/activity", "get">;
export type SyncPauseState = ResponseOf<"/v1/connections/{id}/syncs/{object}/pause", "post">;
export type Redelivery = ResponseOf<"/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", "post", 202>;
