import { expect } from "vitest";
import type { Harness } from "./harness.ts";

/** A client-credentials connection to the harness's org (as the org's admin), for the write suites. */
export async function writeConnection(h: Harness): Promise<string> {
  const app = await h.demoProviderApp({ clientCredentials: { enabled: true } });
  const conn = await h.api("/v1/connections", {
    method: "POST",
    body: {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "write-customer",
      myDomain: "forcelink-demo",
    },
  });
  expect(conn.status, await conn.clone().text()).toBe(201);
  return ((await conn.json()) as { id: string }).id;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them
export type Json = any;

/** A write request: a JSON body, or an NDJSON/CSV text body with the write's settings in the query. */
export async function postWrite(
  h: Pick<Harness, "api">,
  connectionId: string,
  body: unknown,
  options: { type?: string; query?: Record<string, string>; key?: string; path?: string } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
  const res = await h.api(`/v1/connections/${connectionId}/writes${options.path ?? ""}${query}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: {
      "content-type": options.type ?? "application/json",
      ...(options.key ? { "idempotency-key": options.key } : {}),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Every page of a write's results, following nextCursor. */
export async function allResults(
  h: Pick<Harness, "api">,
  connectionId: string,
  writeId: string,
  query: Record<string, string> = {},
): Promise<{ pages: number; results: Json[] }> {
  const results: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const res = await h.api(`/v1/connections/${connectionId}/writes/${writeId}/results?${q}`);
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    const page = JSON.parse(text) as { data: Json[]; nextCursor: string | null };
    results.push(...page.data);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { pages, results };
}
