import { beforeEach, describe, expect, it } from "vitest";
import { normalizeId } from "../src/ids.ts";
import { queryLocators } from "../src/soql/locators.ts";
import { batchSizeOf, firstPage, nextPage } from "../src/soql/query-pages.ts";
import { query, type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
beforeEach(() => {
  s = seededOrg();
  const ctx = s.org.writeContext(s.adminUser.Id);
  for (let i = 0; i < 996; i++) s.org.store.insert("Account", { Name: `Bulk ${String(i).padStart(4, "0")}` }, ctx);
});

const locatorOf = (url: string | undefined) => url?.split("/").pop() ?? "";

function openCursor(userId = s.adminUser.Id, batch = 300) {
  const result = query(s, "SELECT Id FROM Account", { as: userId });
  return firstPage(s.org, userId, result, batch, "query", "67.0");
}

function expectInvalid(fn: () => unknown) {
  expect(fn).toThrow(
    expect.objectContaining({ status: 400, errorCode: "INVALID_QUERY_LOCATOR", message: "invalid query locator" }),
  );
}

describe("query pages and locators", () => {
  it("reads Sforce-Query-Options batchSize within 200..2000", () => {
    expect([undefined, "batchSize=500", "batchSize = 100", "batchSize=5000", "foo=1"].map(batchSizeOf)).toEqual([
      undefined,
      500,
      200,
      2000,
      undefined,
    ]);
  });

  it("pages through every row once, then frees the locator", () => {
    const first = openCursor();
    expect(first).toMatchObject({ totalSize: 1000, done: false });
    expect(first.nextRecordsUrl).toMatch(/^\/services\/data\/v67\.0\/query\/01g[A-Za-z0-9]{15}-300$/);
    const id = locatorOf(first.nextRecordsUrl).split("-")[0];
    expect(normalizeId(id)).toBe(id);
    const seen = first.records.map((r) => r.Id);
    let page = first;
    const sizes = [page.records.length];
    while (page.nextRecordsUrl) {
      page = nextPage(s.org, s.adminUser.Id, locatorOf(page.nextRecordsUrl), undefined, "67.0");
      expect(page.totalSize).toBe(1000);
      sizes.push(page.records.length);
      seen.push(...page.records.map((r) => r.Id));
    }
    expect(sizes).toEqual([300, 300, 300, 100]);
    expect(page.done).toBe(true);
    expect(seen).toEqual(query(s, "SELECT Id FROM Account").records.map((r) => r.Id));
    expect(queryLocators(s.org).size).toBe(0);
    expectInvalid(() => nextPage(s.org, s.adminUser.Id, `${id}-900`, undefined, "67.0"));
  });

  it("serves the page it prepared ahead only while nothing was written since", async () => {
    const userId = s.adminUser.Id;
    const first = firstPage(s.org, userId, query(s, "SELECT Id, Name FROM Account"), 300, "query", "67.0");
    const second = nextPage(s.org, userId, locatorOf(first.nextRecordsUrl), undefined, "67.0");
    // The third page is prepared after the second is answered; then a row in it changes.
    await new Promise((resolve) => setImmediate(resolve));
    const target = String(query(s, "SELECT Id FROM Account").records[650].Id);
    s.org.store.update("Account", target, { Name: "Changed after" }, s.org.writeContext(userId));
    const third = nextPage(s.org, userId, locatorOf(second.nextRecordsUrl), undefined, "67.0");
    expect(third.records.find((r) => r.Id === target)?.Name).toBe("Changed after");
    // Prepared ahead with nothing written since: the same page as one made on demand.
    await new Promise((resolve) => setImmediate(resolve));
    const last = nextPage(s.org, userId, locatorOf(third.nextRecordsUrl), undefined, "67.0");
    const all = query(s, "SELECT Id, Name FROM Account").records;
    expect(last.records.map((r) => [r.Id, r.Name])).toEqual(all.slice(900).map((r) => [r.Id, r.Name]));
  });

  it("answers a small result in one page without a locator", () => {
    const result = query(s, "SELECT Id FROM Account LIMIT 200");
    expect(firstPage(s.org, s.adminUser.Id, result, 200, "query", "67.0")).toMatchObject({
      totalSize: 200,
      done: true,
    });
    expect(queryLocators(s.org).size).toBe(0);
  });

  it("belongs to the user who opened it", () => {
    const page = openCursor();
    expectInvalid(() => nextPage(s.org, s.standardUser.Id, locatorOf(page.nextRecordsUrl), undefined, "67.0"));
    expect(nextPage(s.org, s.adminUser.Id, locatorOf(page.nextRecordsUrl), undefined, "67.0").records).toHaveLength(
      300,
    );
  });

  it("expires after the idle time, counted from the last use", () => {
    const ttl = s.org.settings.locatorTtlSeconds * 1000;
    const page = openCursor();
    s.org.clock.advance(ttl - 1000);
    const second = nextPage(s.org, s.adminUser.Id, locatorOf(page.nextRecordsUrl), undefined, "67.0");
    s.org.clock.advance(ttl - 1000);
    const third = nextPage(s.org, s.adminUser.Id, locatorOf(second.nextRecordsUrl), undefined, "67.0");
    s.org.clock.advance(ttl + 1000);
    expectInvalid(() => nextPage(s.org, s.adminUser.Id, locatorOf(third.nextRecordsUrl), undefined, "67.0"));
  });

  it("keeps at most maxOpenLocatorsPerUser per user, dropping the oldest", () => {
    s.org.settings.maxOpenLocatorsPerUser = 2;
    const others = openCursor(s.standardUser.Id);
    const [a, b, c] = [openCursor(), openCursor(), openCursor()];
    expectInvalid(() => nextPage(s.org, s.adminUser.Id, locatorOf(a.nextRecordsUrl), undefined, "67.0"));
    for (const p of [b, c])
      expect(nextPage(s.org, s.adminUser.Id, locatorOf(p.nextRecordsUrl), undefined, "67.0").records).toHaveLength(300);
    expect(
      nextPage(s.org, s.standardUser.Id, locatorOf(others.nextRecordsUrl), undefined, "67.0").records,
    ).toHaveLength(300);
  });

  it("rejects malformed, unknown and out-of-range locators", () => {
    const page = openCursor();
    const id = locatorOf(page.nextRecordsUrl).split("-")[0];
    for (const text of ["nonsense", `${id}`, `${id}-abc`, "01gDm0000000999AAA-300", `${id}-1001`]) {
      expectInvalid(() => nextPage(s.org, s.adminUser.Id, text, undefined, "67.0"));
    }
    expect(nextPage(s.org, s.adminUser.Id, `${id}-1000`, undefined, "67.0")).toMatchObject({
      totalSize: 1000,
      done: true,
      records: [],
    });
  });

  it("takes a later page size from the page request", () => {
    const page = openCursor();
    const next = nextPage(s.org, s.adminUser.Id, locatorOf(page.nextRecordsUrl), 600, "67.0");
    expect(next.records).toHaveLength(600);
    expect(next.nextRecordsUrl?.endsWith("-900")).toBe(true);
  });
});
