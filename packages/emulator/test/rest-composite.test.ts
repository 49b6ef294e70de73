import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// sObject Collections (salesforce-api.md §2.5), Composite and Composite Batch (§2.6), limits (§6).

const INTEGRATION = DEMO.integration.username;
const V = "/services/data/v67.0";
const ROLLED_BACK_MESSAGE =
  "Record rolled back because not all records were valid and the request was using AllOrNone header";
const HALTED = [
  {
    errorCode: "PROCESSING_HALTED",
    message: "The transaction was rolled back since another operation in the same transaction failed.",
  },
];

interface ItemError {
  statusCode: string;
  message: string;
  fields: string[];
}
interface ItemResult {
  id?: string | null;
  success: boolean;
  errors: ItemError[];
  created?: boolean;
}
interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

function checksumOf(id15: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  let out = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= "A" && c <= "Z") bits |= 1 << i;
    }
    out += alphabet[bits];
  }
  return out;
}
const absentId = (prefix: string) => {
  const id15 = `${prefix}Zz9ZZZZZZZZZZ`.slice(0, 15);
  return id15 + checksumOf(id15);
};

let t: DemoOrg;
beforeAll(async () => {
  t = await startDemoOrg();
});
afterAll(async () => {
  await t.close();
});

let counter = 0;
const tag = (label: string) => `${label}-${++counter}-${Date.now()}`;

/** Live Account names in the store: the ground truth that nothing (or something) was written. */
function liveAccountNames(): string[] {
  return [...t.org.store.tableOrThrow("Account").live()].map((r) => String(r.Name));
}

async function createAccount(body: Record<string, unknown>): Promise<string> {
  const res = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function readAccount(id: string): Promise<Record<string, unknown> | null> {
  const res = await t.api(INTEGRATION, `/sobjects/Account/${id}`);
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function collection(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await t.api(INTEGRATION, path, body === undefined ? { method } : { method, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe("POST /composite/sobjects (create)", () => {
  it("allOrNone false: one bad record does not stop the others; 200 with per-record statusCode errors", async () => {
    const a = tag("coll-a");
    const c = tag("coll-c");
    const { status, json } = await collection("POST", "/composite/sobjects", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, Name: a },
        { attributes: { type: "Account" }, Phone: "no name" },
        { attributes: { type: "Account" }, Name: c },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({ id: results[0].id, success: true, errors: [] });
    expect(results[2]).toEqual({ id: results[2].id, success: true, errors: [] });
    expect(results[0].id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    expect(results[1].success).toBe(false);
    expect(results[1].errors).toEqual([
      { statusCode: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [Name]", fields: ["Name"] },
    ]);
    expect((await readAccount(results[0].id!))?.Name).toBe(a);
    expect((await readAccount(results[2].id!))?.Name).toBe(c);
  });

  it("allOrNone true: nothing is written; the good records carry ALL_OR_NONE_OPERATION_ROLLED_BACK", async () => {
    const names = [tag("aon-1"), tag("aon-3")];
    const before = t.org.store.tableOrThrow("Account").size;
    const { status, json } = await collection("POST", "/composite/sobjects", {
      allOrNone: true,
      records: [
        { attributes: { type: "Account" }, Name: names[0] },
        { attributes: { type: "Account" }, Name: "x".repeat(256) },
        { attributes: { type: "Account" }, Name: names[1] },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results).toHaveLength(3);
    for (const i of [0, 2]) {
      expect(results[i].success).toBe(false);
      expect(results[i].errors).toHaveLength(1);
      expect(results[i].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
      expect(results[i].errors[0].message).toBe(ROLLED_BACK_MESSAGE);
    }
    expect(results[1].success).toBe(false);
    expect(results[1].errors[0].statusCode).toBe("STRING_TOO_LONG");
    expect(results[1].errors[0].fields).toEqual(["Name"]);
    expect(liveAccountNames().filter((n) => names.includes(n))).toEqual([]);
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("allOrNone true rolls back records already inserted when a later one collides (DUPLICATE_VALUE inside the batch)", async () => {
    const ext = tag("DUP");
    const names = [tag("aon-dup-1"), tag("aon-dup-2")];
    const { status, json } = await collection("POST", "/composite/sobjects", {
      allOrNone: true,
      records: [
        { attributes: { type: "Account" }, Name: names[0], External_Id__c: ext },
        { attributes: { type: "Account" }, Name: names[1], External_Id__c: ext },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(results[1].errors[0].statusCode).toBe("DUPLICATE_VALUE");
    expect(liveAccountNames().filter((n) => names.includes(n))).toEqual([]);
    const byExt = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`);
    expect(byExt.status).toBe(404);
  });

  it("allOrNone true with every record valid writes them all", async () => {
    const names = [tag("aon-ok-1"), tag("aon-ok-2")];
    const { status, json } = await collection("POST", "/composite/sobjects", {
      allOrNone: true,
      records: names.map((Name) => ({ attributes: { type: "Account" }, Name })),
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results.map((r) => r.success)).toEqual([true, true]);
    for (const [i, r] of results.entries()) expect((await readAccount(r.id!))?.Name).toBe(names[i]);
  });

  it("mixes object types in one request", async () => {
    const { status, json } = await collection("POST", "/composite/sobjects", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, Name: tag("mixed") },
        { attributes: { type: "Contact" }, LastName: tag("mixed") },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0].id).toMatch(/^001/);
    expect(results[1].id).toMatch(/^003/);
  });

  it("201 records are refused with 400 and nothing is written", async () => {
    const prefix = tag("too-many");
    const before = t.org.store.tableOrThrow("Account").size;
    const records = Array.from({ length: 201 }, (_, i) => ({
      attributes: { type: "Account" },
      Name: `${prefix}-${i}`,
    }));
    const { status, json } = await collection("POST", "/composite/sobjects", { allOrNone: false, records });
    expect(status).toBe(400);
    const body = json as Array<{ errorCode: string; message: string }>;
    expect(Array.isArray(body)).toBe(true);
    expect(typeof body[0].errorCode).toBe("string");
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("exactly 200 records are accepted", async () => {
    const prefix = tag("two-hundred");
    const records = Array.from({ length: 200 }, (_, i) => ({
      attributes: { type: "Account" },
      Name: `${prefix}-${i}`,
    }));
    const { status, json } = await collection("POST", "/composite/sobjects", { allOrNone: false, records });
    expect(status).toBe(200);
    expect((json as ItemResult[]).filter((r) => r.success)).toHaveLength(200);
    expect(liveAccountNames().filter((n) => n.startsWith(`${prefix}-`))).toHaveLength(200);
  });

  it("a malformed request (no records array, bad JSON) is 400", async () => {
    for (const body of [{ allOrNone: false }, '{"records": [', { records: "nope" }]) {
      const res = await t.api(INTEGRATION, "/composite/sobjects", { method: "POST", body });
      expect(res.status).toBe(400);
      const errs = (await res.json()) as Array<{ errorCode: string }>;
      expect(typeof errs[0].errorCode).toBe("string");
    }
  });
});

describe("PATCH /composite/sobjects (update)", () => {
  it("allOrNone false updates the good records and reports the bad ones", async () => {
    const a = await createAccount({ Name: tag("upd-a") });
    const b = await createAccount({ Name: tag("upd-b") });
    const { status, json } = await collection("PATCH", "/composite/sobjects", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, id: a, Phone: "111" },
        { attributes: { type: "Account" }, id: b, Name: "z".repeat(300) },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0]).toEqual({ id: a, success: true, errors: [] });
    expect(results[1].success).toBe(false);
    expect(results[1].errors[0].statusCode).toBe("STRING_TOO_LONG");
    expect((await readAccount(a))?.Phone).toBe("111");
    expect(String((await readAccount(b))?.Name)).toMatch(/^upd-b/);
  });

  it("allOrNone true leaves every record as it was", async () => {
    const nameA = tag("upd-aon-a");
    const a = await createAccount({ Name: nameA, Phone: "orig" });
    const b = await createAccount({ Name: tag("upd-aon-b") });
    const { status, json } = await collection("PATCH", "/composite/sobjects", {
      allOrNone: true,
      records: [
        { attributes: { type: "Account" }, id: a, Phone: "changed", Name: "Changed name" },
        { attributes: { type: "Account" }, id: b, Name: null },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(results[1].errors[0].statusCode).toBe("REQUIRED_FIELD_MISSING");
    const after = await readAccount(a);
    expect(after?.Phone).toBe("orig");
    expect(after?.Name).toBe(nameA);
  });
});

describe("DELETE /composite/sobjects", () => {
  it("allOrNone false deletes what it can and reports the rest", async () => {
    const a = await createAccount({ Name: tag("del-a") });
    const b = await createAccount({ Name: tag("del-b") });
    const gone = await createAccount({ Name: tag("del-gone") });
    expect((await t.api(INTEGRATION, `/sobjects/Account/${gone}`, { method: "DELETE" })).status).toBe(204);
    const { status, json } = await collection("DELETE", `/composite/sobjects?ids=${a},${b},${gone}&allOrNone=false`);
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0]).toEqual({ id: a, success: true, errors: [] });
    expect(results[1]).toEqual({ id: b, success: true, errors: [] });
    expect(results[2].success).toBe(false);
    expect(results[2].errors[0].statusCode).toBe("ENTITY_IS_DELETED");
    expect(await readAccount(a)).toBeNull();
    expect(await readAccount(b)).toBeNull();
  });

  it("allOrNone=true deletes nothing when one id fails", async () => {
    const a = await createAccount({ Name: tag("del-aon-a") });
    const gone = await createAccount({ Name: tag("del-aon-gone") });
    expect((await t.api(INTEGRATION, `/sobjects/Account/${gone}`, { method: "DELETE" })).status).toBe(204);
    const { status, json } = await collection("DELETE", `/composite/sobjects?ids=${a},${gone}&allOrNone=true`);
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0].success).toBe(false);
    expect(results[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(results[1].errors[0].statusCode).toBe("ENTITY_IS_DELETED");
    expect(await readAccount(a)).not.toBeNull();
  });
});

describe("PATCH /composite/sobjects/{T}/{extField} (upsert)", () => {
  it("updates the matching record (created:false) and creates the new one (created:true)", async () => {
    const existingExt = tag("UC");
    const newExt = tag("UC-NEW");
    const existing = await createAccount({ Name: "Before upsert", External_Id__c: existingExt });
    const { status, json } = await collection("PATCH", "/composite/sobjects/Account/External_Id__c", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, External_Id__c: existingExt, Name: "After upsert" },
        { attributes: { type: "Account" }, External_Id__c: newExt, Name: "Brand new" },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0]).toEqual({ id: existing, success: true, errors: [], created: false });
    expect(results[1]).toEqual({ id: results[1].id, success: true, errors: [], created: true });
    expect(results[1].id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    expect((await readAccount(existing))?.Name).toBe("After upsert");
    const created = await readAccount(results[1].id!);
    expect(created?.Name).toBe("Brand new");
    expect(created?.External_Id__c).toBe(newExt);
  });

  it("a record without the external id value fails on its own", async () => {
    const ext = tag("UC-OK");
    const { status, json } = await collection("PATCH", "/composite/sobjects/Account/External_Id__c", {
      allOrNone: false,
      records: [
        { attributes: { type: "Account" }, Name: "No key" },
        { attributes: { type: "Account" }, External_Id__c: ext, Name: "Has key" },
      ],
    });
    expect(status).toBe(200);
    const results = json as ItemResult[];
    expect(results[0].success).toBe(false);
    expect(results[0].errors).toHaveLength(1);
    expect(results[1]).toMatchObject({ success: true, created: true });
  });
});

describe("GET/POST /composite/sobjects/{T} (retrieve)", () => {
  it("returns the records in the order asked, with null for ids not found", async () => {
    const nameA = tag("ret-a");
    const nameB = tag("ret-b");
    const a = await createAccount({ Name: nameA, Phone: "1" });
    const b = await createAccount({ Name: nameB, Phone: "2" });
    const deleted = await createAccount({ Name: tag("ret-del") });
    expect((await t.api(INTEGRATION, `/sobjects/Account/${deleted}`, { method: "DELETE" })).status).toBe(204);
    const missing = absentId("001");
    const { status, json } = await collection(
      "GET",
      `/composite/sobjects/Account?ids=${a},${missing},${b},${deleted}&fields=Id,Name,Phone`,
    );
    expect(status).toBe(200);
    const records = json as Array<Record<string, unknown> | null>;
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual({
      attributes: { type: "Account", url: `${V}/sobjects/Account/${a}` },
      Id: a,
      Name: nameA,
      Phone: "1",
    });
    expect(records[1]).toBeNull();
    expect(records[2]).toEqual({
      attributes: { type: "Account", url: `${V}/sobjects/Account/${b}` },
      Id: b,
      Name: nameB,
      Phone: "2",
    });
    expect(records[3]).toBeNull();

    const post = await collection("POST", "/composite/sobjects/Account", {
      ids: [b.slice(0, 15), a],
      fields: ["Name"],
    });
    expect(post.status).toBe(200);
    const posted = post.json as Array<Record<string, unknown>>;
    expect(posted.map((r) => r.Name)).toEqual([nameB, nameA]);
  });

  it("accepts up to 2000 ids and refuses 2001 with 400", async () => {
    const a = await createAccount({ Name: tag("ret-many") });
    const ids = Array.from({ length: 2000 }, (_, i) => (i === 0 ? a : absentId("001")));
    const ok = await collection("POST", "/composite/sobjects/Account", { ids, fields: ["Id"] });
    expect(ok.status).toBe(200);
    const records = ok.json as Array<Record<string, unknown> | null>;
    expect(records).toHaveLength(2000);
    expect(records[0]?.Id).toBe(a);
    expect(records.filter((r) => r === null)).toHaveLength(1999);
    const tooMany = await collection("POST", "/composite/sobjects/Account", { ids: [...ids, a], fields: ["Id"] });
    expect(tooMany.status).toBe(400);
  });

  it("an unknown field is 400 INVALID_FIELD", async () => {
    const a = await createAccount({ Name: tag("ret-bad") });
    const res = await t.api(INTEGRATION, `/composite/sobjects/Account?ids=${a}&fields=Name,Nope__c`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_FIELD");
  });
});

describe("POST /composite", () => {
  it("chains subrequests with @{ref.id} references and reports each one", async () => {
    const accountName = tag("comp-acc");
    const { status, json } = await collection("POST", "/composite", {
      allOrNone: false,
      compositeRequest: [
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "newAccount", body: { Name: accountName } },
        {
          method: "POST",
          url: `${V}/sobjects/Contact`,
          referenceId: "newContact",
          body: { LastName: "Ref", AccountId: "@{newAccount.id}" },
        },
        { method: "GET", url: `${V}/sobjects/Contact/@{newContact.id}`, referenceId: "readContact" },
        {
          method: "PATCH",
          url: `${V}/sobjects/Account/@{newAccount.id}`,
          referenceId: "renameAccount",
          body: { Phone: "@{readContact.LastName}" },
        },
      ],
    });
    expect(status).toBe(200);
    const responses = (json as { compositeResponse: SubResponse[] }).compositeResponse;
    expect(responses.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ["newAccount", 201],
      ["newContact", 201],
      ["readContact", 200],
      ["renameAccount", 204],
    ]);
    const accountId = (responses[0].body as { id: string }).id;
    const contactId = (responses[1].body as { id: string }).id;
    expect(responses[0].body).toEqual({ id: accountId, success: true, errors: [] });
    expect(responses[0].httpHeaders.Location).toBe(`${V}/sobjects/Account/${accountId}`);
    expect(responses[1].httpHeaders.Location).toBe(`${V}/sobjects/Contact/${contactId}`);
    expect((responses[2].body as { AccountId: string; Id: string }).AccountId).toBe(accountId);
    expect((responses[2].body as { Id: string }).Id).toBe(contactId);
    expect(responses[3].body).toBeNull();
    const account = await readAccount(accountId);
    expect(account?.Name).toBe(accountName);
    expect(account?.Phone).toBe("Ref");
  });

  it("allOrNone: a failure undoes the earlier create; the others answer 400 PROCESSING_HALTED", async () => {
    const accountName = tag("comp-aon");
    const before = t.org.store.tableOrThrow("Account").size;
    const { status, json } = await collection("POST", "/composite", {
      allOrNone: true,
      compositeRequest: [
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "acc", body: { Name: accountName } },
        {
          method: "POST",
          url: `${V}/sobjects/Contact`,
          referenceId: "badContact",
          body: { FirstName: "No last name", AccountId: "@{acc.id}" },
        },
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "after", body: { Name: `${accountName}-after` } },
      ],
    });
    expect(status).toBe(200);
    const responses = (json as { compositeResponse: SubResponse[] }).compositeResponse;
    expect(responses.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ["acc", 400],
      ["badContact", 400],
      ["after", 400],
    ]);
    expect(responses[0].body).toEqual(HALTED);
    expect(responses[2].body).toEqual(HALTED);
    const failure = responses[1].body as Array<{ errorCode: string; fields: string[] }>;
    expect(failure[0].errorCode).toBe("REQUIRED_FIELD_MISSING");
    expect(failure[0].fields).toEqual(["LastName"]);
    expect(liveAccountNames().filter((n) => n.startsWith(accountName))).toEqual([]);
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("without allOrNone a failure leaves the other subrequests' writes in place", async () => {
    const names = [tag("comp-keep-1"), tag("comp-keep-2")];
    const { status, json } = await collection("POST", "/composite", {
      allOrNone: false,
      compositeRequest: [
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "one", body: { Name: names[0] } },
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "bad", body: { Bogus__c: 1 } },
        { method: "POST", url: `${V}/sobjects/Account`, referenceId: "two", body: { Name: names[1] } },
      ],
    });
    expect(status).toBe(200);
    const responses = (json as { compositeResponse: SubResponse[] }).compositeResponse;
    expect(responses.map((r) => r.httpStatusCode)).toEqual([201, 400, 201]);
    expect((responses[1].body as Array<{ errorCode: string }>)[0].errorCode).toBe("INVALID_FIELD");
    expect(
      liveAccountNames()
        .filter((n) => names.includes(n))
        .sort(),
    ).toEqual([...names].sort());
  });

  it("a collection subrequest with allOrNone:true inside a composite still rolls back its own records", async () => {
    const good = tag("nested-aon-good");
    const { status, json } = await collection("POST", "/composite", {
      allOrNone: false,
      compositeRequest: [
        {
          method: "POST",
          url: `${V}/composite/sobjects`,
          referenceId: "coll",
          body: {
            allOrNone: true,
            records: [
              { attributes: { type: "Account" }, Name: good },
              { attributes: { type: "Account" }, Phone: "missing name" },
            ],
          },
        },
      ],
    });
    expect(status).toBe(200);
    const sub = (json as { compositeResponse: SubResponse[] }).compositeResponse[0];
    expect(sub.httpStatusCode).toBe(200);
    const results = sub.body as ItemResult[];
    expect(results[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(results[1].errors[0].statusCode).toBe("REQUIRED_FIELD_MISSING");
    // what the answer says must be true of the store
    expect(liveAccountNames().filter((n) => n === good)).toEqual([]);
  });

  it("a collection subrequest with allOrNone:true inside a composite batch rolls back its own records", async () => {
    const good = tag("batch-aon-good");
    const { status, json } = await collection("POST", "/composite/batch", {
      batchRequests: [
        {
          method: "POST",
          url: "v67.0/composite/sobjects",
          richInput: {
            allOrNone: true,
            records: [{ attributes: { type: "Account" }, Name: good }, { attributes: { type: "Account" } }],
          },
        },
      ],
    });
    expect(status).toBe(200);
    const results = (json as { results: Array<{ statusCode: number; result: ItemResult[] }> }).results[0].result;
    expect(results[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(liveAccountNames().filter((n) => n === good)).toEqual([]);
  });

  it("more than 25 subrequests is 400 and nothing runs", async () => {
    const prefix = tag("comp-26");
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({
      method: "POST",
      url: `${V}/sobjects/Account`,
      referenceId: `r${i}`,
      body: { Name: `${prefix}-${i}` },
    }));
    const { status, json } = await collection("POST", "/composite", { allOrNone: false, compositeRequest });
    expect(status).toBe(400);
    expect(Array.isArray(json)).toBe(true);
    expect(liveAccountNames().filter((n) => n.startsWith(prefix))).toEqual([]);
  });

  it("more than 5 collection subrequests in one composite is 400 and nothing runs", async () => {
    const prefix = tag("comp-6-coll");
    const compositeRequest = Array.from({ length: 6 }, (_, i) => ({
      method: "POST",
      url: `${V}/composite/sobjects`,
      referenceId: `c${i}`,
      body: { allOrNone: false, records: [{ attributes: { type: "Account" }, Name: `${prefix}-${i}` }] },
    }));
    const { status } = await collection("POST", "/composite", { compositeRequest });
    expect(status).toBe(400);
    expect(liveAccountNames().filter((n) => n.startsWith(prefix))).toEqual([]);
    const five = await collection("POST", "/composite", { compositeRequest: compositeRequest.slice(0, 5) });
    expect(five.status).toBe(200);
    expect(liveAccountNames().filter((n) => n.startsWith(prefix))).toHaveLength(5);
  });

  it("25 subrequests are accepted", async () => {
    const prefix = tag("comp-25");
    const compositeRequest = Array.from({ length: 25 }, (_, i) => ({
      method: "POST",
      url: `${V}/sobjects/Account`,
      referenceId: `r${i}`,
      body: { Name: `${prefix}-${i}` },
    }));
    const { status, json } = await collection("POST", "/composite", { allOrNone: false, compositeRequest });
    expect(status).toBe(200);
    expect(
      (json as { compositeResponse: SubResponse[] }).compositeResponse.every((r) => r.httpStatusCode === 201),
    ).toBe(true);
    expect(liveAccountNames().filter((n) => n.startsWith(`${prefix}-`))).toHaveLength(25);
  });

  it("counts as a single API request however many subrequests it has", async () => {
    const usage = (res: Response) => Number(/api-usage=(\d+)\//.exec(res.headers.get("sforce-limit-info") ?? "")?.[1]);
    const first = await t.api(INTEGRATION, "/limits");
    const n0 = usage(first);
    const composite = await t.api(INTEGRATION, "/composite", {
      method: "POST",
      body: {
        compositeRequest: [
          { method: "POST", url: `${V}/sobjects/Account`, referenceId: "a", body: { Name: tag("one-call") } },
          { method: "GET", url: `${V}/sobjects/Account/@{a.id}`, referenceId: "b" },
          { method: "GET", url: `${V}/sobjects/Account/@{a.id}`, referenceId: "c" },
        ],
      },
    });
    expect(composite.status).toBe(200);
    expect(usage(composite)).toBe(n0 + 1);
  });
});

describe("POST /composite/batch", () => {
  it("runs independent subrequests and reports hasErrors with each statusCode", async () => {
    const name = tag("batch");
    const id = await createAccount({ Name: name });
    const missing = absentId("001");
    const { status, json } = await collection("POST", "/composite/batch", {
      batchRequests: [
        { method: "GET", url: `v67.0/sobjects/Account/${id}` },
        { method: "PATCH", url: `v67.0/sobjects/Account/${id}`, richInput: { Phone: "batch" } },
        { method: "GET", url: `v67.0/sobjects/Account/${missing}` },
      ],
    });
    expect(status).toBe(200);
    const body = json as { hasErrors: boolean; results: Array<{ statusCode: number; result: unknown }> };
    expect(body.hasErrors).toBe(true);
    expect(body.results.map((r) => r.statusCode)).toEqual([200, 204, 404]);
    expect((body.results[0].result as { Name: string }).Name).toBe(name);
    expect(body.results[1].result).toBeNull();
    expect((body.results[2].result as Array<{ errorCode: string }>)[0].errorCode).toBe("NOT_FOUND");
    expect((await readAccount(id))?.Phone).toBe("batch");
  });

  it("hasErrors is false when every subrequest succeeds", async () => {
    const id = await createAccount({ Name: tag("batch-ok") });
    const { status, json } = await collection("POST", "/composite/batch", {
      batchRequests: [
        { method: "GET", url: `v67.0/sobjects/Account/${id}` },
        { method: "GET", url: "v67.0/sobjects/Account/describe" },
      ],
    });
    expect(status).toBe(200);
    const body = json as { hasErrors: boolean; results: Array<{ statusCode: number }> };
    expect(body.hasErrors).toBe(false);
    expect(body.results.map((r) => r.statusCode)).toEqual([200, 200]);
  });

  it("counts each subrequest against the daily API limit, where /composite counts once", async () => {
    const id = await createAccount({ Name: tag("batch-count") });
    const get = { method: "GET", url: `v67.0/sobjects/Account/${id}` };
    const before = t.org.apiUsage.used();
    expect((await collection("POST", "/composite/batch", { batchRequests: [get, get, get] })).status).toBe(200);
    expect(t.org.apiUsage.used() - before).toBe(3);
    const compositeRequest = [0, 1, 2].map((i) => ({
      method: "GET",
      url: `${V}/sobjects/Account/${id}`,
      referenceId: `r${i}`,
    }));
    const between = t.org.apiUsage.used();
    expect((await collection("POST", "/composite", { compositeRequest })).status).toBe(200);
    expect(t.org.apiUsage.used() - between).toBe(1);
  });

  it("more than 25 subrequests is 400", async () => {
    const batchRequests = Array.from({ length: 26 }, () => ({ method: "GET", url: "v67.0/sobjects/Account/describe" }));
    const { status } = await collection("POST", "/composite/batch", { batchRequests });
    expect(status).toBe(400);
  });
});
