import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectThroughPages, sessionStatus } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";
import { registerWebhook, startReceiver } from "./support/receiver.ts";
import { sleep, waitFor } from "./support/wait.ts";

let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let customers = 0;

beforeAll(async () => {
  h = await startHarness({ accounts: 5, logs: true });
  receiver = await startReceiver();
  await registerWebhook(h, receiver.url);
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

/** A connection through the connect pages, with the refresh token the emulator issued for it. */
async function connect(providerAppId: string): Promise<{ id: string; refreshToken: string }> {
  const before = new Set(h.org.sessions.grants.keys());
  const run = await connectThroughPages(h, { providerAppId, endUserId: `disconnect-${++customers}` });
  expect(run.result.status).toBe(200);
  const id = (await sessionStatus(h, run.session.id)).connectionId!;
  const issued = [...h.org.sessions.grants.keys()].filter((k) => !before.has(k));
  expect(issued).toHaveLength(1);
  return { id, refreshToken: issued[0] };
}

const revoked = (refreshToken: string) => h.org.sessions.grants.get(refreshToken)!.revoked;

/** Salesforce's revoke endpoint closes every connection without an answer while `work` runs. */
async function withRevokeUnreachable<T>(work: () => Promise<T>): Promise<T> {
  h.org.faults.configure({ dropRate: 1, pathContains: "/oauth2/revoke" });
  try {
    return await work();
  } finally {
    h.org.faults.reset();
  }
}

describe("DELETE /v1/connections/{id} when Salesforce cannot be reached to revoke", () => {
  it("answers 502 and keeps the connection, whose grant is still live", async () => {
    const app = await h.demoProviderApp({ name: "Unreachable" });
    const { id, refreshToken } = await connect(app.id);
    const res = await withRevokeUnreachable(() => h.api(`/v1/connections/${id}`, { method: "DELETE" }));
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string; remedy: string } };
    expect(body.error.code).toBe("salesforce_unreachable");
    expect(body.error.message).toMatch(/kept/);
    expect(body.error.remedy).toMatch(/force=true/);
    expect((await h.api(`/v1/connections/${id}`)).status).toBe(200);
    expect(revoked(refreshToken)).toBe(false);
    await sleep(300);
    expect(receiver.ofType("connection.deleted", id)).toHaveLength(0);

    // Once Salesforce answers, the same call revokes and deletes.
    const again = await h.api(`/v1/connections/${id}`, { method: "DELETE" });
    expect(again.status).toBe(204);
    expect(revoked(refreshToken)).toBe(true);
    const event = await waitFor(() => receiver.ofType("connection.deleted", id)[0], "connection.deleted");
    expect(event.data).toMatchObject({ tokenRevoked: true, revokeFailure: null });
  });

  it("with ?force=true deletes it anyway and says the grant was not revoked, and why", async () => {
    const app = await h.demoProviderApp({ name: "Forced" });
    const { id, refreshToken } = await connect(app.id);
    const res = await withRevokeUnreachable(() => h.api(`/v1/connections/${id}?force=true`, { method: "DELETE" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { deleted: boolean; revoked: boolean; reason: string };
    expect(body).toMatchObject({ id, deleted: true, revoked: false });
    expect(body.reason).toMatch(/could not revoke/);
    expect((await h.api(`/v1/connections/${id}`)).status).toBe(404);
    expect(revoked(refreshToken)).toBe(false);
    const event = await waitFor(() => receiver.ofType("connection.deleted", id)[0], "connection.deleted");
    expect(event.data).toMatchObject({ connectionId: id, tokenRevoked: false });
    expect(String(event.data.revokeFailure)).toMatch(/could not revoke/);
  });

  it("refuses a force that is not true or false", async () => {
    const res = await h.api("/v1/connections/conn_x?force=yes", { method: "DELETE" });
    expect(res.status).toBe(400);
  });
});

describe("DELETE /v1/provider-apps/{id} with connections", () => {
  it("refuses with 409 and the count, deleting nothing", async () => {
    const app = await h.demoProviderApp({ name: "In use" });
    const a = await connect(app.id);
    const b = await connect(app.id);
    const res = await h.api(`/v1/provider-apps/${app.id}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; remedy: string; details: { connections: number } } };
    expect(body.error.code).toBe("provider_app_has_connections");
    expect(body.error.details.connections).toBe(2);
    expect(body.error.remedy).toMatch(/force=true/);
    expect((await h.api(`/v1/provider-apps/${app.id}`)).status).toBe(200);
    for (const c of [a, b]) {
      expect((await h.api(`/v1/connections/${c.id}`)).status).toBe(200);
      expect(revoked(c.refreshToken)).toBe(false);
    }
  });

  it("with ?force=true revokes every grant and announces every connection.deleted", async () => {
    const app = await h.demoProviderApp({ name: "Forced app" });
    const a = await connect(app.id);
    const b = await connect(app.id);
    const res = await h.api(`/v1/provider-apps/${app.id}?force=true`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: app.id, deleted: true, connectionsDeleted: 2, notRevoked: [] });
    expect((await h.api(`/v1/provider-apps/${app.id}`)).status).toBe(404);
    for (const c of [a, b]) {
      expect((await h.api(`/v1/connections/${c.id}`)).status).toBe(404);
      expect(revoked(c.refreshToken)).toBe(true);
      const event = await waitFor(() => receiver.ofType("connection.deleted", c.id)[0], "connection.deleted");
      expect(event.data).toMatchObject({ connectionId: c.id, providerAppId: app.id, tokenRevoked: true });
    }
  });

  it("deletes an app without connections with 204", async () => {
    const app = await h.demoProviderApp({ name: "Unused" });
    const res = await h.api(`/v1/provider-apps/${app.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
  });
});
