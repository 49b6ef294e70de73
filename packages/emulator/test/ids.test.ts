import { describe, expect, it } from "vitest";
import { checksum, IdFactory, normalizeId, to18 } from "../src/ids.ts";

describe("record ids", () => {
  it.each([
    ["00D000000000062", "EAA"],
    ["001A0000006Vm9r", "IAC"],
    ["005000000000000", "AAA"],
    ["a0BZZZZZZZZZZZZ", "255"],
  ])("checksum of %s is %s", (id15, suffix) => {
    expect(checksum(id15)).toBe(suffix);
    expect(to18(id15)).toBe(id15 + suffix);
  });

  it.each([
    ["001A0000006Vm9r", "001A0000006Vm9rIAC"],
    ["001A0000006Vm9rIAC", "001A0000006Vm9rIAC"],
    ["001a0000006vm9riac", "001A0000006Vm9rIAC"],
    ["001A0000006VM9RIAC", "001A0000006Vm9rIAC"],
    ["not-an-id", undefined],
    ["001A0000006Vm9", undefined],
    ["001A0000006Vm9rI$C", undefined],
  ])("normalizes %s", (input, expected) => {
    expect(normalizeId(input)).toBe(expected);
  });

  it("mints increasing ids per key prefix, after ids it has seen", () => {
    const ids = new IdFactory();
    const a = ids.next("001");
    const b = ids.next("001");
    expect(a < b).toBe(true);
    expect(a.slice(0, 3)).toBe("001");
    expect(normalizeId(a)).toBe(a);
    ids.observe("001Dm0000000ZZZ");
    expect(ids.next("001").slice(0, 15) > "001Dm0000000ZZZ").toBe(true);
    expect(ids.next("003").slice(6, 15)).toBe("000000001");
  });
});
