import { describe, expect, it } from "vitest";
import { eachRecord, type RowGroup, toRowGroups } from "../src/persist/row-shapes.ts";
import type { StoredRecord } from "../src/store/record-store.ts";

/** Writes records as a snapshot frame does (through JSON) and builds them back as loading does. */
function roundTrip(records: StoredRecord[]): StoredRecord[] {
  const groups = JSON.parse(JSON.stringify(toRowGroups(records))) as RowGroup[];
  const cache = new Map();
  const out: StoredRecord[] = [];
  for (const g of groups) eachRecord(g, cache, (r) => out.push(r));
  return out;
}

describe("snapshot rows", () => {
  it("come back equal, field order included, whatever their shapes and values", () => {
    const records: StoredRecord[] = [];
    for (let i = 0; i < 100; i++) {
      records.push({
        Id: `001Dm00000000${String(i).padStart(3, "0")}AAA`,
        Name: `Account ${i}`,
        OwnerId: "005Dm0000000001AAA",
        CreatedDate: 1_700_000_000_000 + (i % 3) * 1000,
        Industry: i % 2 ? "Energy" : null,
        IsDeleted: i % 5 === 0,
        ...(i % 10 === 0 ? { BillingAddress: { city: "Lyon", country: null } } : {}),
      });
    }
    records.push({ Id: "a01Dm0000000001AAA", Weird__c: undefined, "Odd-Name": 1, __proto__x: "y" } as StoredRecord);
    const back = roundTrip(records);
    const expected = records.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
    expect(back).toEqual(expected);
    expect(back.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)));
  });

  it("write repeated values once per frame: owners, timestamps of one second, picklists", () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({
      Id: `001Dm0000000${String(i).padStart(4, "0")}AAA`,
      OwnerId: "005Dm0000000001AAA",
      Industry: ["Energy", "Banking"][i % 2],
    }));
    const [group] = toRowGroups(records);
    expect(Object.keys(group.dicts ?? {})).toEqual(["1", "2"]);
    expect(group.dicts?.[1]).toEqual(["005Dm0000000001AAA"]);
    expect(JSON.stringify(group).length).toBeLessThan(JSON.stringify(records).length / 2);
  });

  it("of snapshots written one array per record (before column groups) still load", () => {
    const group: RowGroup = {
      columns: ["Id", "Name", "OwnerId"],
      dicts: { 2: ["005Dm0000000001AAA"] },
      rows: [
        ["001Dm0000000001AAA", "First", 0],
        ["001Dm0000000002AAA", "Second", 0],
      ],
    };
    const out: StoredRecord[] = [];
    expect(eachRecord(group, new Map(), (r) => out.push(r))).toBe(2);
    expect(out).toEqual([
      { Id: "001Dm0000000001AAA", Name: "First", OwnerId: "005Dm0000000001AAA" },
      { Id: "001Dm0000000002AAA", Name: "Second", OwnerId: "005Dm0000000001AAA" },
    ]);
  });
});
