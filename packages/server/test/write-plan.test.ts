import type { RecordError, RecordResult } from "@forcelink/salesforce";
import { describe, expect, it } from "vitest";
import {
  type CallFailure,
  type CallFailureOutcome,
  callFailureOutcome,
  parentKey,
  planWrite,
  retryChunkSize,
  retryOrder,
  settleResults,
  type WritePlanInput,
} from "../src/writes/write-plan.ts";

const base: WritePlanInput = { operation: "upsert", total: 1, allOrNone: false, syncMax: 200, bulkThreshold: 2000 };

describe("planWrite: the API at the call minimum", () => {
  const cases: Array<[string, Partial<WritePlanInput>, { path: string; calls: number; inRequest: boolean }]> = [
    ["one record: one collection call", { total: 1 }, { path: "collections", calls: 1, inRequest: true }],
    ["200 records: one collection call", { total: 200 }, { path: "collections", calls: 1, inRequest: true }],
    ["201 records: one composite call", { total: 201 }, { path: "composite", calls: 1, inRequest: false }],
    ["1,000 records: one composite call", { total: 1000 }, { path: "composite", calls: 1, inRequest: false }],
    ["1,001 records: two composite calls", { total: 1001 }, { path: "composite", calls: 2, inRequest: false }],
    ["1,999 records: two composite calls", { total: 1999 }, { path: "composite", calls: 2, inRequest: false }],
    ["2,000 records: Bulk", { total: 2000 }, { path: "bulk", calls: 6, inRequest: false }],
    ["200,000 records: one Bulk job", { total: 200_000 }, { path: "bulk", calls: 6, inRequest: false }],
    [
      "allOrNone 1,000: one composite call, never Bulk",
      { total: 1000, allOrNone: true, bulkThreshold: 10 },
      { path: "composite", calls: 1, inRequest: false },
    ],
    [
      "allOrNone 150: one collection call",
      { total: 150, allOrNone: true },
      { path: "collections", calls: 1, inRequest: true },
    ],
    [
      "a low threshold sends 5 records through Bulk",
      { total: 5, bulkThreshold: 5 },
      { path: "bulk", calls: 6, inRequest: true },
    ],
    [
      "below a low threshold: collections",
      { total: 4, bulkThreshold: 5 },
      { path: "collections", calls: 1, inRequest: true },
    ],
    [
      "a larger syncMax keeps 500 in the request",
      { total: 500, syncMax: 1000 },
      { path: "composite", calls: 1, inRequest: true },
    ],
    ["insert plans the same way", { total: 3000, operation: "insert" }, { path: "bulk", calls: 6, inRequest: false }],
    [
      "delete plans the same way",
      { total: 300, operation: "delete" },
      { path: "composite", calls: 1, inRequest: false },
    ],
    ["no records: no call", { total: 0 }, { path: "collections", calls: 0, inRequest: true }],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    const plan = planWrite({ ...base, ...input });
    expect(plan).toMatchObject({ ok: true, ...expected });
  });

  it("never spends more than ceil(N/200) calls up to 2,000 records", () => {
    for (let total = 1; total < 2000; total += 37) {
      const plan = planWrite({ ...base, total });
      if (!plan.ok) throw new Error("refused");
      expect(plan.calls).toBeLessThanOrEqual(Math.ceil(total / 200));
    }
  });

  it("refuses allOrNone above 1,000 records, saying why and what to do", () => {
    const plan = planWrite({ ...base, total: 1001, allOrNone: true });
    expect(plan).toMatchObject({ ok: false, code: "all_or_none_too_large" });
    if (plan.ok) throw new Error("planned");
    expect(plan.message).toContain("1000");
    expect(plan.message).toMatch(/without allOrNone|split/);
  });
});

describe("retry passes", () => {
  it.each([
    [1, 200],
    [2, 50],
    [3, 10],
    [4, 1],
    [9, 1],
  ])("records sent %i time(s) go %i to a call", (attempts, size) => {
    expect(retryChunkSize(attempts)).toBe(size);
  });

  it.each([
    ["a lookup by id", { LastName: "A", AccountId: "001000000000001AAA" }, "accountid:001000000000001"],
    ["a 15-character id is the same parent", { AccountId: "001000000000001" }, "accountid:001000000000001"],
    ["a reference by external id", { Account: { Ext_Id__c: "A-1" } }, 'account:[["Ext_Id__c","A-1"]]'],
    ["no lookup", { Name: "x", Id: "001000000000001AAA" }, null],
    ["a field ending in Id that holds no id", { ExternalId: "abc" }, null],
    [
      "the first lookup by field name",
      { WhoId: "003000000000001AAA", AccountId: "001000000000009AAA" },
      "accountid:001000000000009",
    ],
  ])("parent of a record with %s", (_name, record, key) => {
    expect(parentKey(record)).toBe(key);
  });

  it("groups one parent's children together, then keeps input order", () => {
    const records = [
      { idx: 0, data: { AccountId: "001000000000002AAA" } },
      { idx: 1, data: { AccountId: "001000000000001AAA" } },
      { idx: 2, data: { Name: "orphan" } },
      { idx: 3, data: { AccountId: "001000000000002AAA" } },
      { idx: 4, data: { AccountId: "001000000000001AAA" } },
    ];
    expect(retryOrder(records).map((r) => r.idx)).toEqual([2, 1, 4, 0, 3]);
  });
});

const lock: RecordError = {
  code: "UNABLE_TO_LOCK_ROW",
  message: "unable to obtain exclusive access to this record",
  fields: [],
  reason: "rest.row_locked",
  retry: "backoff",
};
const required: RecordError = {
  code: "REQUIRED_FIELD_MISSING",
  message: "Required fields are missing: [LastName]",
  fields: ["LastName"],
  reason: "rest.required_field_missing",
  retry: "never",
};
const rolledBack: RecordError = {
  code: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  message: "Record rolled back",
  fields: [],
  reason: "rest.refused",
  retry: "never",
};
const ok = (id: string): RecordResult => ({ id, success: true, created: true, errors: [] });
const bad = (...errors: RecordError[]): RecordResult => ({ id: null, success: false, created: false, errors });

describe("settleResults: each record of an answered call", () => {
  it("settles successes, fails refusals, sends locked records back for another pass", () => {
    const out = settleResults([ok("a"), bad(required), bad(lock)], [1, 1, 1], { allOrNone: false, maxPasses: 5 });
    expect(out).toEqual([
      { status: "succeeded", id: "a", created: true },
      { status: "failed", errors: [required] },
      { status: "pending", errors: [lock] },
    ]);
  });

  it("fails a locked record with its last error once it was sent maxPasses times", () => {
    const out = settleResults([bad(lock), bad(lock)], [4, 5], { allOrNone: false, maxPasses: 5 });
    expect(out.map((s) => s.status)).toEqual(["pending", "failed"]);
    expect(out[1]).toEqual({ status: "failed", errors: [lock] });
  });

  it("a record with a lock and a lasting refusal fails", () => {
    expect(settleResults([bad(lock, required)], [1], { allOrNone: false, maxPasses: 5 })[0].status).toBe("failed");
  });

  it("allOrNone: a lock rolls back the call, and every record of it goes back together", () => {
    const out = settleResults([bad(rolledBack), bad(lock), bad(rolledBack)], [1, 1, 1], {
      allOrNone: true,
      maxPasses: 5,
    });
    expect(out.map((s) => s.status)).toEqual(["pending", "pending", "pending"]);
  });

  it("allOrNone: subrequests a lock halted go back with the rest", () => {
    const halted: RecordError = { ...rolledBack, code: "PROCESSING_HALTED" };
    const out = settleResults([bad(lock), bad(halted)], [1, 1], { allOrNone: true, maxPasses: 5 });
    expect(out.map((s) => s.status)).toEqual(["pending", "pending"]);
  });

  it("allOrNone: a lasting refusal fails the call's records as Salesforce answered them", () => {
    const out = settleResults([bad(rolledBack), bad(required), bad(lock)], [1, 1, 1], {
      allOrNone: true,
      maxPasses: 5,
    });
    expect(out.map((s) => s.status)).toEqual(["failed", "failed", "pending"]);
  });
});

describe("callFailureOutcome: a call that failed as a whole", () => {
  const f = (over: Partial<CallFailure>): CallFailure => ({
    reason: "rest.server_unavailable",
    retry: "backoff",
    status: 503,
    nothingWritten: false,
    ...over,
  });
  const cases: Array<[string, "insert" | "upsert" | "update" | "delete", CallFailure, CallFailureOutcome]> = [
    ["503 on an upsert: again", "upsert", f({}), "again"],
    ["503 on an update: again", "update", f({}), "again"],
    ["503 on a delete: again", "delete", f({}), "again"],
    ["503 on an insert: unknown", "insert", f({}), "unknown"],
    ["500 on an insert: unknown", "insert", f({ status: 500, reason: "rest.unavailable" }), "unknown"],
    [
      "a refusal proving nothing was written, on an insert: again",
      "insert",
      f({ reason: "rest.too_many_long_requests", status: 403, nothingWritten: true }),
      "again",
    ],
    [
      "lost answer (reset) on an insert: unknown",
      "insert",
      f({ reason: "transport.reset", status: undefined }),
      "unknown",
    ],
    ["lost answer (reset) on an upsert: again", "upsert", f({ reason: "transport.reset", status: undefined }), "again"],
    [
      "could not connect, on an insert: again",
      "insert",
      f({ reason: "transport.connect", status: undefined, nothingWritten: true }),
      "again",
    ],
    [
      "cut by the caller, on an insert: unknown",
      "insert",
      f({ reason: "transport.aborted", status: undefined, retry: "never", aborted: true }),
      "unknown",
    ],
    [
      "cut by the caller, on an upsert: again",
      "upsert",
      f({ reason: "transport.aborted", status: undefined, retry: "never", aborted: true }),
      "again",
    ],
    [
      "the daily quota: pause",
      "insert",
      f({ reason: "rest.daily_quota_exhausted", status: 403, retry: "never" }),
      "pause",
    ],
    [
      "no object permission: stop",
      "upsert",
      f({ reason: "rest.insufficient_access", status: 403, retry: "never" }),
      "stop",
    ],
    ["a bad external id field: stop", "upsert", f({ reason: "rest.not_found", status: 404, retry: "never" }), "stop"],
    [
      "the grant is gone (OAuth, no status): stop",
      "insert",
      f({ reason: "oauth.invalid_grant", status: undefined, retry: "never" }),
      "stop",
    ],
    [
      "a session refused after refresh: stop",
      "update",
      f({ reason: "rest.unauthorized", status: 401, retry: "refresh-then-retry" }),
      "stop",
    ],
  ];
  it.each(cases)("%s", (_name, operation, failure, outcome) => {
    expect(callFailureOutcome(operation, failure)).toBe(outcome);
  });
});
