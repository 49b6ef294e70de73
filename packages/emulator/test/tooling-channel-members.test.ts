import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineObject, field } from "../src/schema/field-builders.ts";
import { changeEventSource, exceedsAllocation } from "../src/tooling/channel-members.ts";
import type { Harness } from "./bulk-harness.ts";
import { startHarness } from "./bulk-harness.ts";

let h: Harness;

const member = (entity: string, channel = "ChangeEvents") => ({
  FullName: `${channel}_${entity}`,
  Metadata: { eventChannel: channel, selectedEntity: entity },
});

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe("PlatformEventChannelMember through the Tooling API", () => {
  it("creates a member, reads it back with Metadata as an object, finds it by query, deletes it", async () => {
    const created = await h.api.send(
      "POST",
      "/tooling/sobjects/PlatformEventChannelMember",
      member("AccountChangeEvent"),
    );
    expect(created.status).toBe(201);
    const body = created.json();
    expect(body).toEqual({ id: body.id, success: true, errors: [], warnings: [], infos: [] });
    expect(body.id).toMatch(/^0v8[A-Za-z0-9]{15}$/);
    expect(created.headers.get("location")).toBe(
      `/services/data/v67.0/tooling/sobjects/PlatformEventChannelMember/${body.id}`,
    );

    const read = (await h.api.send("GET", `/tooling/sobjects/PlatformEventChannelMember/${body.id}`)).json();
    expect(read).toMatchObject({
      attributes: {
        type: "PlatformEventChannelMember",
        url: `/services/data/v67.0/tooling/sobjects/PlatformEventChannelMember/${body.id}`,
      },
      Id: body.id,
      DeveloperName: "ChangeEvents_AccountChangeEvent",
      FullName: "ChangeEvents_AccountChangeEvent",
      EventChannel: "ChangeEvents",
      SelectedEntity: "AccountChangeEvent",
      CreatedById: h.adminId,
      Metadata: {
        eventChannel: "ChangeEvents",
        selectedEntity: "AccountChangeEvent",
        enrichedFields: [],
        filterExpression: null,
        urls: null,
      },
    });
    const stored = h.org.store.tableOrThrow("PlatformEventChannelMember").get(body.id)!;
    expect(JSON.parse(stored.Metadata as string)).toEqual({
      eventChannel: "ChangeEvents",
      selectedEntity: "AccountChangeEvent",
      enrichedFields: [],
      filterExpression: null,
    });

    const q = encodeURIComponent(
      "SELECT Id, DeveloperName, EventChannel, SelectedEntity FROM PlatformEventChannelMember",
    );
    const queried = (await h.api.send("GET", `/tooling/query?q=${q}`)).json();
    expect(
      queried.records.map((r: Record<string, string>) => [r.Id, r.DeveloperName, r.EventChannel, r.SelectedEntity]),
    ).toEqual([[body.id, "ChangeEvents_AccountChangeEvent", "ChangeEvents", "AccountChangeEvent"]]);

    expect((await h.api.send("DELETE", `/tooling/sobjects/PlatformEventChannelMember/${body.id}`)).status).toBe(204);
    expect(h.org.store.tableOrThrow("PlatformEventChannelMember").get(body.id)).toBeUndefined();
    expect((await h.api.send("GET", `/tooling/sobjects/PlatformEventChannelMember/${body.id}`)).status).toBe(404);
  });

  it("selects a custom object's change event as Foo__ChangeEvent", async () => {
    h.org.store.define(defineObject("Foo__c", "a00", [field("Name", "string", { nameField: true })]));
    const ok = await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("Foo__ChangeEvent"));
    expect(ok.status).toBe(201);
    const wrong = await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("Foo__cChangeEvent"));
    expect([wrong.status, wrong.json()[0].errorCode]).toEqual([400, "FIELD_INTEGRITY_EXCEPTION"]);
    const missing = await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("NopeChangeEvent"));
    expect([missing.status, missing.json()[0].errorCode]).toEqual([400, "FIELD_INTEGRITY_EXCEPTION"]);
    const channel = await h.api.send(
      "POST",
      "/tooling/sobjects/PlatformEventChannelMember",
      member("ContactChangeEvent", "Nowhere"),
    );
    expect([channel.status, channel.json()[0].errorCode]).toEqual([400, "FIELD_INTEGRITY_EXCEPTION"]);
  });

  it("refuses a duplicate member", async () => {
    const first = await h.api.send(
      "POST",
      "/tooling/sobjects/PlatformEventChannelMember",
      member("ContactChangeEvent"),
    );
    const again = await h.api.send(
      "POST",
      "/tooling/sobjects/PlatformEventChannelMember",
      member("ContactChangeEvent"),
    );
    expect(again.status).toBe(400);
    expect(again.json()).toEqual([
      {
        errorCode: "DUPLICATE_VALUE",
        message: `duplicate value found: DeveloperName duplicates value on record with id: ${first.json().id}`,
        fields: ["DeveloperName"],
      },
    ]);
  });

  it("stops at the org's Change Data Capture allocation", async () => {
    h.org.settings.cdcEntityAllocation = 2;
    for (const entity of ["AccountChangeEvent", "ContactChangeEvent"]) {
      expect((await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member(entity))).status).toBe(
        201,
      );
    }
    const third = await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("LeadChangeEvent"));
    expect(third.status).toBe(400);
    expect(third.json()[0].errorCode).toBe("LIMIT_EXCEEDED");
    expect(third.json()[0].message).toContain("allocation of 2 selected entities");
    // An entity already selected takes no more allocation in another channel.
    const sameEntity = await h.api.send(
      "POST",
      "/tooling/sobjects/PlatformEventChannelMember",
      member("AccountChangeEvent", "Sales__chn"),
    );
    expect(sameEntity.status).toBe(201);
    expect(h.org.store.tableOrThrow("PlatformEventChannelMember").size).toBe(3);
  });

  it("needs Customize Application to create and View Setup to read", async () => {
    const created = (
      await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("AccountChangeEvent"))
    ).json();
    h.admin.permissionSet("SetupViewer", ["ViewSetup"]);
    const viewer = h.admin.user({
      username: "viewer@example.com",
      password: "pw-123456",
      profile: "Standard User",
      permissionSets: ["SetupViewer"],
    });
    const plain = h.admin.user({ username: "plain@example.com", password: "pw-123456", profile: "Standard User" });

    const refused = await h
      .apiFor(viewer.Id)
      .send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("ContactChangeEvent"));
    expect([refused.status, refused.json()[0].errorCode]).toEqual([403, "INSUFFICIENT_ACCESS"]);
    const readable = await h
      .apiFor(viewer.Id)
      .send("GET", `/tooling/sobjects/PlatformEventChannelMember/${created.id}`);
    expect([readable.status, readable.json().SelectedEntity]).toEqual([200, "AccountChangeEvent"]);
    const undeletable = await h
      .apiFor(viewer.Id)
      .send("DELETE", `/tooling/sobjects/PlatformEventChannelMember/${created.id}`);
    expect([undeletable.status, undeletable.json()[0].errorCode]).toEqual([403, "INSUFFICIENT_ACCESS"]);

    const hidden = await h.apiFor(plain.Id).send("GET", `/tooling/sobjects/PlatformEventChannelMember/${created.id}`);
    expect([hidden.status, hidden.json()[0].errorCode]).toEqual([403, "INSUFFICIENT_ACCESS"]);
    expect((await h.apiFor(plain.Id).send("GET", "/tooling/sobjects")).json().sobjects).toEqual([]);
    expect(h.org.store.tableOrThrow("PlatformEventChannelMember").size).toBe(1);
  });

  it("updates enrichment and filter, never the channel or the entity", async () => {
    const id = (
      await h.api.send("POST", "/tooling/sobjects/PlatformEventChannelMember", member("AccountChangeEvent"))
    ).json().id;
    const path = `/tooling/sobjects/PlatformEventChannelMember/${id}`;
    const moved = await h.api.send("PATCH", path, {
      Metadata: { eventChannel: "ChangeEvents", selectedEntity: "ContactChangeEvent" },
    });
    expect([moved.status, moved.json()[0].errorCode, moved.json()[0].fields]).toEqual([
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      ["SelectedEntity"],
    ]);
    const direct = await h.api.send("PATCH", path, { EventChannel: "Other__chn" });
    expect([direct.status, direct.json()[0].fields]).toEqual([400, ["EventChannel"]]);
    const filtered = await h.api.send("PATCH", path, {
      Metadata: { filterExpression: "Industry = 'Energy'", enrichedFields: [{ name: "Name" }] },
    });
    expect(filtered.status).toBe(204);
    const read = (await h.api.send("GET", path)).json();
    expect(read.Metadata).toEqual({
      eventChannel: "ChangeEvents",
      selectedEntity: "AccountChangeEvent",
      enrichedFields: [{ name: "Name" }],
      filterExpression: "Industry = 'Energy'",
      urls: null,
    });
    expect([read.SelectedEntity, read.FilterExpression]).toEqual(["AccountChangeEvent", "Industry = 'Energy'"]);
  });

  it("describes the Tooling objects with Tooling URLs", async () => {
    const global = (await h.api.send("GET", "/tooling/sobjects")).json();
    const pecm = global.sobjects.find((s: { name: string }) => s.name === "PlatformEventChannelMember");
    expect(pecm).toMatchObject({ keyPrefix: "0v8", createable: true, queryable: true });
    expect(pecm.urls.describe).toBe("/services/data/v67.0/tooling/sobjects/PlatformEventChannelMember/describe");
    expect(global.sobjects.some((s: { name: string }) => s.name === "Account")).toBe(false);
    const describe = (await h.api.send("GET", "/tooling/sobjects/PlatformEventChannelMember/describe")).json();
    expect(describe.fields.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(["DeveloperName", "EventChannel", "SelectedEntity", "Metadata"]),
    );
    expect(describe.fields.find((f: { name: string }) => f.name === "SelectedEntity").updateable).toBe(false);
    expect((await h.api.send("GET", "/tooling/sobjects/Account/describe")).status).toBe(404);
    expect(
      (await h.api.withVersion("v46.0").send("GET", "/tooling/sobjects/PlatformEventChannelMember/describe")).status,
    ).toBe(404);
  });
});

describe("channel member rules", () => {
  it.each([
    ["AccountChangeEvent", "Account"],
    ["Foo__ChangeEvent", "Foo__c"],
    ["ns__Foo__ChangeEvent", "ns__Foo__c"],
    ["Account", undefined],
    ["ChangeEvent", undefined],
    ["Foo__cChangeEvent", undefined],
  ])("%s stands for %s", (entity, source) => {
    expect(changeEventSource(entity)).toBe(source);
  });

  it.each([
    [[], "accountchangeevent", 5, false],
    [["a", "b", "c", "d"], "e", 5, false],
    [["a", "b", "c", "d", "e"], "f", 5, true],
    [["a", "b", "c", "d", "e"], "A", 5, false],
    [[], "a", 0, true],
  ])("selected %j + %s within %d → exceeds %s", (selected, entity, allocation, exceeds) => {
    expect(exceedsAllocation(new Set(selected), entity, allocation)).toBe(exceeds);
  });
});
