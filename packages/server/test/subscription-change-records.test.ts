import type { ChangeEventHeader } from "@forcelink/salesforce";
import { describe, expect, it } from "vitest";
import { ChangeBatch, changeOutcome } from "../src/subscriptions/change-records.ts";
import { readVersion } from "../src/subscriptions/subscriber.ts";
import type { ObjectSchema } from "../src/sync/destinations/destination.ts";

const SCHEMA: ObjectSchema = {
  name: "Account",
  fields: [
    { name: "Id", type: "id" },
    { name: "Name", type: "string" },
    { name: "Industry", type: "picklist" },
    { name: "BillingCity", type: "string" },
    { name: "AnnualRevenue", type: "currency" },
    { name: "LastModifiedDate", type: "datetime" },
    { name: "SystemModstamp", type: "datetime" },
  ],
};

const COMMIT = Date.parse("2026-12-03T08:00:01.234Z");

function header(changeType: string, recordIds: string[], changed: string[] = [], nulled: string[] = []) {
  return {
    entityName: "Account",
    recordIds,
    changeType,
    changeOrigin: "",
    transactionKey: "t",
    sequenceNumber: 1,
    commitTimestamp: COMMIT,
    commitNumber: 1,
    commitUser: "005",
    changedFields: changed,
    nulledFields: nulled,
    diffFields: [],
  } satisfies ChangeEventHeader;
}

describe("change events as the destinations take them", () => {
  it("splits a merged create into one full record per id, stamped with the commit", () => {
    const out = changeOutcome(
      header("CREATE", ["001A", "001B"]),
      { ChangeEventHeader: {}, Name: "Acme", Industry: null, BillingAddress: { City: "Paris", Street: null } },
      SCHEMA,
    );
    expect(out).toEqual({
      kind: "records",
      deletes: [],
      upserts: ["001A", "001B"].map((Id) => ({
        Id,
        Name: "Acme",
        BillingCity: "Paris",
        SystemModstamp: "2026-12-03T08:00:01.234Z",
      })),
    });
  });

  it("gives an update's changed and nulled fields only, the datetime as ISO", () => {
    const out = changeOutcome(
      header("UPDATE", ["001A"], ["Name", "LastModifiedDate", "BillingAddress.City"], ["Industry"]),
      { Name: "New", LastModifiedDate: COMMIT, Industry: null, AnnualRevenue: 5, BillingAddress: { City: "Lyon" } },
      SCHEMA,
    );
    expect(out).toEqual({
      kind: "records",
      deletes: [],
      upserts: [
        {
          Id: "001A",
          Name: "New",
          LastModifiedDate: "2026-12-03T08:00:01.234Z",
          BillingCity: "Lyon",
          Industry: null,
          SystemModstamp: "2026-12-03T08:00:01.234Z",
        },
      ],
    });
  });

  it("turns deletes into soft deletes at the commit, and gap and overflow events into reads", () => {
    expect(changeOutcome(header("DELETE", ["001A", "001B"]), {}, SCHEMA)).toEqual({
      kind: "records",
      upserts: [],
      deletes: [
        { id: "001A", deletedAt: "2026-12-03T08:00:01.234Z" },
        { id: "001B", deletedAt: "2026-12-03T08:00:01.234Z" },
      ],
    });
    expect(changeOutcome(header("GAP_UPDATE", ["001A"]), {}, SCHEMA)).toEqual({ kind: "gap", recordIds: ["001A"] });
    expect(changeOutcome(header("GAP_OVERFLOW", []), {}, SCHEMA)).toEqual({ kind: "overflow" });
  });

  it("versions a record read by query within its SystemModstamp second, never after the read began", () => {
    const read = Date.parse("2026-12-03T08:00:01.500Z");
    expect(readVersion("2026-12-03T08:00:01.000Z", read)).toBe("2026-12-03T08:00:01.500Z");
    expect(readVersion("2026-12-03T08:00:00.000Z", read)).toBe("2026-12-03T08:00:00.999Z");
    // A server clock behind the org's: never earlier than the record's own stamp.
    expect(readVersion("2026-12-03T08:00:05.000Z", read)).toBe("2026-12-03T08:00:05.000Z");
    expect(readVersion(null, read)).toBeNull();
  });
  it("gathers consecutive events per record: later fields win, and a deletion after an upsert waits for a new batch", () => {
    const batch = new ChangeBatch();
    const at = (ms: number) => new Date(COMMIT + ms).toISOString();
    expect(
      batch.add({ kind: "records", upserts: [{ Id: "001A", Name: "Acme", SystemModstamp: at(0) }], deletes: [] }),
    ).toBe(true);
    expect(
      batch.add({
        kind: "records",
        upserts: [
          { Id: "001A", Industry: null, SystemModstamp: at(5) },
          { Id: "001B", Name: "Beta", SystemModstamp: at(5) },
        ],
        deletes: [],
      }),
    ).toBe(true);
    expect(batch.add({ kind: "records", upserts: [], deletes: [{ id: "001C", deletedAt: at(6) }] })).toBe(true);
    // 001B deleted, or 001C brought back, after their change in this batch: not in the same delivery.
    expect(batch.add({ kind: "records", upserts: [], deletes: [{ id: "001B", deletedAt: at(7) }] })).toBe(false);
    expect(
      batch.add({ kind: "records", upserts: [{ Id: "001C", Name: "Back", SystemModstamp: at(7) }], deletes: [] }),
    ).toBe(false);
    expect(batch.take()).toEqual({
      upserts: [
        { Id: "001A", Name: "Acme", Industry: null, SystemModstamp: at(5) },
        { Id: "001B", Name: "Beta", SystemModstamp: at(5) },
      ],
      deletes: [{ id: "001C", deletedAt: at(6) }],
      records: 4,
    });
    expect(batch.empty).toBe(true);
    expect(batch.add({ kind: "records", upserts: [], deletes: [{ id: "001B", deletedAt: at(7) }] })).toBe(true);
    expect(batch.take()).toEqual({ upserts: [], deletes: [{ id: "001B", deletedAt: at(7) }], records: 1 });
  });
});
