import { Metadata, status } from "@grpc/grpc-js";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import { bitmapFieldNames, decodeEvent, eventSchema, pubSubFailureFrom, SchemaCache, setBits } from "../src/index.ts";

/** A change event schema shaped as Salesforce publishes them: header first, nullable fields, a nested address. */
const ADDRESS = {
  type: "record",
  name: "Address",
  fields: ["Street", "City", "State", "PostalCode", "Country"].map((name) => ({
    name,
    type: ["null", "string"],
    default: null,
  })),
};
const SCHEMA = {
  type: "record",
  name: "AccountChangeEvent",
  namespace: "com.sforce.eventbus",
  fields: [
    {
      name: "ChangeEventHeader",
      type: {
        type: "record",
        name: "ChangeEventHeader",
        fields: [
          { name: "entityName", type: "string" },
          { name: "recordIds", type: { type: "array", items: "string" } },
          { name: "changeType", type: "string" },
          { name: "changedFields", type: { type: "array", items: "string" } },
          { name: "nulledFields", type: { type: "array", items: "string" } },
          { name: "diffFields", type: { type: "array", items: "string" } },
        ],
      },
    },
    { name: "Name", type: ["null", "string"], default: null },
    { name: "Phone", type: ["null", "string"], default: null },
    { name: "BillingAddress", type: ["null", ADDRESS], default: null },
    { name: "ShippingAddress", type: ["null", "Address"], default: null },
    { name: "Industry", type: ["null", "string"], default: null },
  ],
};

describe("bitmap field lists", () => {
  it.each([
    [[], []],
    [["0x2"], ["Name"]],
    [["0x6"], ["Name", "Phone"]],
    [["0x22"], ["Name", "Industry"]],
    [
      ["0x8", "3-0x2"],
      ["BillingAddress", "BillingAddress.City"],
    ],
    [
      ["0x0", "3-0x3", "4-0x10"],
      ["BillingAddress.Street", "BillingAddress.City", "ShippingAddress.Country"],
    ],
    [["0x4"], ["Phone"]],
    // Streaming API (CometD) sends names: they pass through.
    [["Name"], ["Name"]],
    // Bits past the schema (a newer field the schema lacks) and unknown compounds name nothing.
    [["0x100", "9-0x1"], []],
  ])("%j reads as %j", (bitmaps, names) => {
    expect(bitmapFieldNames(bitmaps, SCHEMA)).toEqual(names);
  });

  it("reads bits from the lowest, past 32 and 64 fields", () => {
    expect(setBits("0x650004E0")).toEqual([5, 6, 7, 10, 24, 26, 29, 30]);
    expect(setBits(`0x1${"0".repeat(17)}`)).toEqual([68]);
  });
});

describe("decoding", () => {
  it("decodes a payload and names the header's bitmaps with the event's schema", () => {
    const type = avro.Type.forSchema(SCHEMA as avro.Schema, { wrapUnions: false });
    const payload = type.toBuffer({
      ChangeEventHeader: {
        entityName: "Account",
        recordIds: ["001000000000001AAA"],
        changeType: "UPDATE",
        changedFields: ["0x4", "3-0x2"],
        nulledFields: ["0x4"],
        diffFields: [],
      },
      Name: null,
      Phone: null,
      BillingAddress: { Street: null, City: "Lyon", State: null, PostalCode: null, Country: null },
      ShippingAddress: null,
      Industry: null,
    });
    const event = decodeEvent(eventSchema("s1", JSON.stringify(SCHEMA)), {
      replayId: Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]),
      id: "e1",
      payload,
    });
    expect(event.changeHeader).toMatchObject({
      changeType: "UPDATE",
      changedFields: ["Phone", "BillingAddress.City"],
      nulledFields: ["Phone"],
      diffFields: [],
    });
    expect((event.payload.BillingAddress as { City: string }).City).toBe("Lyon");
  });

  it("asks for each schema id once, and again after a failed call", async () => {
    const asked: string[] = [];
    let failNext = true;
    const cache = new SchemaCache(async (schemaId) => {
      asked.push(schemaId);
      if (schemaId === "bad" && failNext) {
        failNext = false;
        throw new Error("unavailable");
      }
      return { schemaId, schemaJson: JSON.stringify(SCHEMA) };
    });
    await Promise.all([cache.get("a"), cache.get("a"), cache.get("b")]);
    await cache.get("a");
    await expect(cache.get("bad")).rejects.toThrow("unavailable");
    await cache.get("bad");
    expect(asked).toEqual(["a", "b", "bad", "bad"]);
  });
});

describe("Pub/Sub failures through the error table", () => {
  const failure = (code: status, details: string, errorCode?: string) => {
    const metadata = new Metadata();
    if (errorCode) metadata.set("error-code", errorCode);
    return pubSubFailureFrom({ code, details, metadata });
  };

  it.each([
    [
      status.UNAUTHENTICATED,
      "",
      "sfdc.platform.eventbus.grpc.service.auth.error",
      "pubsub.session_invalid",
      "refresh-then-retry",
    ],
    [status.UNAUTHENTICATED, "", undefined, "pubsub.session_invalid", "refresh-then-retry"],
    [
      status.INVALID_ARGUMENT,
      "The Replay ID validation failed.",
      "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
      "pubsub.replay_id_invalid",
      "never",
    ],
    [status.INVALID_ARGUMENT, "The Replay ID validation failed.", undefined, "pubsub.replay_id_invalid", "never"],
    [status.INVALID_ARGUMENT, "num_requested must be positive", undefined, "pubsub.request_invalid", "never"],
    [status.UNAVAILABLE, "dropped", undefined, "pubsub.stream_dropped", "backoff"],
    [status.INTERNAL, "Received RST_STREAM with code 2", undefined, "pubsub.stream_dropped", "backoff"],
    [status.RESOURCE_EXHAUSTED, "", undefined, "pubsub.rate_limited", "backoff"],
    [status.PERMISSION_DENIED, "", undefined, "pubsub.permission_missing", "never"],
    [status.NOT_FOUND, "The topic '/data/X' doesn't exist", undefined, "pubsub.topic_not_found", "never"],
    [status.DATA_LOSS, "", "sfdc.some.new.code", "pubsub.unavailable", "backoff"],
  ])("status %s %j (%s) is %s", (code, details, errorCode, reason, retry) => {
    expect(failure(code, details, errorCode)).toMatchObject({ reason, retry });
  });
});
