import { connect } from "node:tls";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runIngest } from "./bulk-harness.ts";
import { type PubSubFixture, startPubSubOrg } from "./support/pubsub-fixture.ts";

let fx: PubSubFixture;

beforeEach(async () => {
  fx = await startPubSubOrg();
  await fx.select("AccountChangeEvent");
});

afterEach(async () => {
  await fx.close();
});

const TOPIC = "/data/AccountChangeEvent";

/** Polls an ingest job until it is done (the emulator moves a job on as it is looked at). */
async function jobDone(id: string): Promise<void> {
  for (;;) {
    const state = (await fx.api.send("GET", `/jobs/ingest/${id}`)).json().state;
    if (state === "JobComplete" || state === "Failed") return;
  }
}

describe("the published Pub/Sub client (salesforce-pubsub-api-client) against the emulator", () => {
  it("receives REST create, update, delete and undelete once each, with the header and decoded bitmaps", async () => {
    const client = await fx.client();
    const r = fx.collect((cb) => client.subscribe(TOPIC, cb, 100));
    await r.until((x) => x.keepalives > 0);

    const created = await fx.api.send(
      "POST",
      "/sobjects/Account",
      { Name: "Acme", Phone: "555-0100", BillingCity: "Paris" },
      { "sforce-call-options": "client=acceptance" },
    );
    expect(created.status).toBe(201);
    const id = created.json().id as string;
    fx.org.clock.advance(1000);
    const updated = await fx.api.send("PATCH", `/sobjects/Account/${id}`, {
      Name: "Acme 2",
      Phone: null,
      BillingCity: "Lyon",
    });
    expect(updated.status).toBe(204);
    expect((await fx.api.send("DELETE", `/sobjects/Account/${id}`)).status).toBe(204);
    const undeleted = await fetch(`${fx.emulator.urls.login}/__emulator/records/Account/undelete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: [id] }),
    });
    expect(undeleted.status).toBe(200);
    await r.until((x) => x.events.length >= 4);

    const headers = r.events.map((e) => e.payload.ChangeEventHeader);
    expect(headers.map((h) => h.changeType)).toEqual(["CREATE", "UPDATE", "DELETE", "UNDELETE"]);
    for (const h of headers) {
      expect(h.entityName).toBe("Account");
      expect(h.recordIds).toEqual([id]);
      expect(h.commitUser).toBe(fx.org.userByUsername(`admin@${fx.org.myDomain}.example`)!.Id);
      expect(h.transactionKey).toMatch(/^[0-9a-f]{32}$/);
      expect(h.sequenceNumber).toBe(1);
      expect(typeof h.commitTimestamp).toBe("number");
    }
    expect(headers[0].changeOrigin).toBe("com/salesforce/api/rest/67.0;client=acceptance");
    expect(headers[3].changeOrigin).toBe("");
    expect(new Set(headers.map((h) => h.commitNumber)).size).toBe(4);
    const create = r.events[0].payload;
    expect(create.Name).toBe("Acme");
    expect(create.Phone).toBe("555-0100");
    expect(create.BillingAddress.City).toBe("Paris");
    expect(headers[0].changedFields).toEqual([]);
    expect(headers[1].changedFields.sort()).toEqual(["BillingAddress.City", "LastModifiedDate", "Name", "Phone"]);
    expect(headers[1].nulledFields).toEqual(["Phone"]);
    expect(headers[1].diffFields).toEqual([]);
    const update = r.events[1].payload;
    expect(update.Name).toBe("Acme 2");
    expect(update.Phone).toBeNull();
    expect(update.Industry).toBeNull();
    expect(r.events[2].payload.Name).toBeNull();
    expect(r.events[3].payload.Name).toBe("Acme 2");
    expect(r.errors).toEqual([]);
  });

  it("receives sObject Collections and Bulk writes once each, same changes merged into one event", async () => {
    const client = await fx.client();
    const r = fx.collect((cb) => client.subscribe(TOPIC, cb, 100));
    await r.until((x) => x.keepalives > 0);

    const made = await fx.api.send("POST", "/composite/sobjects", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, Name: "C1" },
        { attributes: { type: "Account" }, Name: "C2" },
      ],
    });
    const ids = made.json().map((x: { id: string }) => x.id) as string[];
    await fx.api.send("PATCH", "/composite/sobjects", {
      records: ids.map((id) => ({ attributes: { type: "Account" }, id, Industry: "Energy" })),
    });
    await fx.api.send("DELETE", `/composite/sobjects?ids=${ids.join(",")}`);
    await r.until((x) => x.events.length >= 4);
    const h = r.events.map((e) => e.payload.ChangeEventHeader);
    expect(h.map((x) => [x.changeType, x.recordIds])).toEqual([
      ["CREATE", [ids[0]]],
      ["CREATE", [ids[1]]],
      ["UPDATE", ids],
      ["DELETE", ids],
    ]);
    expect(h[0].transactionKey).toBe(h[1].transactionKey);
    expect([h[0].sequenceNumber, h[1].sequenceNumber]).toEqual([1, 2]);
    expect(h[2].changedFields.sort()).toEqual(["Industry", "LastModifiedDate"]);

    const jobCreate = await runIngest(fx.api, { object: "Account", operation: "insert" }, "Name\nB1\nB2\nB3\n");
    await jobDone(jobCreate);
    await r.until((x) => x.events.length >= 7);
    const results = await fx.api.send("GET", `/jobs/ingest/${jobCreate}/successfulResults`);
    const bulkIds = results.text
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",")[0].replace(/"/g, ""));
    expect(bulkIds).toHaveLength(3);
    const rows = bulkIds.map((i) => `${i},Retail`).join("\n");
    await jobDone(await runIngest(fx.api, { object: "Account", operation: "update" }, `Id,Industry\n${rows}\n`));
    await jobDone(await runIngest(fx.api, { object: "Account", operation: "delete" }, `Id\n${bulkIds.join("\n")}\n`));
    await r.until((x) => x.events.length >= 9);
    const bulk = r.events.slice(4).map((e) => e.payload.ChangeEventHeader);
    expect(bulk.map((x) => [x.changeType, x.recordIds])).toEqual([
      ["CREATE", [bulkIds[0]]],
      ["CREATE", [bulkIds[1]]],
      ["CREATE", [bulkIds[2]]],
      ["UPDATE", bulkIds],
      ["DELETE", bulkIds],
    ]);
    // Each change arrived once: one event per (change, record).
    const seen = r.events.flatMap((e) =>
      e.payload.ChangeEventHeader.recordIds.map((id: string) => `${e.payload.ChangeEventHeader.changeType}:${id}`),
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(15);
  });

  it("replays from a CUSTOM replay id and from EARLIEST, and honours num_requested", async () => {
    for (const name of ["R1", "R2", "R3", "R4"]) await fx.api.send("POST", "/sobjects/Account", { Name: name });
    const client = await fx.client();
    const all = fx.collect((cb) => client.subscribeFromEarliestEvent(TOPIC, cb, 2));
    await all.until((x) => x.lastEvent === 1);
    expect(all.events.map((e) => e.payload.Name)).toEqual(["R1", "R2"]);
    // Nothing more comes until more is requested: the next keepalive still finds two events.
    const keepalives = all.keepalives;
    await all.until((x) => x.keepalives > keepalives);
    expect(all.events).toHaveLength(2);
    client.requestAdditionalEvents(TOPIC, 1);
    await all.until((x) => x.lastEvent === 2);
    expect(all.events.map((e) => e.payload.Name)).toEqual(["R1", "R2", "R3"]);

    const other = await fx.client();
    const after = fx.collect((cb) => other.subscribeFromReplayId(TOPIC, cb, 10, all.events[1].replayId));
    await after.until((x) => x.events.length >= 2);
    expect(after.events.map((e) => e.payload.Name)).toEqual(["R3", "R4"]);
    expect(after.events[0].replayId).toBe(all.events[2].replayId);
  });

  it("refuses a replay id past the 72-hour retention, and one the bus never gave, with Salesforce's error", async () => {
    await fx.api.send("POST", "/sobjects/Account", { Name: "Old" });
    const client = await fx.client();
    const first = fx.collect((cb) => client.subscribeFromEarliestEvent(TOPIC, cb, 1));
    await first.until((x) => x.events.length === 1);
    const oldReplayId = first.events[0].replayId;
    fx.org.clock.advance(73 * 3600 * 1000);
    expect((await fx.freshApi().send("POST", "/sobjects/Account", { Name: "New" })).status).toBe(201);

    const other = await fx.client();
    const expired = fx.collect((cb) => other.subscribeFromReplayId(TOPIC, cb, 1, oldReplayId));
    await expired.until((x) => x.errors.length > 0);
    expect(expired.errors[0].code).toBe(3);
    expect(expired.errors[0].details).toMatch(
      /^The Replay ID validation failed\. Ensure that the Replay ID is valid\. rpcId: /,
    );
    expect(expired.errors[0].metadata.get("error-code")).toEqual([
      "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    ]);

    const third = await fx.client();
    const unknown = fx.collect((cb) => third.subscribeFromReplayId(TOPIC, cb, 1, 999_999));
    await unknown.until((x) => x.errors.length > 0);
    expect(unknown.errors[0].metadata.get("error-code")).toEqual([
      "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    ]);
    // EARLIEST now starts after what retention purged.
    const fourth = await fx.client();
    const earliest = fx.collect((cb) => fourth.subscribeFromEarliestEvent(TOPIC, cb, 5));
    await earliest.until((x) => x.events.length === 1);
    expect(earliest.events[0].payload.Name).toBe("New");
  });

  it("refuses a bad session with Salesforce's authentication error", async () => {
    const client = await fx.client({
      authType: "user-supplied",
      accessToken: `${fx.org.orgId15}!AQnot-a-token`,
      instanceUrl: "https://example.my.salesforce.com",
    });
    const r = fx.collect((cb) => client.subscribe(TOPIC, cb, 1));
    await r.until((x) => x.errors.length > 0);
    expect(r.errors[0].code).toBe(16);
    expect(r.errors[0].metadata.get("error-code")).toEqual(["sfdc.platform.eventbus.grpc.service.auth.error"]);
  });

  it("serves TLS with a certificate that verifies against the one the control surface publishes", async () => {
    const info = (await (await fetch(`${fx.emulator.urls.login}/__emulator/pubsub`)).json()) as {
      endpoint: string;
      certificate: string;
    };
    expect(info.endpoint).toBe(fx.emulator.pubsub!.endpoint);
    const [host, port] = info.endpoint.split(":");
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = connect({ host, port: Number(port), ca: info.certificate, ALPNProtocols: ["h2"] }, () => {
        resolve(socket.authorized);
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(authorized).toBe(true);
  });
});
