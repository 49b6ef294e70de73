import { afterEach, describe, expect, it, vi } from "vitest";
import { ChangeEventSchema } from "../src/events/change-schema.ts";
import { EventBus, RETENTION_MS, replayIdBytes } from "../src/events/event-bus.ts";
import { accountObject } from "../src/schema/standard-objects.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the change event schema's bitmaps", () => {
  const schema = new ChangeEventSchema(accountObject());
  const fields = JSON.parse(schema.json).fields as Array<{ name: string; type: unknown }>;
  const at = (name: string) => fields.findIndex((f) => f.name === name);

  it.each([
    { names: [], want: [] },
    { names: ["Name"], want: [`0x${(1n << BigInt(at("Name"))).toString(16).toUpperCase()}`] },
    {
      names: ["Name", "Phone"],
      want: [`0x${((1n << BigInt(at("Name"))) | (1n << BigInt(at("Phone")))).toString(16).toUpperCase()}`],
    },
    { names: ["BillingCity"], want: ["0x0", `${at("BillingAddress")}-0x2`] },
    {
      names: ["ShippingStreet", "BillingCity", "BillingStreet"],
      want: ["0x0", `${at("BillingAddress")}-0x3`, `${at("ShippingAddress")}-0x1`],
    },
  ])("encodes $names as $want", ({ names, want }) => {
    expect(schema.bitmaps(names)).toEqual(want);
  });

  it.each([[[]], [["Name"]], [["Name", "Phone", "LastModifiedDate"]], [["BillingCity", "ShippingStreet", "Name"]]])(
    "reads %j back from its bitmaps",
    (names) => {
      expect(schema.names(schema.bitmaps(names)).sort()).toEqual([...names].sort());
    },
  );

  it("puts the header first, leaves out the id and system-only fields, and nests addresses", () => {
    expect(fields[0].name).toBe("ChangeEventHeader");
    const names = fields.map((f) => f.name);
    for (const left of ["Id", "IsDeleted", "SystemModstamp", "BillingCity"]) expect(names).not.toContain(left);
    expect(names).toContain("LastModifiedDate");
    expect(fields[at("ShippingAddress")].type).toEqual(["null", "Address"]);
  });
});

describe("the event bus's start points", () => {
  const make = (now: () => number) => new EventBus(now);

  it("starts LATEST at the tip, EARLIEST at the oldest retained, CUSTOM after the id given", () => {
    let now = 1_000_000;
    const bus = make(() => now);
    const a = bus.publish(["/t"], "Account", "s", Buffer.alloc(0));
    const b = bus.publish(["/t"], "Account", "s", Buffer.alloc(0));
    expect(bus.startPoint("LATEST")).toEqual({ ok: true, after: b.replayId });
    expect(bus.startPoint("EARLIEST")).toEqual({ ok: true, after: a.replayId - 1 });
    expect(bus.startPoint("CUSTOM", replayIdBytes(a.replayId))).toEqual({ ok: true, after: a.replayId });
    expect(bus.startPoint("CUSTOM", Buffer.from("short"))).toEqual({ ok: false, reason: "corrupted" });
    expect(bus.startPoint("CUSTOM", replayIdBytes(b.replayId + 1))).toEqual({ ok: false, reason: "corrupted" });
    now += RETENTION_MS - 1;
    expect(bus.startPoint("CUSTOM", replayIdBytes(a.replayId))).toEqual({ ok: true, after: a.replayId });
    now += 2;
    expect(bus.startPoint("CUSTOM", replayIdBytes(a.replayId))).toEqual({ ok: false, reason: "expired" });
    expect(bus.startPoint("EARLIEST")).toEqual({ ok: true, after: b.replayId });
    expect(bus.retained).toBe(0);
    // The last purged event is gone too: resuming from it is refused like any expired id.
    expect(bus.startPoint("CUSTOM", replayIdBytes(bus.latestReplayId))).toEqual({ ok: false, reason: "expired" });
  });

  it("resumes from the replay id a keepalive names on a bus that never had an event", () => {
    const bus = make(() => 0);
    expect(bus.startPoint("CUSTOM", replayIdBytes(bus.latestReplayId))).toEqual({
      ok: true,
      after: bus.latestReplayId,
    });
    expect(bus.startPoint("CUSTOM", replayIdBytes(bus.latestReplayId - 1))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses, after a restart, a replay id the earlier bus gave", () => {
    const spy = vi.spyOn(Date, "now").mockReturnValue(1_800_000_000_000);
    const before = make(() => 0);
    const old = before.publish(["/t"], "Account", "s", Buffer.alloc(0));
    spy.mockReturnValue(1_800_000_005_000);
    const after = make(() => 0);
    after.publish(["/t"], "Account", "s", Buffer.alloc(0));
    expect(after.startPoint("CUSTOM", replayIdBytes(old.replayId))).toEqual({ ok: false, reason: "expired" });
    expect(after.startPoint("CUSTOM", replayIdBytes(0))).toEqual({ ok: false, reason: "expired" });
  });
});
