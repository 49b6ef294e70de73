import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OAuthFailure, PubSubClient, PubSubFailure, type ReceivedEvent, revokeToken } from "../src/index.ts";
import { calls, connectUser, TOKEN_CALLS, USERS } from "./support/demo-org.ts";
import { INTEGRATION_SET, nextEvents, type PubSubOrg, startPubSubOrg, untilKeepalive } from "./support/pubsub-org.ts";

const TOPIC = "/data/AccountChangeEvent";
let ps: PubSubOrg;

beforeAll(async () => {
  ps = await startPubSubOrg();
});
afterAll(() => ps?.close());
beforeEach(async () => {
  await ps.demo.emulator.control.clearStreamFaults();
});

/** Creates accounts one REST call each (one change event each); answers their ids in order. */
async function createAccounts(n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await ps.rest.create("Account", { Name: `${prefix} ${i}` })).id);
  return ids;
}

const ids = (events: ReceivedEvent[]) => events.map((e) => e.changeHeader?.recordIds[0]);

describe("subscribe", () => {
  it("receives create, update and delete with decoded fields and the header's bitmaps as names", async () => {
    const client = ps.pubsub();
    const sub = client.subscribe({ topic: TOPIC, replay: { preset: "LATEST" } });
    const it = sub[Symbol.asyncIterator]();
    await untilKeepalive(it);
    const { id } = await ps.rest.create("Account", { Name: "Acme Streaming", Phone: "555-0100", BillingCity: "Paris" });
    await ps.rest.update("Account", id, { BillingCity: "Lyon", Industry: "Energy" });
    await ps.rest.update("Account", id, { Phone: null });
    await ps.rest.delete("Account", id);
    const [created, updated, nulled, deleted] = await nextEvents(sub, 4, it);
    sub.close();

    expect(created.changeHeader).toMatchObject({ entityName: "Account", recordIds: [id], changeType: "CREATE" });
    expect(created.payload).toMatchObject({ Name: "Acme Streaming", Phone: "555-0100" });
    expect((created.payload.BillingAddress as Record<string, unknown>).City).toBe("Paris");

    expect(updated.changeHeader?.changeType).toBe("UPDATE");
    expect(updated.changeHeader?.changedFields).toEqual(
      expect.arrayContaining(["Industry", "LastModifiedDate", "BillingAddress.City"]),
    );
    expect(updated.changeHeader?.changedFields).not.toContain("Phone");
    expect(updated.payload.Industry).toBe("Energy");
    expect(updated.payload.Name).toBeNull();

    expect(nulled.changeHeader?.nulledFields).toEqual(["Phone"]);
    expect(nulled.changeHeader?.changedFields).toContain("Phone");
    expect(deleted.changeHeader).toMatchObject({ changeType: "DELETE", recordIds: [id] });
    // One schema for the object: asked for once, whatever the number of events.
    expect(client.schemas.size).toBe(1);
    expect(Buffer.compare(deleted.replayId, created.replayId)).toBeGreaterThan(0);
  });

  it("never has more events requested and unconsumed than its batch size", async () => {
    const created = await createAccounts(30, "Flow");
    const control = ps.demo.emulator.control;
    await control.resetPubSubCounters();
    const sub = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "EARLIEST" }, batchSize: 8 });
    const seen: string[] = [];
    for await (const item of sub) {
      if (item.kind !== "event") continue;
      seen.push(item.event.changeHeader?.recordIds[0] ?? "");
      const delivered = (await control.pubsub()).counters.deliveredByTopic[TOPIC] ?? 0;
      // What the server sent beyond what was consumed stays within what the client asked for.
      expect(delivered - seen.length).toBeLessThanOrEqual(8);
      expect(sub.inFlight).toBeLessThanOrEqual(8);
      if (seen.includes(created[created.length - 1])) break;
    }
    expect(seen.slice(-30)).toEqual(created);
  });
});

describe("gap events and refusals", () => {
  it("decodes gap and overflow events: header and record ids, no fields", async () => {
    const control = ps.demo.emulator.control;
    const sub = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "LATEST" } });
    const it = sub[Symbol.asyncIterator]();
    await untilKeepalive(it);
    const [id] = await createAccounts(1, "Gap");
    await control.publishGapEvent({ object: "Account", changeType: "GAP_UPDATE", recordIds: [id] });
    await control.publishGapEvent({ object: "Account", changeType: "GAP_OVERFLOW" });
    const [, gap, overflow] = await nextEvents(sub, 3, it);
    sub.close();
    expect(gap.changeHeader).toMatchObject({ changeType: "GAP_UPDATE", recordIds: [id], changedFields: [] });
    expect(overflow.changeHeader?.changeType).toBe("GAP_OVERFLOW");
  });

  it("ends with the checklist's permission item when the user may not read the channel", async () => {
    ps.demo.admin.setObjectPermissions(INTEGRATION_SET, "Account", ["Read", "Create", "Edit", "Delete"]);
    const sub = ps.pubsub().subscribe({ topic: TOPIC });
    const failure = await (async () => {
      for await (const _ of sub) {
      }
    })()
      .catch((e: unknown) => e)
      .finally(() =>
        ps.demo.admin.setObjectPermissions(INTEGRATION_SET, "Account", [
          "Read",
          "Create",
          "Edit",
          "Delete",
          "ViewAllRecords",
        ]),
      );
    expect(failure).toMatchObject({
      reason: "pubsub.permission_missing",
      checklistItem: "subscription-permissions",
      grpcStatus: "PERMISSION_DENIED",
    });
  });

  it("answers GetTopic with the topic's current schema id", async () => {
    const topic = await ps.pubsub().getTopic(TOPIC);
    expect(topic).toMatchObject({ topicName: TOPIC, canSubscribe: true });
    expect(topic.schemaId).not.toBe("");
    await expect(ps.pubsub().getTopic("/data/NoSuchChangeEvent")).rejects.toMatchObject({
      reason: "pubsub.topic_not_found",
    });
  });
});

describe("reconnect", () => {
  it("resumes after dropped and reset streams with every event once, in order", async () => {
    const control = ps.demo.emulator.control;
    await createAccounts(1, "Before faults"); // a replay id to resume from (see the keepalive test)
    const probe = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "LATEST" } });
    const probeIt = probe[Symbol.asyncIterator]();
    await untilKeepalive(probeIt);
    const resumeFrom = probe.lastReplayId;
    probe.close();
    expect(resumeFrom).toBeDefined();
    const created = await createAccounts(40, "Faulty");
    await control.setStreamFaults({ dropRate: 0.3, resetRate: 0.2, seed: 7 });
    const reasons: string[] = [];
    const delays: number[] = [];
    const sub = ps.pubsub().subscribe({
      topic: TOPIC,
      replay: { preset: "CUSTOM", replayId: resumeFrom! },
      batchSize: 5,
      maxReconnects: 50,
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
      onReconnect: (failure) => void reasons.push(failure.reason),
    });
    const events = await nextEvents(sub, 40);
    sub.close();
    expect(ids(events)).toEqual(created);
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(["pubsub.stream_dropped"]));
    // The one backoff: half the ceiling with random() = 0.5, the first attempt after a success.
    expect(delays).toContain(250);
  });

  it("takes a stream silent past the keepalive timeout for dead, and reconnects", async () => {
    // The reconnect resumes at the keepalive's replay id, which needs an event on the bus: the
    // emulator refuses the id 0 its keepalives name on an empty bus.
    await createAccounts(1, "Before silence");
    // The subscription's clock jumps while `silent`: every reading is past the timeout.
    let clock = 0;
    let silent = false;
    const reasons: string[] = [];
    let reconnected = () => {};
    const reconnect = new Promise<void>((resolve) => {
      reconnected = resolve;
    });
    const sub = ps.pubsub().subscribe({
      topic: TOPIC,
      replay: { preset: "LATEST" },
      keepaliveTimeoutMs: 400,
      now: () => {
        if (silent) clock += 1000;
        return clock;
      },
      sleep: async () => {},
      onReconnect: (failure) => {
        reasons.push(failure.message);
        silent = false;
        reconnected();
      },
    });
    const it = sub[Symbol.asyncIterator]();
    await untilKeepalive(it);
    silent = true;
    await reconnect;
    const created = await createAccounts(1, "After silence");
    expect(ids(await nextEvents(sub, 1, it))).toEqual(created);
    sub.close();
    expect(reasons).toEqual(["No event or keepalive within the keepalive timeout."]);
  });

  it("gets a new token when the session is refused, and goes on from where it was", async () => {
    const control = ps.demo.emulator.control;
    const first = await createAccounts(3, "Before expiry");
    const reasons: string[] = [];
    const sub = ps.pubsub().subscribe({
      topic: TOPIC,
      replay: { preset: "EARLIEST" },
      // Between the drop and the reconnect the session expires: the reconnect is refused.
      sleep: async () => {
        await control.clearStreamFaults();
        await control.expireSessions({ username: USERS.integration.username });
      },
      onReconnect: (failure) => void reasons.push(failure.reason),
    });
    const it = sub[Symbol.asyncIterator]();
    const seen: string[] = [];
    while (!seen.includes(first[2])) {
      const next = await it.next();
      if (!next.done && next.value.kind === "event") seen.push(next.value.event.changeHeader?.recordIds[0] ?? "");
    }
    const tokenCalls = calls(ps.demo.org, TOKEN_CALLS);
    await control.setStreamFaults({ dropRate: 1 });
    const after = await createAccounts(2, "After expiry");
    const events = await nextEvents(sub, 2, it);
    sub.close();
    expect(ids(events)).toEqual(after);
    expect(reasons).toEqual(["pubsub.stream_dropped", "pubsub.session_invalid"]);
    expect(calls(ps.demo.org, TOKEN_CALLS)).toBe(tokenCalls + 1);
  });
});

describe("a connection whose grant is revoked", () => {
  it("ends with the token lifecycle's terminal failure, not a loop of reconnects", async () => {
    const tokens = await connectUser(ps.demo);
    await ps.lifecycle.adopt("conn-revoked", tokens);
    await revokeToken({ baseUrl: ps.demo.hosts.productionLoginUrl, token: tokens.refreshToken! });
    const endpoint = ps.demo.emulator.pubsub!;
    const client = new PubSubClient({
      endpoint: endpoint.endpoint,
      tokens: ps.lifecycle.tokenProvider("conn-revoked"),
      tenantId: tokens.orgId,
      tls: { rootCertificate: endpoint.certificate },
    });
    const reasons: string[] = [];
    const sub = client.subscribe({ topic: TOPIC, onReconnect: (f) => void reasons.push(f.reason) });
    const failure = await (async () => {
      for await (const _ of sub) {
      }
    })().catch((e: unknown) => e);
    client.close();
    expect(failure).toBeInstanceOf(OAuthFailure);
    expect(failure).toMatchObject({ kind: "terminal" });
    expect(reasons).toEqual([]);
  });
});

describe("replay", () => {
  it("from a stored replay id gets exactly the events after it", async () => {
    const created = await createAccounts(6, "Replay");
    const first = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "EARLIEST" } });
    const seen: ReceivedEvent[] = [];
    for await (const item of first) {
      if (item.kind !== "event") continue;
      seen.push(item.event);
      if (item.event.changeHeader?.recordIds[0] === created[5]) break;
    }
    const stored = seen.find((e) => e.changeHeader?.recordIds[0] === created[2])!.replayId;
    const again = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "CUSTOM", replayId: stored } });
    const it = again[Symbol.asyncIterator]();
    const replayed = await nextEvents(again, 3, it);
    expect(ids(replayed)).toEqual(created.slice(3));
    // Nothing else was waiting: the next event is one written now.
    const [marker] = await createAccounts(1, "Marker");
    expect(ids(await nextEvents(again, 1, it))).toEqual([marker]);
    again.close();
  });

  it.each([
    ["malformed", async () => Buffer.from("not-a-replay-id")],
    [
      "refused by the server as corrupted",
      async () => {
        await createAccounts(1, "Valid replay id");
        const sub = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "LATEST" } });
        await untilKeepalive(sub[Symbol.asyncIterator]());
        const id = sub.lastReplayId!;
        sub.close();
        await ps.demo.emulator.control.setStreamFaults({ corruptReplayIds: 1 });
        return id;
      },
    ],
  ])("classifies a %s replay id as replay_id_invalid, without retrying", async (_name, replayId) => {
    const reasons: string[] = [];
    const sub = ps.pubsub().subscribe({
      topic: TOPIC,
      replay: { preset: "CUSTOM", replayId: await replayId() },
      onReconnect: (f) => void reasons.push(f.reason),
    });
    const failure = await (async () => {
      for await (const _ of sub) {
        // keepalives or events would mean the replay id was taken
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PubSubFailure);
    expect(failure).toMatchObject({
      reason: "pubsub.replay_id_invalid",
      retry: "never",
      grpcStatus: "INVALID_ARGUMENT",
    });
    expect(reasons).toEqual([]);
    // A refusal fault set up for the case was the one used (the id it refused was valid).
    expect((await ps.demo.emulator.control.pubsub()).faults.corruptReplayIds).toBe(0);
  });

  it("classifies a replay id past the 72-hour retention as replay_id_invalid (after a new token)", async () => {
    const [id] = await createAccounts(1, "Old");
    const sub = ps.pubsub().subscribe({ topic: TOPIC, replay: { preset: "EARLIEST" } });
    let stored: Buffer | undefined;
    for await (const item of sub) {
      if (item.kind === "event" && item.event.changeHeader?.recordIds[0] === id) {
        stored = item.event.replayId;
        break;
      }
    }
    await ps.demo.emulator.control.advanceClock(73 * 3600);
    const reasons: string[] = [];
    const late = ps.pubsub().subscribe({
      topic: TOPIC,
      replay: { preset: "CUSTOM", replayId: stored! },
      onReconnect: (f) => void reasons.push(f.reason),
    });
    const failure = await (async () => {
      for await (const _ of late) {
      }
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ reason: "pubsub.replay_id_invalid" });
    // The clock moved past the session's timeout too: the session error came first and was fixed.
    expect(reasons).toEqual(["pubsub.session_invalid"]);
  });
});
