import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiWith } from "./support/api-client.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";

/** Pausing one object's sync: its runs are skipped, whoever asks, until it is resumed. */

let h: SyncHarness;
beforeAll(async () => {
  h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, accounts: 5, env: { FORCELINK_SYNC_WORKERS: "0" } });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const post = (path: string) => h.api(path, { method: "POST" });

describe("POST /v1/connections/{id}/syncs/{object}/pause and /resume", () => {
  it("skips every run of a paused object and runs again once resumed", async () => {
    const paused = await post(`/v1/connections/${h.connectionId}/syncs/account/pause`);
    expect(paused.status).toBe(200);
    expect(await paused.json()).toEqual({ object: "Account", installationId: h.installationId, paused: true });

    const asked = await post(`/v1/connections/${h.connectionId}/syncs/Account`);
    expect(asked.status).toBe(409);
    expect(((await asked.json()) as { error: { code: string } }).error.code).toBe("sync_paused");
    // A scheduled run (as a worker takes it) is skipped too.
    expect(await h.run("Account")).toEqual({
      status: "skipped",
      reason: "the sync of Account is paused; resume it to run again",
    });
    const states = (await (await h.api(`/v1/connections/${h.connectionId}/syncs`)).json()) as {
      data: Array<{ object: string; pausedAt: string | null }>;
    };
    expect(states.data.find((s) => s.object === "Account")?.pausedAt).toEqual(expect.any(String));
    expect((await h.served("Account")).size).toBe(0);

    expect((await post(`/v1/connections/${h.connectionId}/syncs/Account/resume`)).status).toBe(200);
    expect((await h.run("Account")).status).toBe("completed");
    expect((await h.served("Account")).size).toBe(h.source("Account").size);
  });

  it("answers 404 for an object no integration syncs and for another project's connection", async () => {
    const unsynced = await post(`/v1/connections/${h.connectionId}/syncs/Contact/pause`);
    expect(unsynced.status).toBe(404);
    expect(((await unsynced.json()) as { error: { code: string } }).error.code).toBe("object_not_synced");
    const other = await h.addProject("other");
    const foreign = await apiWith(h.server.url, other.key)(`/v1/connections/${h.connectionId}/syncs/Account/pause`, {
      method: "POST",
    });
    expect(foreign.status).toBe(404);
  });
});
