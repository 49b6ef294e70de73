import { expect } from "vitest";
import type { SyncHarness } from "./harness.ts";
import { waitFor } from "./wait.ts";

/** The subscription suites' shared calls: the org through the proxy, the subscriptions API, manifests. */

/** One object of a subscription suite's manifest, delivered to the records destination `cache`. */
export interface LiveObject {
  name: string;
  fields: string[];
  subscribe: boolean;
  deletes?: boolean;
}

/** A manifest named `live` whose objects run only on demand (their schedule is once a year). */
export function liveManifest(objects: LiveObject[]): string {
  const entries = objects.map(
    (o) => `
  - name: ${o.name}
    fields: [${o.fields.join(", ")}]
    schedule: "0 0 1 1 *"${o.deletes ? "\n    deletes: true" : ""}
    subscribe: ${o.subscribe}
    destinations: [cache]`,
  );
  return `
name: live
destinations:
  cache:
    type: records
objects:${entries.join("")}
`;
}

export interface SubscriptionView {
  id: string;
  object: string;
  state: string;
  stateReason: string | null;
  check: { id: string; remedy: string[] } | null;
  replayId: string | null;
  lagMs: number | null;
  eventsDelivered: number;
  lastKeepaliveAt: string | null;
  recoveries: Array<{ reason: string; records: number }>;
  leaseHeld: boolean;
}

/** A REST call to the org through the connection's proxy; fails the test unless it succeeds. */
export async function sf(
  s: SyncHarness,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<Record<string, unknown> | null> {
  const res = await s.api(`/v1/connections/${s.connectionId}/proxy/services/data/v67.0${path}`, {
    method,
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  const text = await res.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : null;
}

/**
 * Fills the org's Change Data Capture allocation (5 entities, none of them Account) as another
 * tool would, through the Tooling API; answers the channel members' ids.
 */
export async function fillChannelAllocation(s: SyncHarness): Promise<string[]> {
  const ids: string[] = [];
  for (const entity of ["Contact", "Lead", "Opportunity", "Case", "Invoice__"]) {
    const member = await sf(s, "POST", "/tooling/sobjects/PlatformEventChannelMember", {
      FullName: `ChangeEvents_${entity}ChangeEvent`,
      Metadata: { eventChannel: "ChangeEvents", selectedEntity: `${entity}ChangeEvent` },
    });
    ids.push(String(member!.id));
  }
  return ids;
}

/** The connection's subscriptions as the API lists them. */
export async function subscriptionsOf(s: SyncHarness): Promise<SubscriptionView[]> {
  const res = await s.api(`/v1/connections/${s.connectionId}/subscriptions`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: SubscriptionView[] }).data;
}

/** The one subscription to `object` (or the connection's only one when no object is named). */
export async function subscriptionOf(s: SyncHarness, object?: string): Promise<SubscriptionView> {
  const found = (await subscriptionsOf(s)).filter((v) => object === undefined || v.object === object);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Running, and the stream heard at least once (a keepalive): changes from now on are on it. */
export function live(s: SyncHarness, object?: string): Promise<SubscriptionView> {
  return waitFor(
    async () => {
      const sub = await subscriptionOf(s, object);
      return sub.state === "running" && sub.lastKeepaliveAt !== null && sub;
    },
    `a live subscriber${object ? ` to ${object}` : ""}`,
    60_000,
  );
}

/** Uploads a manifest (YAML) and answers the integration's id. */
export async function uploadManifest(s: SyncHarness, text: string): Promise<string> {
  const res = await s.api("/v1/integrations", {
    method: "POST",
    body: text,
    headers: { "content-type": "application/yaml" },
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return ((await res.json()) as { id: string }).id;
}
