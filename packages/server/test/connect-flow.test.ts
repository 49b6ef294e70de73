import { DEMO } from "@forcelink/emulator";
import { completeAuthorize } from "@forcelink/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let providerAppId: string;

beforeAll(async () => {
  h = await startHarness();
  providerAppId = (await h.demoProviderApp()).id;
});
afterAll(async () => {
  await h?.close();
});

/** Drives the connect page like a browser: pick the environment, then Salesforce's pages, then the callback. */
async function connectThroughPages(
  form: Record<string, string>,
  username = DEMO.integration.username,
  password = DEMO.integration.password,
) {
  const created = await h.api("/v1/connect-sessions", {
    method: "POST",
    body: { providerAppId, endUserId: "customer-42" },
  });
  expect(created.status).toBe(201);
  const session = (await created.json()) as { id: string; url: string };
  const page = await fetch(session.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Connect Demo to Salesforce");
  const start = await fetch(session.url, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
  if (start.status !== 303) return { session, start, result: undefined };
  const authorizeUrl = start.headers.get("location")!;
  const outcome = await completeAuthorize(authorizeUrl, username, password);
  const result = await fetch(outcome.location);
  return { session, start, authorizeUrl, result, html: await result.text() };
}

describe("connecting an org through the connect page", () => {
  it.each([
    ["production", { environment: "production" }, "login"],
    ["My Domain", { environment: "mydomain", myDomain: "https://forcelink-demo.my.salesforce.com/" }, "myDomain"],
  ] as const)("connects by %s and the connection appears in the API", async (_label, form, host) => {
    const { result, html, authorizeUrl, session } = await connectThroughPages(form);
    expect(new URL(authorizeUrl!).origin).toBe(new URL(h.emulator.urls[host]).origin);
    expect(result!.status).toBe(200);
    expect(html).toContain("Salesforce is connected");
    const status = (await (await h.api(`/v1/connect-sessions/${session.id}`)).json()) as {
      status: string;
      connectionId: string;
    };
    expect(status.status).toBe("completed");
    const conn = (await (await h.api(`/v1/connections/${status.connectionId}`)).json()) as Record<string, unknown>;
    expect(conn).toMatchObject({
      endUserId: "customer-42",
      status: "active",
      orgId: h.org.organizationId,
      username: DEMO.integration.username,
      instanceUrl: h.emulator.urls.myDomain,
      hasRefreshToken: true,
    });
    const limits = await h.api(
      `/v1/connections/${status.connectionId}/proxy/services/data/v67.0/sobjects/Account/describe`,
    );
    expect(limits.status).toBe(200);
    expect(((await limits.json()) as { name: string }).name).toBe("Account");
  });

  it("refuses a Lightning host with an explanation and stays on the page", async () => {
    const { start } = await connectThroughPages({ environment: "mydomain", myDomain: "acme.lightning.force.com" });
    expect(start.status).toBe(400);
    expect(await start.text()).toMatch(/lightning/i);
  });
});
