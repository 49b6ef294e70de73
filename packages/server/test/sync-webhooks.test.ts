import type { IncomingHttpHeaders } from "node:http";
import { generateRecords } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../src/webhooks/signing.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { startReceiver } from "./support/receiver.ts";
import { ACCOUNT_MANIFEST, byCursor, syncStateOf, uploadManifest } from "./support/sync-records.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The webhook destination (signed batches of records to the builder's endpoint, the checkpoint
 * waiting for their 2xx), the sync events on the project's webhook endpoints, and the manifest
 * API over HTTP.
 */

const webhookManifest = (url: string) => `
name: crm
destinations:
  cache:
    type: records
  hook:
    type: webhook
    url: ${url}
    batchSize: 500
objects:
  - name: Account
    fields: [Id, Name, Industry]
    schedule: "0 0 1 1 *"
    deletes: true
    destinations: [hook]
`;

interface RecordsBody {
  id: string;
  type: string;
  connectionId: string;
  object: string;
  runId: string;
  batch: number;
  part: number;
  upserts: Array<Record<string, unknown>>;
  deletes: Array<{ id: string; deletedAt: string }>;
}

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: RecordsBody;
  /** What the receiver answered. */
  status: number;
}

/** The requests a receiver got, read as the webhook destination's batches; `answer` says the n-th's status (from 1). */
async function startBatchReceiver(answer: (n: number) => number = () => 200) {
  const state = { answer };
  const r = await startReceiver((n) => state.answer(n + 1));
  const batches = (): Received[] =>
    r.received.map((x) => {
      const raw = x.body.toString("utf8");
      return { headers: x.headers, raw, body: JSON.parse(raw) as RecordsBody, status: x.status };
    });
  return {
    url: r.url,
    get received(): Received[] {
      return batches();
    },
    /** Bodies the receiver acknowledged (2xx). */
    acked: () => batches().filter((b) => b.status >= 200 && b.status < 300),
    set answer(f: (n: number) => number) {
      state.answer = f;
    },
    close: r.close,
  };
}
type Receiver = Awaited<ReturnType<typeof startBatchReceiver>>;

let h: SyncHarness | undefined;
const receivers: Receiver[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(answer?: (n: number) => number): Promise<Receiver> {
  const r = await startBatchReceiver(answer);
  receivers.push(r);
  return r;
}

type Outcome = Awaited<ReturnType<SyncHarness["run"]>>;

function ended(outcome: Outcome, status: "completed" | "failed" | "paused") {
  expect(outcome.status, JSON.stringify(outcome)).toBe(status);
  if (outcome.status === "skipped") throw new Error("skipped");
  return outcome.run;
}

/** Starts the harness, then points the integration at the webhook destination: its secret, shown once. */
async function withWebhook(hook: Receiver): Promise<{ s: SyncHarness; secret: string }> {
  const s = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST } });
  h = s;
  const updated = await uploadManifest(s, webhookManifest(hook.url));
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
  const secrets = updated.body.webhookSecrets as Record<string, string>;
  expect(Object.keys(secrets)).toEqual(["hook"]);
  expect(secrets.hook).toMatch(/^whsec_/);
  // Shown once: the same manifest again has no new destination, so no secret.
  const again = await uploadManifest(s, webhookManifest(hook.url));
  expect(again.status).toBe(200);
  expect(again.body.webhookSecrets).toEqual({});
  expect(JSON.stringify(again.body)).not.toContain(secrets.hook);
  return { s, secret: secrets.hook };
}

/** The records the acknowledged batches leave, applied in the order they arrived: live ones by Id. */
function delivered(bodies: RecordsBody[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const b of bodies) {
    for (const r of b.upserts) out.set(String(r.Id), r);
    for (const d of b.deletes) out.delete(d.id);
  }
  return out;
}

function expectDeliveredEqualsSource(s: SyncHarness, hook: Receiver): void {
  const got = delivered(hook.acked().map((r) => r.body));
  const source = s.source("Account");
  expect(got.size).toBe(source.size);
  for (const [id, row] of source) {
    expect(got.get(id), `record ${id} never delivered`).toBeDefined();
    expect(got.get(id)?.Name).toBe(row.Name ?? null);
  }
}

async function projectEndpoint(s: SyncHarness, url: string): Promise<string> {
  const res = await s.api("/v1/webhooks", {
    method: "POST",
    body: { url, events: ["sync.completed", "sync.failed", "sync.paused"] },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

interface SyncEvent {
  id: string;
  type: string;
  data: {
    connectionId: string;
    object: string;
    run: {
      id: string;
      status: string;
      mode: string | null;
      counts: { read: number; upserted: number; deleted: number };
      apiCalls: number;
      error: Record<string, unknown> | null;
    };
  };
}

describe("the webhook destination", () => {
  it("POSTs signed batches of upserts and deletes that add up to the source, and announces each run", async () => {
    const hook = await receiver();
    const events = await receiver();
    const { s, secret } = await withWebhook(hook);
    const eventSecret = await projectEndpoint(s, events.url);
    generateRecords(s.org, "Account", 3_000);

    const first = ended(await s.run("Account"), "completed");
    expect(first.counts.upserted).toBe(3_000);
    // 2,000 + 1,000 rows in batches of at most 500.
    expect(hook.received).toHaveLength(6);
    for (const r of hook.received) {
      expect(() => verifyWebhookSignature(secret, r.headers["forcelink-signature"] as string, r.raw)).not.toThrow();
      expect(() =>
        verifyWebhookSignature("whsec_not-the-secret", r.headers["forcelink-signature"] as string, r.raw),
      ).toThrow();
      expect(r.headers["forcelink-event-type"]).toBe("sync.records");
      expect(r.headers["forcelink-event-id"]).toBe(r.body.id);
      expect(r.body).toMatchObject({
        type: "sync.records",
        connectionId: s.connectionId,
        object: "Account",
        runId: first.id,
      });
      expect(r.body.upserts.length).toBeLessThanOrEqual(500);
      expect(r.body.upserts[0]).toHaveProperty("SystemModstamp");
    }
    expect(new Set(hook.received.map((r) => r.body.id)).size, "every batch has an id of its own").toBe(6);
    expectDeliveredEqualsSource(s, hook);

    // Changes and deletions between runs arrive as upserts and deletes.
    const ctx = s.org.writeContext(s.adminId);
    const ids = [...s.source("Account").keys()];
    for (const id of ids.slice(0, 5)) s.org.store.update("Account", id, { Name: `Renamed ${id}` }, ctx);
    for (const id of ids.slice(10, 13)) s.org.store.softDelete("Account", id, ctx);
    const before = hook.received.length;
    const second = ended(await s.run("Account"), "completed");
    expect(second.counts.deleted).toBe(3);
    const latest = hook.received.slice(before).map((r) => r.body);
    expect(latest.flatMap((b) => b.deletes.map((d) => d.id)).sort()).toEqual(ids.slice(10, 13).sort());
    for (const d of latest.flatMap((b) => b.deletes)) expect(Number.isNaN(Date.parse(d.deletedAt))).toBe(false);
    expect(latest.flatMap((b) => b.upserts.map((u) => u.Id))).toEqual(expect.arrayContaining(ids.slice(0, 5)));
    for (const r of hook.received.slice(before))
      expect(() => verifyWebhookSignature(secret, r.headers["forcelink-signature"] as string, r.raw)).not.toThrow();
    expectDeliveredEqualsSource(s, hook);

    // Each run is announced to the project's endpoint, signed with that endpoint's secret.
    const completed = await waitFor(() => {
      const found = events.received.filter((r) => (r.body as unknown as SyncEvent).type === "sync.completed");
      return found.length >= 2 && found;
    }, "two sync.completed events");
    for (const r of completed)
      expect(() =>
        verifyWebhookSignature(eventSecret, r.headers["forcelink-signature"] as string, r.raw),
      ).not.toThrow();
    const byRun = new Map(
      completed.map((r) => [(r.body as unknown as SyncEvent).data.run.id, r.body as unknown as SyncEvent]),
    );
    const announced = byRun.get(first.id);
    expect(announced?.data).toMatchObject({
      connectionId: s.connectionId,
      object: "Account",
      run: { status: "completed", mode: "rest", counts: { read: 3_000, upserted: 3_000, deleted: 0 } },
    });
    expect(announced?.data.run.apiCalls).toBeGreaterThan(0);
    expect(announced?.data.run.apiCalls).toBe(first.apiCalls);
    expect(byRun.get(second.id)?.data.run.counts.deleted).toBe(3);
  });

  it("retries a receiver that answers 500 to its first two POSTs, and still delivers everything", async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const { s } = await withWebhook(hook);
    generateRecords(s.org, "Account", 1_200);
    ended(await s.run("Account"), "completed");
    expect(hook.received.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 200]);
    // The batch sent again keeps its id, so a receiver can drop a repeat.
    expect(new Set(hook.received.slice(0, 3).map((r) => r.body.id)).size).toBe(1);
    expectDeliveredEqualsSource(s, hook);
  });

  it("fails the run when the receiver never acknowledges, keeps the checkpoint behind what it did not take, and catches up once it recovers", async () => {
    // The first page (2,000 rows, 4 POSTs) is taken; then the receiver answers 500 to everything.
    const hook = await receiver((n) => (n <= 4 ? 200 : 500));
    const events = await receiver();
    const { s } = await withWebhook(hook);
    await projectEndpoint(s, events.url);
    generateRecords(s.org, "Account", 5_000);

    const failed = ended(await s.run("Account"), "failed");
    expect(failed.error).toMatchObject({ code: "sync_error" });
    expect(String((failed.error as { message?: string }).message)).toMatch(/did not acknowledge/);
    expect(hook.acked()).toHaveLength(4);
    expect(hook.received.length).toBeGreaterThan(4);

    const state = await syncStateOf(s);
    expect(state?.status).toBe("failed");
    // The checkpoint is the last record acknowledged, and everything up to it was acknowledged.
    const ackedRows = [...delivered(hook.acked().map((r) => r.body)).values()].map((r) => ({
      stamp: Date.parse(String(r.SystemModstamp)),
      id: String(r.Id),
    }));
    expect(ackedRows).toHaveLength(2_000);
    const lastAcked = ackedRows.sort(byCursor).at(-1)!;
    expect(state?.checkpoint?.id).toBe(lastAcked.id);
    expect(Date.parse(state?.checkpoint?.value ?? "")).toBe(lastAcked.stamp);
    const ackedIds = new Set(ackedRows.map((r) => r.id));
    const upToCheckpoint = [...s.source("Account").values()]
      .map((r) => ({ stamp: Number(r.SystemModstamp), id: String(r.Id) }))
      .filter((r) => byCursor(r, lastAcked) <= 0);
    for (const r of upToCheckpoint) expect(ackedIds.has(r.id), `record ${r.id} behind the checkpoint`).toBe(true);

    const failedEvent = await waitFor(
      () => events.received.find((r) => (r.body as unknown as SyncEvent).type === "sync.failed"),
      "a sync.failed event",
    );
    expect((failedEvent.body as unknown as SyncEvent).data.run).toMatchObject({ id: failed.id, status: "failed" });

    hook.answer = () => 200;
    const caughtUp = ended(await s.run("Account"), "completed");
    expect(caughtUp.counts.read, "the next run starts from the checkpoint").toBeLessThan(5_000);
    expectDeliveredEqualsSource(s, hook);
  }, 60_000);
});

describe("the manifest API", () => {
  const PASSWORD = "pg-Pa55word-9f3c1e";
  const TOKEN = "hooktoken-77ab1c";
  const warehouse = (table: string) => `
name: warehouse-sync
destinations:
  warehouse:
    type: postgres
    url: postgres://loader:${PASSWORD}@db.example.com:5432/app
    tablePrefix: ${table}
  app:
    type: webhook
    url: https://example.com/hooks/salesforce?token=${TOKEN}
objects:
  - name: Account
    fields: [Id, Name]
    schedule: "0 0 1 1 *"
    destinations: [warehouse, app]
`;

  it("answers a broken manifest with the line and column of each problem, takes JSON, publishes its schema, updates by name and never shows or stores a password in clear", async () => {
    h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST } });

    // YAML that does not parse.
    const broken = await uploadManifest(
      h,
      "name: broken\ndestinations:\n  cache:\n    type: records\nobjects:\n  - name: Account\n    fields: [Id, Name\n    destinations: [cache]\n",
    );
    expect(broken.status).toBe(422);
    const brokenError = broken.body.error as { code: string; message: string; details: Array<Record<string, unknown>> };
    expect(brokenError.code).toBe("invalid_manifest");
    expect(brokenError.details.length).toBeGreaterThan(0);
    expect(brokenError.details[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(brokenError.message).toMatch(/line \d+, column \d+/);

    // YAML that parses into a wrong manifest: the misspelt key is pointed at.
    const misspelt = await uploadManifest(
      h,
      'name: broken\ndestinations:\n  cache:\n    type: records\nobjects:\n  - name: Account\n    schedual: "0 * * * *"\n    destinations: [cache]\n',
    );
    expect(misspelt.status).toBe(422);
    const misspeltError = misspelt.body.error as { details: Array<Record<string, unknown>> };
    expect(misspeltError.details).toContainEqual(
      expect.objectContaining({ path: "objects[0].schedual", line: 7, column: 5 }),
    );

    // The same kind of manifest as JSON.
    const asJson = await uploadManifest(
      h,
      JSON.stringify({
        name: "json-sync",
        destinations: { cache: { type: "records" } },
        objects: [{ name: "Contact", fields: ["Id", "LastName"], schedule: "0 0 1 1 *", destinations: ["cache"] }],
      }),
      "application/json",
    );
    expect(asJson.status, JSON.stringify(asJson.body)).toBe(201);
    expect(asJson.body).toMatchObject({ name: "json-sync", webhookSecrets: {} });

    // The JSON Schema, without an API key.
    const schema = await fetch(`${h.server.url}/schemas/integration-manifest.json`);
    expect(schema.status).toBe(200);
    expect(schema.headers.get("content-type")).toMatch(/json/);
    const schemaBody = (await schema.json()) as { type?: string; properties?: Record<string, unknown> };
    expect(schemaBody.properties).toHaveProperty("destinations");
    expect(schemaBody.properties).toHaveProperty("objects");

    // A new integration, then the same name again: updated, not duplicated.
    const created = await uploadManifest(h, warehouse("sf_"));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body.webhookSecrets as object)).toEqual(["app"]);
    const updated = await uploadManifest(h, warehouse("crm_"));
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    for (const answer of [created, updated]) {
      expect(JSON.stringify(answer.body)).not.toContain(PASSWORD);
      expect(JSON.stringify(answer.body)).not.toContain(TOKEN);
    }

    const list = await h.api("/v1/integrations");
    expect(list.status).toBe(200);
    const listed = (await list.json()) as {
      data: Array<{
        id: string;
        name: string;
        manifest: { destinations: Record<string, { url?: string; tablePrefix?: string }> };
      }>;
    };
    expect(listed.data.map((i) => i.name).sort()).toEqual(["crm", "json-sync", "warehouse-sync"]);
    const mine = listed.data.find((i) => i.name === "warehouse-sync")!;
    expect(mine.manifest.destinations.warehouse.url).toBe("postgres://loader:***@db.example.com:5432/app");
    expect(mine.manifest.destinations.warehouse.tablePrefix).toBe("crm_");
    expect(mine.manifest.destinations.app.url).toBe("https://example.com/hooks/salesforce?token=***");
    const text = JSON.stringify(listed);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);

    // Nor in the database, in any column.
    const pglite = h.server.platform.database.pglite;
    expect(pglite).toBeDefined();
    const rows = await pglite!.query("select * from integrations");
    expect(rows.rows.length).toBe(3);
    const raw = JSON.stringify(rows.rows);
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain(TOKEN);
    expect(raw).toContain("loader:***@db.example.com");
  });
});
