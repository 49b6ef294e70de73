import { status } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PubSubFixture, startPubSubOrg } from "./support/pubsub-fixture.ts";
import { pubSubClient, subscribe, unaryCall } from "./support/pubsub-grpc.ts";

let fx: PubSubFixture;
// biome-ignore lint/suspicious/noExplicitAny: the generated client
let client: any;
const TOPIC = "/data/AccountChangeEvent";
const headerOf = (e: { payload: { ChangeEventHeader: Record<string, unknown> } }) => e.payload.ChangeEventHeader;

beforeEach(async () => {
  fx = await startPubSubOrg();
  await fx.select("AccountChangeEvent");
  client = pubSubClient(
    fx.emulator.pubsub!.endpoint,
    fx.emulator.pubsub!.certificate!,
    fx.api.token,
    fx.org.organizationId,
  );
});

afterEach(async () => {
  client.close();
  await fx.close();
});

/** A subscription from the tip that has had its first keepalive, so it is surely listening. */
async function live(topic = TOPIC, n = 100) {
  const s = subscribe(client, { topicName: topic, replayPreset: 0, numRequested: n });
  await s.until((x) => x.keepalives.length > 0 || x.error !== undefined);
  return s;
}

describe("change events from every write path", () => {
  it("publishes nothing for a transaction that rolls back, and the composite, tree and graph writes that commit", async () => {
    const s = await live();
    const failed = await fx.api.send("POST", "/composite/sobjects", {
      allOrNone: true,
      records: [
        { attributes: { type: "Account" }, Name: "Kept?" },
        { attributes: { type: "Account" }, NoSuchField: 1 },
      ],
    });
    expect(failed.json()[1].success).toBe(false);
    const tree = await fx.api.send("POST", "/composite/tree/Account", {
      records: [{ attributes: { type: "Account", referenceId: "a1" }, Name: "Tree" }],
    });
    expect(tree.status).toBe(201);
    const composite = await fx.api.send("POST", "/composite", {
      allOrNone: true,
      compositeRequest: [
        {
          method: "POST",
          url: "/services/data/v67.0/sobjects/Account",
          referenceId: "c1",
          body: { Name: "Composite" },
        },
      ],
    });
    expect(composite.status).toBe(200);
    await s.until((x) => x.events.length >= 2);
    expect(s.events.map((e) => [headerOf(e).changeType, e.payload.Name])).toEqual([
      ["CREATE", "Tree"],
      ["CREATE", "Composite"],
    ]);
    expect(fx.org.capture.bus.counters.published).toBe(2);
  });

  it("stops publishing an object once its channel member is deleted", async () => {
    const members = await fx.api.send("GET", "/tooling/query?q=SELECT+Id+FROM+PlatformEventChannelMember");
    const s = await live();
    await fx.api.send("DELETE", `/tooling/sobjects/PlatformEventChannelMember/${members.json().records[0].Id}`);
    await fx.api.send("POST", "/sobjects/Account", { Name: "Unheard" });
    expect(fx.org.capture.bus.counters.published).toBe(0);
    expect(s.events).toEqual([]);
  });
});

describe("enrichment", () => {
  it("adds a member's enriched fields to update and delete events only, on that channel only, unmerged", async () => {
    const member = [...fx.org.store.tableOrThrow("PlatformEventChannelMember").live()][0];
    const patched = await fx.api.send("PATCH", `/tooling/sobjects/PlatformEventChannelMember/${member.Id}`, {
      Metadata: { enrichedFields: [{ name: "AccountNumber" }, { name: "Phone" }] },
    });
    expect(patched.status, patched.text).toBe(204);
    const bad = await fx.api.send("PATCH", `/tooling/sobjects/PlatformEventChannelMember/${member.Id}`, {
      Metadata: { enrichedFields: [{ name: "NoSuchField__c" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json()[0].errorCode).toBe("FIELD_INTEGRITY_EXCEPTION");
    const s = await live();
    const created = await fx.api.send("POST", "/composite/sobjects", {
      records: [
        { attributes: { type: "Account" }, Name: "E1", AccountNumber: "A-1" },
        { attributes: { type: "Account" }, Name: "E2", AccountNumber: "A-2" },
      ],
    });
    const ids = (created.json() as Array<{ id: string }>).map((r) => r.id);
    // One transaction, the same change on both records: merged without enrichment, split with it.
    await fx.api.send("PATCH", "/composite/sobjects", {
      records: ids.map((Id) => ({ attributes: { type: "Account" }, Id, Industry: "Energy" })),
    });
    await fx.api.send("DELETE", `/sobjects/Account/${ids[0]}`);
    await s.until((x) => x.events.length >= 5);
    const schema = fx.org.capture.schemasById.get(fx.org.capture.schemaFor(fx.org.objectDef("Account")!).id)!;
    const seen = s.events.map((e) => ({
      type: headerOf(e).changeType,
      ids: headerOf(e).recordIds,
      changed: schema.names(e.payload.ChangeEventHeader.changedFields).sort(),
      accountNumber: e.payload.AccountNumber,
      phone: e.payload.Phone,
    }));
    expect(seen).toEqual([
      { type: "CREATE", ids: [ids[0]], changed: [], accountNumber: "A-1", phone: null },
      { type: "CREATE", ids: [ids[1]], changed: [], accountNumber: "A-2", phone: null },
      { type: "UPDATE", ids: [ids[0]], changed: ["Industry", "LastModifiedDate"], accountNumber: "A-1", phone: null },
      { type: "UPDATE", ids: [ids[1]], changed: ["Industry", "LastModifiedDate"], accountNumber: "A-2", phone: null },
      { type: "DELETE", ids: [ids[0]], changed: [], accountNumber: "A-1", phone: null },
    ]);
  });
});

describe("undelete through the control surface", () => {
  it("restores a deleted record with an UNDELETE event, and says why it cannot restore others", async () => {
    const id = (await fx.api.send("POST", "/sobjects/Account", { Name: "U" })).json().id as string;
    const live = await fx.emulator.control.undelete("Account", [id]);
    expect(live).toEqual([
      { id, success: false, errors: [{ statusCode: "UNDELETE_FAILED", message: "Entity is not in the recycle bin" }] },
    ]);
    await fx.api.send("DELETE", `/sobjects/Account/${id}`);
    expect(await fx.emulator.control.undelete("Account", [id])).toEqual([{ id, success: true, errors: [] }]);
    expect((await fx.api.send("GET", `/sobjects/Account/${id}`)).status).toBe(200);
    await expect(fx.emulator.control.undelete("NoSuchObject", [id])).rejects.toMatchObject({ status: 404 });
    await expect(fx.emulator.control.undelete("Account", [])).rejects.toMatchObject({ status: 400 });
  });
});

describe("gap and overflow events", () => {
  it("sends gap events on demand, a change as a gap event under the gapEvents fault, and overflow past the threshold", async () => {
    const s = await live();
    const id = (await fx.api.send("POST", "/sobjects/Account", { Name: "G" })).json().id as string;
    const gap = await fx.emulator.control.publishGapEvent({
      object: "Account",
      changeType: "GAP_UPDATE",
      recordIds: [id],
    });
    await fx.emulator.control.publishGapEvent({ object: "Account", changeType: "GAP_OVERFLOW" });
    await fx.emulator.control.setStreamFaults({ gapEvents: 1 });
    await fx.api.send("PATCH", `/sobjects/Account/${id}`, { Name: "G2" });
    fx.org.capture.overflowThreshold = 2;
    await fx.api.send("POST", "/composite/sobjects", {
      records: ["O1", "O2", "O3", "O4"].map((Name) => ({ attributes: { type: "Account" }, Name })),
    });
    await s.until((x) => x.events.length >= 7);
    const h = s.events.map(headerOf);
    expect(s.events[1].replayId).toBe(gap.replayId);
    expect(h.map((x) => [x.changeType, x.recordIds])).toEqual([
      ["CREATE", [id]],
      ["GAP_UPDATE", [id]],
      ["GAP_OVERFLOW", []],
      ["GAP_UPDATE", [id]],
      ["CREATE", [expect.any(String)]],
      ["CREATE", [expect.any(String)]],
      ["GAP_OVERFLOW", []],
    ]);
    expect(s.events[3].payload.Name).toBeNull();
    expect(h[3].changedFields).toEqual([]);
    expect(h[6].transactionKey).toBe(h[5].transactionKey);
    expect(h[6].sequenceNumber).toBe(1);
  });

  it("overflows a generated data load as one transaction", async () => {
    const s = await live();
    fx.org.capture.overflowThreshold = 3;
    await fetch(`${fx.emulator.urls.login}/__emulator/generate/Account`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 5 }),
    });
    await s.until((x) => x.events.length >= 4);
    expect(s.events.map((e) => headerOf(e).changeType)).toEqual(["CREATE", "CREATE", "CREATE", "GAP_OVERFLOW"]);
    expect(s.events[0].payload.Name).toEqual(expect.any(String));
  });

  it("sends a gap event for a change it cannot encode, and the write stands", async () => {
    const s = await live();
    const record = fx.org.store.insert("Account", { Name: "Odd", NumberOfEmployees: "many" }, fx.org.writeContext(""));
    await s.until((x) => x.events.length >= 1);
    expect(headerOf(s.events[0])).toMatchObject({ changeType: "GAP_CREATE", recordIds: [record.Id] });
    expect(s.events[0].payload.Name).toBeNull();
    expect(fx.org.store.tableOrThrow("Account").get(record.Id)?.Name).toBe("Odd");
  });

  it("refuses a gap event for an object that is not selected, or without record ids", async () => {
    const res = await fetch(`${fx.emulator.urls.login}/__emulator/pubsub/gap-events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ object: "Contact", changeType: "GAP_CREATE", recordIds: [] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("not selected for Change Data Capture");
    const noIds = await fetch(`${fx.emulator.urls.login}/__emulator/pubsub/gap-events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ object: "Account", changeType: "GAP_DELETE" }),
    });
    expect(noIds.status).toBe(400);
  });
});

describe("the Subscribe stream", () => {
  it("keeps to num_requested, tells what is pending in keepalives, and counts what it delivered", async () => {
    for (const Name of ["A", "B", "C"]) await fx.api.send("POST", "/sobjects/Account", { Name });
    const s = subscribe(client, { topicName: TOPIC, replayPreset: 1, numRequested: 2 });
    await s.until((x) => x.events.length === 2);
    await s.until((x) => x.keepalives.length > 0);
    expect(s.events).toHaveLength(2);
    const first = s.events[0].replayId;
    expect(s.keepalives[0]).toEqual({ latestReplayId: first + 1, pendingNumRequested: 0 });
    s.request(5);
    await s.until((x) => x.events.length === 3);
    const seen = s.keepalives.length;
    await s.until((x) => x.keepalives.length > seen);
    expect(s.keepalives.at(-1)).toEqual({ latestReplayId: first + 2, pendingNumRequested: 4 });
    const view = await fx.emulator.control.pubsub();
    expect(view.counters).toMatchObject({ published: 3, delivered: 3, deliveredByTopic: { [TOPIC]: 3 } });
    expect(view.latestReplayId).toBe(first + 2);
    await fx.emulator.control.resetPubSubCounters();
    expect((await fx.emulator.control.pubsub()).counters).toMatchObject({ published: 0, delivered: 0 });
    s.cancel();
  });

  it("is dropped, reset or refused as the stream faults say", async () => {
    await fx.api.send("POST", "/composite/sobjects", {
      records: ["F1", "F2"].map((Name) => ({ attributes: { type: "Account" }, Name })),
    });
    await fx.emulator.control.setStreamFaults({ dropRate: 1 });
    const dropped = subscribe(client, { topicName: TOPIC, replayPreset: 1, numRequested: 10 });
    await dropped.until((x) => x.error !== undefined);
    expect(dropped.events).toHaveLength(2);
    expect(dropped.error!.code).toBe(status.UNAVAILABLE);

    await fx.emulator.control.setStreamFaults({ dropRate: 0, resetRate: 1 });
    const reset = subscribe(client, { topicName: TOPIC, replayPreset: 1, numRequested: 10 });
    await reset.until((x) => x.error !== undefined);
    expect(reset.error!.code).toBe(status.INTERNAL);

    await fx.emulator.control.setStreamFaults({ resetRate: 0, corruptReplayIds: 1, delayMs: 5 });
    const replayId = Buffer.alloc(8);
    replayId.writeBigUInt64BE(BigInt(dropped.events[0].replayId));
    const refused = subscribe(client, { topicName: TOPIC, replayPreset: 2, replayId, numRequested: 10 });
    await refused.until((x) => x.error !== undefined);
    expect(refused.error!.metadata.get("error-code")).toEqual([
      "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    ]);
    const next = subscribe(client, { topicName: TOPIC, replayPreset: 2, replayId, numRequested: 10 });
    await next.until((x) => x.events.length === 1);
    next.cancel();
    await fx.emulator.control.clearStreamFaults();
    expect((await fx.emulator.control.pubsub()).faults.dropRate).toBe(0);
  });

  it("refuses a malformed replay id, a changed topic, an unknown topic and a caller without access", async () => {
    const malformed = subscribe(client, {
      topicName: TOPIC,
      replayPreset: 2,
      replayId: Buffer.from("xyz"),
      numRequested: 1,
    });
    await malformed.until((x) => x.error !== undefined);
    expect(malformed.error!.code).toBe(status.INVALID_ARGUMENT);

    const moved = await live();
    moved.write({ topicName: "/data/ChangeEvents", numRequested: 1 });
    await moved.until((x) => x.error !== undefined);
    expect(moved.error!.code).toBe(status.INVALID_ARGUMENT);
    expect(moved.error!.details).toContain("can't change");

    const unknown = subscribe(client, { topicName: "/data/NoSuchChangeEvent", numRequested: 1 });
    await unknown.until((x) => x.error !== undefined);
    expect(unknown.error!.code).toBe(status.NOT_FOUND);

    const user = fx.admin.user({ username: "plain@example.com", password: "p-1", profile: "Standard User" });
    const token = fx.org.sessions.openSession(user.Id, null, ["api"], null).accessToken;
    const plain = pubSubClient(
      fx.emulator.pubsub!.endpoint,
      fx.emulator.pubsub!.certificate!,
      token,
      fx.org.organizationId,
    );
    const own = subscribe(plain, { topicName: TOPIC, numRequested: 1 });
    await own.until((x) => x.error !== undefined);
    expect(own.error!.code).toBe(status.PERMISSION_DENIED);
    expect(own.error!.details).toContain("View All Records on Account (or View All Data)");

    // /data/ChangeEvents is open to all; each event goes only to those who may receive it.
    await fx.api.send("POST", "/sobjects/Account", { Name: "Hidden" });
    const all = subscribe(plain, { topicName: "/data/ChangeEvents", replayPreset: 1, numRequested: 10 });
    await all.until((x) => x.keepalives.length > 0);
    expect(all.events).toEqual([]);
    fx.admin.setObjectPermissions("Standard User", "Account", ["Read", "ViewAllRecords"]);
    await fx.api.send("POST", "/sobjects/Account", { Name: "Shown" });
    await all.until((x) => x.events.length === 1);
    expect(all.events[0].payload.Name).toBe("Shown");

    // Field-level security: a field the user may not read is null and out of the field lists.
    fx.admin.setFieldPermissions("Standard User", "Account.Phone", "none");
    fx.admin.setFieldPermissions("Standard User", "Account.BillingAddress", "none");
    const id = all.events[0].payload.ChangeEventHeader.recordIds[0];
    await fx.api.send("PATCH", `/sobjects/Account/${id}`, { Phone: "555", Name: "Seen", BillingCity: "X" });
    await all.until((x) => x.events.length === 2);
    const update = all.events[1].payload;
    expect(update.Phone).toBeNull();
    expect(update.BillingAddress).toBeNull();
    expect(update.Name).toBe("Seen");
    const schema = fx.org.capture.schemasById.get(fx.org.capture.schemaFor(fx.org.objectDef("Account")!).id)!;
    expect(schema.names(update.ChangeEventHeader.changedFields).sort()).toEqual(["LastModifiedDate", "Name"]);
    all.cancel();
    plain.close();
  });
});

describe("GetTopic, GetSchema and Publish", () => {
  it("describes a change event topic and its Avro schema, and refuses to publish on it", async () => {
    const topic = await unaryCall<Record<string, unknown>>(client, "GetTopic", { topicName: TOPIC });
    expect(topic).toMatchObject({
      topicName: TOPIC,
      tenantGuid: fx.org.organizationId,
      canPublish: false,
      canSubscribe: true,
    });
    const schema = await unaryCall<{ schemaJson: string; schemaId: string }>(client, "GetSchema", {
      schemaId: topic.schemaId,
    });
    expect(schema.schemaId).toBe(topic.schemaId);
    const parsed = JSON.parse(schema.schemaJson);
    expect(parsed.name).toBe("AccountChangeEvent");
    expect(parsed.fields[0].name).toBe("ChangeEventHeader");
    expect(parsed.fields.map((f: { name: string }) => f.name)).toContain("BillingAddress");
    expect(parsed.fields.map((f: { name: string }) => f.name)).not.toContain("BillingCity");

    const published = await unaryCall<{ results: Array<{ error: { msg: string } }> }>(client, "Publish", {
      topicName: TOPIC,
      events: [{ id: "e1", schemaId: topic.schemaId, payload: Buffer.alloc(0) }],
    });
    expect(published.results[0].error.msg).toContain("isn't allowed");
    await expect(unaryCall(client, "GetSchema", { schemaId: "nope" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it("answers a bad session on every call with the authentication error", async () => {
    const bad = pubSubClient(
      fx.emulator.pubsub!.endpoint,
      fx.emulator.pubsub!.certificate!,
      "00D!nope",
      fx.org.organizationId,
    );
    await expect(unaryCall(bad, "GetTopic", { topicName: TOPIC })).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    const other = pubSubClient(
      fx.emulator.pubsub!.endpoint,
      fx.emulator.pubsub!.certificate!,
      fx.api.token,
      "00D000000000001",
    );
    await expect(unaryCall(other, "GetTopic", { topicName: TOPIC })).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    bad.close();
    other.close();
  });
});
