import { afterEach, describe, expect, it } from "vitest";
import { API_KEY_CACHE_MS } from "../src/projects/api-keys.ts";
import { apiWith } from "./support/api-client.ts";
import { type Harness, type ServerHarness, startHarness } from "./support/harness.ts";
import { suiteBackends } from "./support/test-database.ts";

/**
 * The proxy remembers which project a key belongs to (API_KEY_CACHE_MS), so its hot path does not ask the store on
 * every call. A revoked key must still stop working: at once in the process that revoked it, and within
 * API_KEY_CACHE_MS in another process sharing the store.
 */

const LIMITS = "/services/data/v67.0/limits";
let h: Harness | undefined;
let second: ServerHarness | undefined;
afterEach(async () => {
  await second?.close();
  await h?.close();
  h = second = undefined;
});

async function clientCredentialsConnection(harness: Harness): Promise<string> {
  const app = await harness.demoProviderApp({ clientCredentials: { enabled: true } });
  const conn = await harness.api("/v1/connections", {
    method: "POST",
    body: {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "key-revocation",
      myDomain: "forcelink-demo",
    },
  });
  expect(conn.status, await conn.clone().text()).toBe(201);
  return ((await conn.json()) as { id: string }).id;
}

async function newKey(harness: Harness): Promise<{ id: string; key: string }> {
  const res = await harness.api("/v1/api-keys", { method: "POST", body: { name: "revoked soon" } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

async function proxied(url: string, key: string, connectionId: string): Promise<{ status: number; code?: string }> {
  const res = await apiWith(url, key)(`/v1/connections/${connectionId}/proxy${LIMITS}`);
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}

describe("a revoked API key, through the proxy", () => {
  it("is refused on the next call in the process that revoked it, though that process had just verified it", async () => {
    h = await startHarness({ accounts: 1 });
    const connectionId = await clientCredentialsConnection(h);
    const doomed = await newKey(h);
    // Verified, then served from memory.
    expect(await proxied(h.server.url, doomed.key, connectionId)).toEqual({ status: 200, code: undefined });
    expect(await proxied(h.server.url, doomed.key, connectionId)).toEqual({ status: 200, code: undefined });

    expect((await h.api(`/v1/api-keys/${doomed.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await proxied(h.server.url, doomed.key, connectionId)).toEqual({ status: 401, code: "unauthorized" });
    expect((await apiWith(h.server.url, doomed.key)("/v1/connections")).status).toBe(401);
    // The other keys of the project go on working.
    expect(await proxied(h.server.url, h.apiKey, connectionId)).toEqual({ status: 200, code: undefined });
  });

  for (const backend of suiteBackends().filter((b) => b === "postgres")) {
    it(`is refused by another process within API_KEY_CACHE_MS (${backend})`, async () => {
      h = await startHarness({ backend, accounts: 1 });
      const connectionId = await clientCredentialsConnection(h);
      second = await startHarness({ emulator: false, shareStoreWith: h });
      const doomed = await newKey(h);
      expect(await proxied(second.server.url, doomed.key, connectionId)).toEqual({ status: 200, code: undefined });

      expect((await h.api(`/v1/api-keys/${doomed.id}`, { method: "DELETE" })).status).toBe(204);
      expect(await proxied(h.server.url, doomed.key, connectionId)).toEqual({ status: 401, code: "unauthorized" });
      // The other process verified the key a moment ago and has not asked the store since: this is the bound's use.
      expect(await proxied(second.server.url, doomed.key, connectionId)).toEqual({ status: 200, code: undefined });
      second.clock.advance(API_KEY_CACHE_MS + 1);
      expect(await proxied(second.server.url, doomed.key, connectionId)).toEqual({ status: 401, code: "unauthorized" });
      expect(await proxied(second.server.url, h.apiKey, connectionId)).toEqual({ status: 200, code: undefined });
    });
  }
});
