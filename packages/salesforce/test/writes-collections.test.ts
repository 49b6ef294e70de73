import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CollectionWrite,
  fixedToken,
  nothingWritten,
  SalesforceApiError,
  SalesforceClient,
  TransportFailure,
  writeCollection,
  writeComposite,
} from "../src/index.ts";
import { calls } from "./support/demo-org.ts";
import { startWriteOrg, type WriteOrg } from "./support/write-org.ts";

let w: WriteOrg;
let sf: SalesforceClient;

beforeAll(async () => {
  w = await startWriteOrg();
  sf = w.client();
});
afterAll(async () => {
  await w.close();
});
afterEach(() => {
  w.demo.org.faults.reset();
});

const COLLECTION = "/services/data/:version/composite/sobjects";
const named = (prefix: string) => (r: Record<string, unknown>) => String(r.Name ?? "").startsWith(prefix);

async function insertAccounts(
  prefix: string,
  count: number,
  extra: (i: number) => Record<string, unknown> = () => ({}),
) {
  const records = Array.from({ length: count }, (_, i) => ({ Name: `${prefix}-${i}`, ...extra(i) }));
  const results = await writeCollection(sf, { object: "Account", operation: "insert", records });
  expect(results.every((r) => r.success)).toBe(true);
  return results.map((r) => r.id as string);
}

describe("writeCollection: each operation through sObject Collections", () => {
  it("insert creates every record and answers one result per record, in order", async () => {
    const records = [{ Name: "ins-a" }, { Name: "ins-b", NumberOfEmployees: 12 }, { Name: "ins-c", Phone: null }];
    const results = await writeCollection(sf, { object: "Account", operation: "insert", records });
    expect(results).toHaveLength(3);
    for (const r of results) expect(r).toMatchObject({ success: true, created: true, errors: [] });
    const rows = results.map((r) => w.rows("Account", (row) => row.Id === r.id)[0]);
    expect(rows.map((r) => r.Name)).toEqual(["ins-a", "ins-b", "ins-c"]);
    expect(rows[1].NumberOfEmployees).toBe(12);
  });

  it("update changes the records named by Id", async () => {
    const ids = await insertAccounts("upd", 2);
    const results = await writeCollection(sf, {
      object: "Account",
      operation: "update",
      records: [
        { Id: ids[0], Phone: "555-0100" },
        { Id: ids[1], Phone: "555-0101" },
      ],
    });
    expect(results.map((r) => [r.id, r.success, r.created])).toEqual([
      [ids[0], true, false],
      [ids[1], true, false],
    ]);
    expect(w.rows("Account", named("upd-")).map((r) => r.Phone)).toEqual(["555-0100", "555-0101"]);
  });

  it("upsert by external id updates the match (created false) and creates the rest (created true)", async () => {
    await insertAccounts("ups", 1, () => ({ External_Id__c: "UPS-1" }));
    const results = await writeCollection(sf, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: [
        { External_Id__c: "UPS-1", Name: "ups-renamed" },
        { External_Id__c: "UPS-2", Name: "ups-new" },
      ],
    });
    expect(results.map((r) => [r.success, r.created])).toEqual([
      [true, false],
      [true, true],
    ]);
    const byKey = (key: string) => w.rows("Account", (r) => r.External_Id__c === key);
    expect(byKey("UPS-1").map((r) => r.Name)).toEqual(["ups-renamed"]);
    expect(byKey("UPS-2")).toHaveLength(1);
  });

  it("delete removes the records; a record already deleted fails on its own", async () => {
    const ids = await insertAccounts("del", 3);
    await writeCollection(sf, { object: "Account", operation: "delete", records: [{ Id: ids[2] }] });
    const results = await writeCollection(sf, {
      object: "Account",
      operation: "delete",
      records: ids.map((Id) => ({ Id })),
    });
    expect(results.map((r) => [r.id, r.success])).toEqual([
      [ids[0], true],
      [ids[1], true],
      [ids[2], false],
    ]);
    expect(results[2].errors[0]).toMatchObject({ code: "ENTITY_IS_DELETED", reason: "rest.record_deleted" });
    expect(w.rows("Account", named("del-"))).toHaveLength(0);
  });

  it("refuses what Salesforce would: over 200 records, an update without Id, an upsert without its key field", async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ Name: `x${i}` }));
    await expect(writeCollection(sf, { object: "Account", operation: "insert", records: many })).rejects.toThrow(
      /at most 200/,
    );
    await expect(
      writeCollection(sf, { object: "Account", operation: "update", records: [{ Name: "no id" }] }),
    ).rejects.toThrow(/no Id/);
    await expect(
      writeCollection(sf, { object: "Account", operation: "upsert", records: [{ Name: "x" }] }),
    ).rejects.toThrow(/externalIdField/);
  });
});

describe("partial success and all-or-nothing", () => {
  it("allOrNone false: the good records are written, the bad one fails with its own classified error", async () => {
    const results = await writeCollection(sf, {
      object: "Contact",
      operation: "insert",
      records: [{ LastName: "part-1" }, { FirstName: "no last name" }, { LastName: "part-3" }],
    });
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1].errors[0]).toMatchObject({
      code: "REQUIRED_FIELD_MISSING",
      fields: ["LastName"],
      reason: "rest.required_field_missing",
      retry: "never",
    });
    expect(w.rows("Contact", (r) => String(r.LastName).startsWith("part-"))).toHaveLength(2);
  });

  it("allOrNone true: nothing is written; the good records say they were rolled back with the bad one", async () => {
    const results = await writeCollection(sf, {
      object: "Contact",
      operation: "insert",
      allOrNone: true,
      records: [{ LastName: "aon-1" }, { FirstName: "no last name" }],
    });
    expect(results.map((r) => r.success)).toEqual([false, false]);
    expect(results[0].errors[0]).toMatchObject({
      code: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      reason: "rest.rolled_back_with_others",
    });
    expect(results[1].errors[0].code).toBe("REQUIRED_FIELD_MISSING");
    expect(w.rows("Contact", (r) => String(r.LastName).startsWith("aon-"))).toHaveLength(0);
  });
});

describe("parent references by external id", () => {
  it("a Contact names its Account by the Account's external id", async () => {
    const [accountId] = await insertAccounts("parent", 1, () => ({ External_Id__c: "PARENT-1" }));
    const results = await writeCollection(sf, {
      object: "Contact",
      operation: "insert",
      records: [
        { LastName: "child-1", Account: { External_Id__c: "PARENT-1" } },
        { LastName: "child-2", Account: { External_Id__c: "NO-SUCH-PARENT" } },
      ],
    });
    expect(results[0].success).toBe(true);
    expect(w.rows("Contact", (r) => r.Id === results[0].id)[0].AccountId).toBe(accountId);
    expect(results[1].errors[0]).toMatchObject({ code: "INVALID_FIELD", reason: "rest.parent_not_found" });
  });

  it("works in an upsert, too", async () => {
    const [accountId] = await insertAccounts("uparent", 1, () => ({ External_Id__c: "UPARENT-1" }));
    const results = await writeCollection(sf, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: [{ External_Id__c: "UCHILD-1", Name: "uchild", Parent: { External_Id__c: "UPARENT-1" } }],
    });
    expect(results[0]).toMatchObject({ success: true, created: true });
    expect(w.rows("Account", (r) => r.External_Id__c === "UCHILD-1")[0].ParentId).toBe(accountId);
  });
});

describe("errors that point at the pre-install checklist", () => {
  it("a field the user cannot edit gives a RecordError with checklistItem field-editable", async () => {
    w.demo.admin.setFieldPermissions("Standard User", "Account.Tier__c", "read");
    try {
      const results = await writeCollection(sf, {
        object: "Account",
        operation: "insert",
        records: [{ Name: "fls-1", Tier__c: "Gold" }],
      });
      expect(results[0].success).toBe(false);
      expect(results[0].errors[0]).toMatchObject({
        code: "INVALID_FIELD_FOR_INSERT_UPDATE",
        fields: ["Tier__c"],
        reason: "rest.field_read_only",
        checklistItem: "field-editable",
        retry: "never",
      });
    } finally {
      w.demo.admin.setFieldPermissions("Standard User", "Account.Tier__c", "edit");
    }
  });

  it("a missing Create permission on the object points at object-access", async () => {
    w.demo.admin.setObjectPermissions("Standard User", "Lead", ["Read"]);
    try {
      const results = await writeCollection(sf, {
        object: "Lead",
        operation: "insert",
        records: [{ LastName: "perm", Company: "Acme" }],
      });
      expect(results[0].errors[0]).toMatchObject({
        code: "INSUFFICIENT_ACCESS_OR_READONLY",
        checklistItem: "object-access",
      });
    } finally {
      w.demo.admin.setObjectPermissions("Standard User", "Lead", ["Read", "Create", "Edit", "Delete"]);
    }
  });

  it("records that meet a locked row fail with UNABLE_TO_LOCK_ROW, retryable, and nothing of them is written", async () => {
    w.demo.org.faults.configure({ unableToLockRowRate: 1 });
    const results = await writeCollection(sf, {
      object: "Account",
      operation: "insert",
      records: [{ Name: "lock-1" }, { Name: "lock-2" }],
    });
    for (const r of results)
      expect(r.errors[0]).toMatchObject({ code: "UNABLE_TO_LOCK_ROW", reason: "rest.row_locked", retry: "backoff" });
    expect(w.rows("Account", named("lock-"))).toHaveLength(0);
  });
});

describe("writeComposite: up to five collections in one call", () => {
  const write = (operation: CollectionWrite["operation"], records: CollectionWrite["records"], object = "Account") =>
    ({
      object,
      operation,
      records,
      ...(operation === "upsert" ? { externalIdField: "External_Id__c" } : {}),
    }) as CollectionWrite;

  it("runs each operation as a subrequest, one API call for all, results per write in order", async () => {
    const ids = await insertAccounts("cmp", 3, (i) => ({ External_Id__c: `CMP-${i}` }));
    const before = calls(w.demo.org, "POST /services/data/:version/composite");
    const results = await writeComposite(sf, [
      write("insert", [{ Name: "cmp-new-1" }, { Name: "cmp-new-2" }]),
      write("update", [{ Id: ids[0], Phone: "555-0199" }]),
      write("upsert", [
        { External_Id__c: "CMP-1", Name: "cmp-upserted" },
        { External_Id__c: "CMP-9", Name: "cmp-created" },
      ]),
      write("delete", [{ Id: ids[2] }]),
    ]);
    expect(calls(w.demo.org, "POST /services/data/:version/composite") - before).toBe(1);
    expect(results.map((rs) => rs.map((r) => [r.success, r.created]))).toEqual([
      [
        [true, true],
        [true, true],
      ],
      [[true, false]],
      [
        [true, false],
        [true, true],
      ],
      [[true, false]],
    ]);
    expect(w.rows("Account", (r) => r.Id === ids[0])[0].Phone).toBe("555-0199");
    expect(w.rows("Account", (r) => r.External_Id__c === "CMP-1")[0].Name).toBe("cmp-upserted");
    expect(w.rows("Account", (r) => r.Id === ids[2])).toHaveLength(0);
    expect(w.rows("Account", named("cmp-new-"))).toHaveLength(2);
  });

  it("allOrNone false: each collection keeps its own partial success", async () => {
    const results = await writeComposite(sf, [
      write("insert", [{ LastName: "cpart-1" }, { FirstName: "missing" }], "Contact"),
      write("insert", [{ LastName: "cpart-2" }], "Contact"),
    ]);
    expect(results.map((rs) => rs.map((r) => r.success))).toEqual([[true, false], [true]]);
    expect(w.rows("Contact", (r) => String(r.LastName).startsWith("cpart-"))).toHaveLength(2);
  });

  it("allOrNone true: one bad record rolls back every subrequest of the call", async () => {
    const results = await writeComposite(
      sf,
      [
        write("insert", [{ LastName: "caon-1" }, { LastName: "caon-2" }], "Contact"),
        write("insert", [{ LastName: "caon-3" }, { FirstName: "missing" }], "Contact"),
        write("insert", [{ LastName: "caon-4" }], "Contact"),
      ],
      { allOrNone: true },
    );
    expect(results.flat().every((r) => !r.success)).toBe(true);
    expect(results[1][1].errors[0].code).toBe("REQUIRED_FIELD_MISSING");
    expect(results[1][0].errors[0].code).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    for (const r of [...results[0], ...results[2]])
      expect(r.errors[0]).toMatchObject({ code: "PROCESSING_HALTED", reason: "rest.rolled_back_with_others" });
    expect(w.rows("Contact", (r) => String(r.LastName).startsWith("caon-"))).toHaveLength(0);
  });

  it("1,000 records in one call: five collections of 200", async () => {
    const writes = Array.from({ length: 5 }, (_, k) =>
      write(
        "insert",
        Array.from({ length: 200 }, (_, i) => ({ LastName: `thousand-${k}-${i}` })),
        "Contact",
      ),
    );
    const results = await writeComposite(sf, writes, { allOrNone: true });
    expect(results.flat().filter((r) => r.success)).toHaveLength(1000);
    expect(w.rows("Contact", (r) => String(r.LastName).startsWith("thousand-"))).toHaveLength(1000);
  });

  it("refuses more than five collection writes before sending anything", async () => {
    const six = Array.from({ length: 6 }, () => write("insert", [{ Name: "six" }]));
    await expect(writeComposite(sf, six)).rejects.toThrow(/at most 5/);
    expect(w.rows("Account", named("six"))).toHaveLength(0);
  });
});

describe("a lost answer: the call ran, its answer never came", () => {
  it("an insert is NOT sent again: the org holds each row once, and the caller learns the outcome is unknown", async () => {
    let sleeps = 0;
    const client = w.client(() => {
      sleeps++;
      w.demo.org.faults.reset();
    });
    w.demo.org.faults.configure({ dropAfterServeRate: 1, pathContains: "/composite/sobjects" });
    const before = calls(w.demo.org, `POST ${COLLECTION}`);
    const error = await writeCollection(client, {
      object: "Account",
      operation: "insert",
      records: [{ Name: "lost-1" }, { Name: "lost-2" }],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportFailure);
    expect(error.kind).toBe("reset");
    expect(nothingWritten(error)).toBe(false);
    expect(sleeps).toBe(0);
    expect(calls(w.demo.org, `POST ${COLLECTION}`) - before).toBe(1);
    // Salesforce did write them: that is why resending would have duplicated them.
    expect(w.rows("Account", named("lost-")).map((r) => r.Name)).toEqual(["lost-1", "lost-2"]);
  });

  it("an upsert is sent again and succeeds, still one row per external id", async () => {
    let sleeps = 0;
    const client = w.client(() => {
      sleeps++;
      w.demo.org.faults.reset();
    });
    w.demo.org.faults.configure({ dropAfterServeRate: 1, pathContains: "/composite/sobjects" });
    const pattern = `PATCH ${COLLECTION}/:object/:field`;
    const before = calls(w.demo.org, pattern);
    const results = await writeCollection(client, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: [
        { External_Id__c: "LOST-1", Name: "lost-up-1" },
        { External_Id__c: "LOST-2", Name: "lost-up-2" },
      ],
    });
    expect(sleeps).toBe(1);
    expect(calls(w.demo.org, pattern) - before).toBe(2);
    expect(results.every((r) => r.success)).toBe(true);
    // The second attempt found the rows the first one made: updated, not created again.
    expect(results.map((r) => r.created)).toEqual([false, false]);
    for (const key of ["LOST-1", "LOST-2"]) expect(w.rows("Account", (r) => r.External_Id__c === key)).toHaveLength(1);
  });
});

describe("nothingWritten: whether a failed call may be sent again even for an insert", () => {
  it("a 503 may have run; a call that could not connect did not", async () => {
    w.demo.org.faults.configure({ errorRate: 1, errorStatus: 503, pathContains: "/composite/sobjects" });
    const unavailable = await writeCollection(sf, {
      object: "Account",
      operation: "insert",
      records: [{ Name: "nw" }],
    }).catch((e) => e);
    expect(unavailable).toBeInstanceOf(SalesforceApiError);
    expect(nothingWritten(unavailable)).toBe(false);
    w.demo.org.faults.reset();

    const closed = new SalesforceClient({
      tokens: fixedToken({ accessToken: "x", instanceUrl: "http://127.0.0.1:9" }),
      retry: { maxAttempts: 1 },
    });
    const unreachable = await writeCollection(closed, {
      object: "Account",
      operation: "insert",
      records: [{ Name: "nw" }],
    }).catch((e) => e);
    await closed.close();
    expect(unreachable).toBeInstanceOf(TransportFailure);
    expect(nothingWritten(unreachable)).toBe(true);
  });
});
