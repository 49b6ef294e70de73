/**
 * Every kind of activity row and what it records. Adding a kind is one line here: the recorder,
 * the store and `GET /v1/activity`'s `kind` filter all read this table.
 */
export const ACTIVITY_KINDS = {
  connect: "A customer connected an org: the connect pages or a server-side flow",
  reconnect: "A connection that needed the customer was authorized again",
  disconnect: "A connection was deleted, and whether its grant was revoked at Salesforce",
  token_refresh: "A connection's access token was renewed, or the renewal failed (and why)",
  checklist_run: "The pre-install checklist ran against the org: passed or not, with the failing checks",
  subscription: "A subscription started, recovered from a stream it could not trust, or paused",
  sync_run: "A sync run of one object ended: completed, failed or paused, with what it read",
  write: "A write ended: completed, failed or paused, with its counts",
  webhook_delivery: "A webhook delivery attempt: delivered, retrying or failed for good",
  proxy_error: "A proxied call failed: Salesforce's error or the connection's",
} as const;

export type ActivityKind = keyof typeof ACTIVITY_KINDS;
export const ACTIVITY_KIND_NAMES = Object.keys(ACTIVITY_KINDS) as [ActivityKind, ...ActivityKind[]];

export const ACTIVITY_LEVELS = ["info", "warn", "error"] as const;
export type ActivityLevel = (typeof ACTIVITY_LEVELS)[number];

/** One operation worth seeing, as a capability reports it. `details` holds JSON values only. */
export interface ActivityEntry {
  projectId: string;
  connectionId?: string | null;
  kind: ActivityKind;
  level: ActivityLevel;
  message: string;
  details?: Record<string, unknown>;
}
