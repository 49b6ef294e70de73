import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pruneExpiredWrites } from "../src/writes/write-retention.ts";
import { FAST_DELIVERY, type Harness, startHarness } from "./support/harness.ts";
import { type Receiver, registerWebhook, startReceiver } from "./support/receiver.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";
import { allResults, type Json, postWrite, writeConnection } from "./support/write-connection.ts";

/**
 * Writes through the whole path: the API takes them, the executor runs them against the emulator,
 * and the answers, results, retries and retention are what a builder sees over HTTP.
 */

const DAY_MS = 86_400_000;

/** One pass for a locked row, so a lock fault leaves retryable failures to retry by hand. */
const ENV = { FORCELINK_WRITE_MAX_PASSES: "1", FORCELINK_WRITE_RETRY_BASE_MS: "5" };

describe.each(suiteBackends())("writes run through the API (%s)", (backend) => {
  let h: Harness;
  let conn: string;
  let events: Receiver;
  beforeAll(async () => {
    h = await startHarness({ backend, accounts: 3, env: ENV, delivery: FAST_DELIVERY });
    conn = await writeConnection(h);
    events = await startReceiver();
    await registerWebhook(h, events.url);
  });
  afterAll(async () => {
    await h?.close();
    await events?.close();
  });
  beforeEach(() => {
    h.org.faults.reset();
    h.org.counters.reset();
  });

  const apiCalls = () => {
    const byKind = h.org.counters.snapshot().byKind;
    return (byKind.rest ?? 0) + (byKind.bulk ?? 0);
  };
  const accountsWith = (ext: string) =>
    [...h.org.store.tableOrThrow("Account").live()].filter((a) => a.External_Id__c === ext);
  const contactsNamed = (name: string) =>
    [...h.org.store.tableOrThrow("Contact").live()].filter((c) => c.LastName === name);

  it("answers a small write within the request: 200, one result per record in input order, one API call", async () => {
    const tag = `sync-${backend}`;
    const [parent] = [...h.org.store.tableOrThrow("Account").live()];
    const res = await postWrite(h, conn, {
      object: "Contact",
      operation: "insert",
      records: [
        { LastName: `${tag}-a`, Account: { External_Id__c: parent.External_Id__c } },
        { FirstName: "No last name" },
        { LastName: `${tag}-c`, Email: "c@example.com" },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: "completed",
      path: "collections",
      counts: { total: 3, succeeded: 2, failed: 1, unknown: 0, pending: 0 },
      apiCalls: 1,
    });
    expect(apiCalls()).toBe(1);
    const [a, b, c] = res.body.results as Json[];
    expect(res.body.results.map((r: Json) => r.index)).toEqual([0, 1, 2]);
    expect(a).toMatchObject({ status: "succeeded", success: true, created: true, errors: [] });
    expect(b).toMatchObject({ status: "failed", success: false, id: null, created: false });
    expect(b.errors).toEqual([
      expect.objectContaining({ code: "REQUIRED_FIELD_MISSING", fields: ["LastName"], retryable: false }),
    ]);
    expect(c).toMatchObject({ status: "succeeded", success: true });
    // The parent reference by external id linked the contact to that account.
    const [contact] = contactsNamed(`${tag}-a`);
    expect(contact.Id).toBe(a.id);
    expect(contact.AccountId).toBe(parent.Id);
    // The write is there afterwards, with its results.
    const again = await h.api(`/v1/connections/${conn}/writes/${res.body.id}`);
    expect(await again.json()).toMatchObject({ status: "completed", counts: { failed: 1 } });
    expect(res.body.expiresAt).toBeTruthy();
    // The builder hears of it: write.completed with the counts, no record.
    const [event] = await waitFor(() => {
      const found = events.ofType("write.completed").filter((e) => e.data.writeId === res.body.id);
      return found.length > 0 ? found : undefined;
    }, "the write.completed event");
    expect(event.data).toMatchObject({
      connectionId: conn,
      object: "Contact",
      operation: "insert",
      counts: { total: 3, succeeded: 2, failed: 1, unknown: 0, pending: 0 },
    });
    expect(JSON.stringify(event.data)).not.toContain(`${tag}-a`);
  });

  it("executes a keyed write once: the same key again answers it without a call to Salesforce", async () => {
    const body = {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: [{ External_Id__c: `KEY-${backend}-1`, Name: "Keyed" }],
    };
    const first = await postWrite(h, conn, body, { key: `once-${backend}` });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const calls = apiCalls();
    const second = await postWrite(h, conn, body, { key: `once-${backend}` });
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.results).toEqual(first.body.results);
    expect(apiCalls()).toBe(calls);
    expect(accountsWith(`KEY-${backend}-1`)).toHaveLength(1);
  });

  it("points a field the user cannot edit at field-editable", async () => {
    h.admin.setFieldPermissions("System Administrator", "Contact.Title", "read");
    try {
      const res = await postWrite(h, conn, {
        object: "Contact",
        operation: "insert",
        records: [{ LastName: `fls-${backend}`, Title: "Boss" }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.results[0].errors[0]).toMatchObject({ check: "field-editable", fields: ["Title"] });
    } finally {
      h.admin.setFieldPermissions("System Administrator", "Contact.Title", "edit");
    }
  });

  it("retries the failed records only, with their indexes, as a new write", async () => {
    const tag = `retry-${backend}`;
    const records = Array.from({ length: 5 }, (_, i) => ({ External_Id__c: `${tag}-${i}`, Name: `Retry ${i}` }));
    h.org.faults.configure({ unableToLockRow: 2 });
    const res = await postWrite(h, conn, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.counts).toMatchObject({ succeeded: 3, failed: 2 });
    const failed = (res.body.results as Json[]).filter((r) => !r.success);
    expect(failed.every((r) => r.errors[0].code === "UNABLE_TO_LOCK_ROW" && r.errors[0].retryable)).toBe(true);
    h.org.faults.reset();

    const retry = await h.api(`/v1/connections/${conn}/writes/${res.body.id}/retry`, {
      method: "POST",
      body: { retryableOnly: true },
    });
    const retried = (await retry.json()) as Json;
    expect(retry.status, JSON.stringify(retried)).toBe(200);
    expect(retried).toMatchObject({ retryOf: res.body.id, status: "completed", counts: { total: 2, succeeded: 2 } });
    expect(retried.id).not.toBe(res.body.id);
    expect(retried.results.map((r: Json) => r.index)).toEqual(failed.map((r) => r.index));
    for (let i = 0; i < 5; i++) expect(accountsWith(`${tag}-${i}`)).toHaveLength(1);

    // Nothing failed in the retry: nothing to retry there.
    const nothing = await h.api(`/v1/connections/${conn}/writes/${retried.id}/retry`, { method: "POST" });
    expect(nothing.status).toBe(422);
    expect(((await nothing.json()) as Json).error.code).toBe("nothing_to_retry");
  });

  it("answers a write the org stops with its error and check, and retries the records it never wrote", async () => {
    const tag = `stopped-${backend}`;
    h.admin.setSystemPermissions("System Administrator", { ApiEnabled: false });
    let stopped: Json;
    try {
      const res = await postWrite(h, conn, {
        object: "Contact",
        operation: "insert",
        records: [{ LastName: `${tag}-0` }, { LastName: `${tag}-1` }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      stopped = res.body;
    } finally {
      h.admin.setSystemPermissions("System Administrator", { ApiEnabled: true });
    }
    expect(stopped).toMatchObject({
      status: "failed",
      counts: { total: 2, pending: 2 },
      error: { code: "API_CURRENTLY_DISABLED", check: { id: "api-enabled-permission" } },
    });
    expect(stopped.results.map((r: Json) => r.status)).toEqual(["pending", "pending"]);
    const retry = await h.api(`/v1/connections/${conn}/writes/${stopped.id}/retry`, { method: "POST" });
    const retried = (await retry.json()) as Json;
    expect(retry.status, JSON.stringify(retried)).toBe(200);
    expect(retried).toMatchObject({ retryOf: stopped.id, status: "completed", counts: { total: 2, succeeded: 2 } });
    expect(contactsNamed(`${tag}-0`)).toHaveLength(1);
    expect(contactsNamed(`${tag}-1`)).toHaveLength(1);
  });

  it("refuses to retry only retryable failures when none is", async () => {
    const res = await postWrite(h, conn, {
      object: "Contact",
      operation: "insert",
      records: [{ FirstName: "No last name" }],
    });
    expect(res.body.counts.failed).toBe(1);
    const retry = await h.api(`/v1/connections/${conn}/writes/${res.body.id}/retry`, {
      method: "POST",
      body: { retryableOnly: true },
    });
    expect(retry.status).toBe(422);
    expect(((await retry.json()) as Json).error.message).toMatch(/no failed record whose errors are all retryable/);
  });

  it("runs a larger write on the queue (202) and pages its failed results by index", async () => {
    const tag = `queued-${backend}`;
    const lines = Array.from({ length: 450 }, (_, i) =>
      JSON.stringify(i % 10 === 0 ? { FirstName: `missing ${i}` } : { LastName: `${tag}-${i}` }),
    );
    const res = await postWrite(h, conn, lines.join("\n"), {
      type: "application/x-ndjson",
      query: { object: "Contact", operation: "insert" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const done = await waitFor(async () => {
      const w = (await (await h.api(`/v1/connections/${conn}/writes/${res.body.id}`)).json()) as Json;
      return w.status === "completed" || w.status === "failed" ? w : undefined;
    }, "the queued write to finish");
    expect(done).toMatchObject({ status: "completed", path: "composite", counts: { succeeded: 405, failed: 45 } });
    const { pages, results } = await allResults(h, conn, res.body.id, { status: "failed", limit: "20" });
    expect(pages).toBe(3);
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 45 }, (_, i) => i * 10));
    expect(results.every((r) => r.errors[0].code === "REQUIRED_FIELD_MISSING")).toBe(true);
  });
});

describe("a write's place in time (pglite)", () => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    // No write workers: a queued write stays queued while the test looks at it.
    h = await startHarness({
      accounts: 3,
      env: { FORCELINK_WRITE_WORKERS: "0", FORCELINK_WRITE_SYNC_MAX: "5", FORCELINK_WRITE_RETENTION_DAYS: "7" },
    });
    conn = await writeConnection(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const records = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({ External_Id__c: `${tag}-${i}`, Name: `${tag} ${i}` }));
  const upsert = (n: number, tag: string) =>
    postWrite(h, conn, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: records(n, tag),
    });
  const status = async (id: string) => (await h.api(`/v1/connections/${conn}/writes/${id}`)).status;

  it("refuses to retry a write that has not finished", async () => {
    const queued = await upsert(6, "unfinished");
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe("queued");
    const retry = await h.api(`/v1/connections/${conn}/writes/${queued.body.id}/retry`, { method: "POST" });
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as Json).error).toMatchObject({ code: "write_not_finished" });
    const pending = await allResults(h, conn, queued.body.id, { status: "pending" });
    expect(pending.results).toHaveLength(6);
  });

  it("keeps a finished write for FORCELINK_WRITE_RETENTION_DAYS, then prunes it and its results", async () => {
    const finished = await upsert(2, "kept");
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    const queued = await upsert(6, "still-queued");
    expect(queued.status).toBe(202);
    const finishedAt = Date.parse(finished.body.finishedAt);
    expect(Date.parse(finished.body.expiresAt) - finishedAt).toBe(7 * DAY_MS);

    h.clock.advance(6 * DAY_MS);
    expect(await pruneExpiredWrites(h.server.platform)).toBe(0);
    expect(await status(finished.body.id)).toBe(200);

    h.clock.advance(2 * DAY_MS);
    expect(await pruneExpiredWrites(h.server.platform)).toBe(1);
    expect(await status(finished.body.id)).toBe(404);
    expect(await h.sql("select idx from write_records where write_id = $1", [finished.body.id])).toEqual([]);
    // A write that has not finished has no expiry.
    expect(await status(queued.body.id)).toBe(200);
    // The pruning runs on its own every hour.
    const schedules = await h.sql<{ name: string }>("select name from pgboss.schedule where name = 'write-prune'");
    expect(schedules).toHaveLength(1);
  });
});
