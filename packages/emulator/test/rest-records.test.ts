import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// Single-record CRUD, upsert and read by external id, as the reference describes them
// (salesforce-api.md §0 IDs and JSON formats, §2.4, §2.9).

const ADMIN = DEMO.admin.username;
const INTEGRATION = DEMO.integration.username;
const V = "/services/data/v67.0";
const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/;

/** The 3-character checksum of a 15-character id, written from the reference (§0 IDs), not from src. */
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

/** A well-formed 18-character id that no record has. */
function absentId(prefix: string): string {
  const id15 = `${prefix}Zz9ZZZZZZZZZZ`.slice(0, 15);
  return id15 + checksumOf(id15);
}

interface ErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

async function errorOf(res: Response, status: number, errorCode: string): Promise<ErrorItem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json(;|$)/);
  const body = JSON.parse(text) as ErrorItem[];
  expect(Array.isArray(body), text).toBe(true);
  expect(body).toHaveLength(1);
  expect(body[0].errorCode).toBe(errorCode);
  return body[0];
}

let t: DemoOrg;
beforeAll(async () => {
  t = await startDemoOrg();
});
afterAll(async () => {
  await t.close();
});

let counter = 0;
const unique = (label: string) => `${label} ${++counter} ${Date.now()}`;

async function createAccount(body: Record<string, unknown>, user = INTEGRATION): Promise<string> {
  const res = await t.api(user, "/sobjects/Account", { method: "POST", body });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { id: string }).id;
}

async function getRecord(type: string, id: string, user = INTEGRATION): Promise<Record<string, unknown>> {
  const res = await t.api(user, `/sobjects/${type}/${id}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Record<string, unknown>;
}

async function advanceClock(seconds: number): Promise<void> {
  const res = await t.control("/clock/advance", { method: "POST", body: { seconds } });
  expect(res.status).toBe(200);
}

describe("create", () => {
  it("answers 201 with an 18-character Account id, success and no errors, and a Location header", async () => {
    const res = await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: unique("Create") } });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json(;|$)/);
    const body = (await res.json()) as { id: string; success: boolean; errors: unknown[] };
    expect(body.success).toBe(true);
    expect(body.errors).toEqual([]);
    expect(body.id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    expect(body.id.slice(15)).toBe(checksumOf(body.id.slice(0, 15)));
    expect(res.headers.get("location") ?? "").toMatch(
      new RegExp(`${V.replace(/\./g, "\\.")}/sobjects/Account/${body.id}$`),
    );
  });

  it("ignores attributes, type and id keys in the body, as jsforce sends them", async () => {
    const name = unique("Ignored keys");
    const id = await createAccount({ attributes: { type: "Account" }, Name: name });
    const record = await getRecord("Account", id);
    expect(record.Name).toBe(name);
  });

  it("a Contact gets key prefix 003 and its derived Name", async () => {
    const res = await t.api(INTEGRATION, "/sobjects/Contact", {
      method: "POST",
      body: { FirstName: "Grace", LastName: "Hopper" },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^003[a-zA-Z0-9]{15}$/);
    const record = await getRecord("Contact", id);
    expect(record.Name).toBe("Grace Hopper");
  });
});

describe("read", () => {
  it("returns attributes, every visible field, datetimes in Salesforce's format and the address compound", async () => {
    const name = unique("Read");
    const id = await createAccount({
      Name: name,
      BillingStreet: "1 Rue de Rivoli",
      BillingCity: "Paris",
      BillingPostalCode: "75001",
      BillingCountry: "France",
      NumberOfEmployees: 42,
      Industry: "Banking",
    });
    const record = await getRecord("Account", id);
    expect(record.attributes).toEqual({ type: "Account", url: `${V}/sobjects/Account/${id}` });
    expect(record.Id).toBe(id);
    expect(record.Name).toBe(name);
    expect(record.NumberOfEmployees).toBe(42);
    expect(record.Industry).toBe("Banking");
    expect(record.IsDeleted).toBe(false);
    for (const f of ["CreatedDate", "LastModifiedDate", "SystemModstamp"]) expect(record[f]).toMatch(SF_DATETIME);
    expect(record.BillingAddress).toEqual({
      street: "1 Rue de Rivoli",
      city: "Paris",
      state: null,
      postalCode: "75001",
      country: "France",
      latitude: null,
      longitude: null,
      geocodeAccuracy: null,
    });
    expect(record.BillingCity).toBe("Paris");
    // No shipping component set: the compound is null.
    expect(record.ShippingAddress).toBeNull();
    const owner = await t
      .control("/info")
      .then((r) => r.json() as Promise<{ users: Array<{ username: string; id: string }> }>);
    expect(record.OwnerId).toBe(owner.users.find((u) => u.username === INTEGRATION)!.id);
    expect(record.CreatedById).toBe(record.OwnerId);
  });

  it("?fields= limits the answer to the fields asked for", async () => {
    const name = unique("Fields");
    const id = await createAccount({ Name: name, BillingCity: "Oslo", Phone: "555-0100", Industry: "Energy" });
    const record = await getRecord("Account", `${id}?fields=Name,BillingCity`);
    expect(record.attributes).toEqual({ type: "Account", url: `${V}/sobjects/Account/${id}` });
    expect(record.Name).toBe(name);
    expect(record.BillingCity).toBe("Oslo");
    expect(record).not.toHaveProperty("Phone");
    expect(record).not.toHaveProperty("Industry");
    expect(record).not.toHaveProperty("CreatedDate");
  });

  it("?fields= with an unknown field is 400 INVALID_FIELD", async () => {
    const id = await createAccount({ Name: unique("Bad fields") });
    const err = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}?fields=Name,Nope__c`),
      400,
      "INVALID_FIELD",
    );
    expect(err.message).toContain("Nope__c");
  });

  it("accepts the 15-character form of an id and answers with the 18-character one", async () => {
    const id = await createAccount({ Name: unique("Fifteen") });
    const record = await getRecord("Account", id.slice(0, 15));
    expect(record.Id).toBe(id);
    expect((record.attributes as { url: string }).url).toBe(`${V}/sobjects/Account/${id}`);
    const patch = await t.api(INTEGRATION, `/sobjects/Account/${id.slice(0, 15)}`, {
      method: "PATCH",
      body: { Phone: "15" },
    });
    expect(patch.status).toBe(204);
    expect((await getRecord("Account", id)).Phone).toBe("15");
  });

  it("a well-formed id that no record has is 404 NOT_FOUND", async () => {
    const err = await errorOf(await t.api(INTEGRATION, `/sobjects/Account/${absentId("001")}`), 404, "NOT_FOUND");
    expect(err.message).toBe("The requested resource does not exist");
  });

  it("a last segment that is not an id is read as an external id field: 404 NOT_FOUND naming it", async () => {
    const err = await errorOf(await t.api(INTEGRATION, "/sobjects/Account/notAnId"), 404, "NOT_FOUND");
    expect(err.message).toBe("Provided external ID field does not exist or is not accessible: notAnId");
  });
});

describe("update", () => {
  it("answers 204 with no body, moves LastModifiedDate and SystemModstamp, keeps CreatedDate", async () => {
    const id = await createAccount({ Name: unique("Update") });
    const before = await getRecord("Account", id);
    await advanceClock(5);
    const res = await t.api(INTEGRATION, `/sobjects/Account/${id}`, {
      method: "PATCH",
      body: { Phone: "555-0199", Industry: "Retail" },
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const after = await getRecord("Account", id);
    expect(after.Phone).toBe("555-0199");
    expect(after.Industry).toBe("Retail");
    expect(after.Name).toBe(before.Name);
    expect(after.CreatedDate).toBe(before.CreatedDate);
    expect(after.LastModifiedDate).toMatch(SF_DATETIME);
    expect(after.SystemModstamp).toMatch(SF_DATETIME);
    const moved =
      Date.parse(String(after.SystemModstamp).replace("+0000", "Z")) -
      Date.parse(String(before.SystemModstamp).replace("+0000", "Z"));
    expect(moved).toBeGreaterThanOrEqual(5000);
    expect(after.LastModifiedDate).toBe(after.SystemModstamp);
  });

  it("setting a field to null clears it", async () => {
    const id = await createAccount({ Name: unique("Null"), Phone: "1" });
    const res = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Phone: null } });
    expect(res.status).toBe(204);
    expect((await getRecord("Account", id)).Phone).toBeNull();
  });

  it("a well-formed id that no record has is 404 NOT_FOUND", async () => {
    const res = await t.api(INTEGRATION, `/sobjects/Account/${absentId("001")}`, {
      method: "PATCH",
      body: { Phone: "1" },
    });
    await errorOf(res, 404, "NOT_FOUND");
  });
});

describe("delete", () => {
  it("answers 204; the record is then 404 NOT_FOUND; a second delete is 404 ENTITY_IS_DELETED", async () => {
    const id = await createAccount({ Name: unique("Delete") });
    const del = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    const get = await errorOf(await t.api(INTEGRATION, `/sobjects/Account/${id}`), 404, "NOT_FOUND");
    expect(get.message).toBe("The requested resource does not exist");
    const again = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" }),
      404,
      "ENTITY_IS_DELETED",
    );
    expect(again.message).toBe("entity is deleted");
  });

  it("updating a record in the recycle bin is 404 ENTITY_IS_DELETED", async () => {
    const id = await createAccount({ Name: unique("Deleted update") });
    expect((await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "DELETE" })).status).toBe(204);
    const res = await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Phone: "1" } });
    const err = await errorOf(res, 404, "ENTITY_IS_DELETED");
    expect(err.message).toBe("entity is deleted");
  });

  it("deleting a well-formed id that never existed is 404", async () => {
    const res = await t.api(INTEGRATION, `/sobjects/Account/${absentId("001")}`, { method: "DELETE" });
    expect(res.status).toBe(404);
  });
});

describe("upsert and read by external id", () => {
  it("creates (201, created:true), then updates (200, created:false) the same record", async () => {
    const ext = `EXT-${++counter}-${Date.now()}`;
    const first = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`, {
      method: "PATCH",
      body: { Name: "Upsert one" },
    });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; success: boolean; errors: unknown[]; created: boolean };
    expect(created).toEqual({ id: created.id, success: true, errors: [], created: true });
    expect(created.id).toMatch(/^001[a-zA-Z0-9]{15}$/);

    const second = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`, {
      method: "PATCH",
      body: { Name: "Upsert two" },
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ id: created.id, success: true, errors: [], created: false });

    const record = await getRecord("Account", created.id);
    expect(record.Name).toBe("Upsert two");
    expect(record.External_Id__c).toBe(ext);
  });

  it("GET by external id returns the record", async () => {
    const ext = `GET-${++counter}-${Date.now()}`;
    const name = unique("By ext id");
    const id = await createAccount({ Name: name, External_Id__c: ext });
    const res = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as Record<string, unknown>;
    expect(record.Id).toBe(id);
    expect(record.Name).toBe(name);
    expect(record.attributes).toEqual({ type: "Account", url: `${V}/sobjects/Account/${id}` });
  });

  it("GET by an external id value that no record has is 404 NOT_FOUND", async () => {
    await errorOf(await t.api(INTEGRATION, "/sobjects/Account/External_Id__c/NO-SUCH-VALUE"), 404, "NOT_FOUND");
  });

  it("answers before v46 with 204 for an update by external id", async () => {
    const ext = `OLD-${++counter}-${Date.now()}`;
    const id = await createAccount({ Name: unique("Old version"), External_Id__c: ext });
    const res = await fetch(`${t.emulator.urls.myDomain}/services/data/v45.0/sobjects/Account/External_Id__c/${ext}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${t.token(INTEGRATION)}`, "content-type": "application/json" },
      body: JSON.stringify({ Phone: "45" }),
    });
    expect(res.status).toBe(204);
    expect((await getRecord("Account", id)).Phone).toBe("45");
  });

  it("an unknown external id field is 404 NOT_FOUND 'Provided external ID field does not exist or is not accessible'", async () => {
    for (const method of ["GET", "PATCH"]) {
      const res = await t.api(
        INTEGRATION,
        "/sobjects/Account/Nope__c/abc",
        method === "PATCH" ? { method, body: { Name: "x" } } : { method },
      );
      const err = await errorOf(res, 404, "NOT_FOUND");
      expect(err.message).toBe("Provided external ID field does not exist or is not accessible: Nope__c");
    }
  });

  it("two records sharing a non-unique external id: upsert and GET answer 300 with the record URLs, nothing changes", async () => {
    const added = await t.control("/objects", {
      method: "POST",
      body: {
        name: "Account",
        fields: [{ name: "Legacy_Key__c", type: "string", length: 40, externalId: true }],
        grantTo: ["Standard User"],
      },
    });
    expect(added.status).toBe(201);
    const a = await createAccount({ Name: "Dup A", Legacy_Key__c: "SHARED-1" });
    const b = await createAccount({ Name: "Dup B", Legacy_Key__c: "SHARED-1" });

    const upsert = await t.api(INTEGRATION, "/sobjects/Account/Legacy_Key__c/SHARED-1", {
      method: "PATCH",
      body: { Name: "Changed" },
    });
    expect(upsert.status).toBe(300);
    const urls = (await upsert.json()) as string[];
    expect(Array.isArray(urls)).toBe(true);
    expect([...urls].sort()).toEqual([`${V}/sobjects/Account/${a}`, `${V}/sobjects/Account/${b}`].sort());

    const get = await t.api(INTEGRATION, "/sobjects/Account/Legacy_Key__c/SHARED-1");
    expect(get.status).toBe(300);
    expect(((await get.json()) as string[]).sort()).toEqual(
      [`${V}/sobjects/Account/${a}`, `${V}/sobjects/Account/${b}`].sort(),
    );

    expect((await getRecord("Account", a)).Name).toBe("Dup A");
    expect((await getRecord("Account", b)).Name).toBe("Dup B");
  });

  it("a unique external id value taken by another record is 400 DUPLICATE_VALUE", async () => {
    const ext = `UNIQ-${++counter}-${Date.now()}`;
    const first = await createAccount({ Name: unique("Unique"), External_Id__c: ext });
    const res = await t.api(INTEGRATION, "/sobjects/Account", {
      method: "POST",
      body: { Name: unique("Unique 2"), External_Id__c: ext },
    });
    const err = await errorOf(res, 400, "DUPLICATE_VALUE");
    expect(err.message).toBe(`duplicate value found: External_Id__c duplicates value on record with id: ${first}`);
  });
});

describe("write errors", () => {
  it("a missing required field is 400 REQUIRED_FIELD_MISSING naming it", async () => {
    const cases: Array<{ type: string; body: Record<string, unknown>; field: string }> = [
      { type: "Account", body: { Phone: "1" }, field: "Name" },
      { type: "Contact", body: { FirstName: "No last name" }, field: "LastName" },
    ];
    for (const c of cases) {
      const err = await errorOf(
        await t.api(INTEGRATION, `/sobjects/${c.type}`, { method: "POST", body: c.body }),
        400,
        "REQUIRED_FIELD_MISSING",
      );
      expect(err.message).toBe(`Required fields are missing: [${c.field}]`);
      expect(err.fields).toEqual([c.field]);
    }
  });

  it("clearing a required field on update is 400 REQUIRED_FIELD_MISSING", async () => {
    const id = await createAccount({ Name: unique("Required") });
    const err = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { Name: null } }),
      400,
      "REQUIRED_FIELD_MISSING",
    );
    expect(err.fields).toEqual(["Name"]);
  });

  it("values longer than the field are 400 STRING_TOO_LONG, and nothing is written", async () => {
    const cases = [
      { body: { Name: "x".repeat(256) }, field: "Name", max: 255 },
      { body: { Name: "ok", External_Id__c: "e".repeat(41) }, field: "External_Id__c", max: 40 },
      { body: { Name: "ok", AccountNumber: "n".repeat(41) }, field: "AccountNumber", max: 40 },
    ];
    const before = t.org.store.tableOrThrow("Account").size;
    for (const c of cases) {
      const err = await errorOf(
        await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: c.body }),
        400,
        "STRING_TOO_LONG",
      );
      expect(err.fields).toEqual([c.field]);
      expect(err.message).toMatch(/^[A-Za-z][\w ]*: data value too large: /);
      expect(err.message).not.toMatch(/^undefined/);
      expect(err.message).toContain(`(max length=${c.max})`);
    }
    expect(t.org.store.tableOrThrow("Account").size).toBe(before);
  });

  it("a value exactly at the maximum length is accepted", async () => {
    const id = await createAccount({ Name: "y".repeat(255) });
    expect((await getRecord("Account", id)).Name).toBe("y".repeat(255));
  });

  it("bad JSON is 400 JSON_PARSER_ERROR on create and update", async () => {
    const id = await createAccount({ Name: unique("Bad JSON") });
    const cases = [
      { path: "/sobjects/Account", method: "POST", body: '{"Name": "unterminated' },
      { path: "/sobjects/Account", method: "POST", body: "{Name: 'single quotes'}" },
      { path: `/sobjects/Account/${id}`, method: "PATCH", body: '{"Phone": }' },
    ];
    for (const c of cases) {
      await errorOf(await t.api(INTEGRATION, c.path, { method: c.method, body: c.body }), 400, "JSON_PARSER_ERROR");
    }
  });

  it("an unknown field is 400 INVALID_FIELD naming it", async () => {
    const err = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "x", Bogus__c: 1 } }),
      400,
      "INVALID_FIELD",
    );
    expect(err.message).toBe("No such column 'Bogus__c' on sobject of type Account");
    const id = await createAccount({ Name: unique("Unknown field") });
    const upd = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/${id}`, { method: "PATCH", body: { NoSuchField: 1 } }),
      400,
      "INVALID_FIELD",
    );
    expect(upd.message).toBe("No such column 'NoSuchField' on sobject of type Account");
  });

  it("system and formula fields are 400 INVALID_FIELD_FOR_INSERT_UPDATE naming the field", async () => {
    const account = await createAccount({ Name: unique("Parent") }, ADMIN);
    const invoice = await t.api(ADMIN, "/sobjects/Invoice__c", {
      method: "POST",
      body: { Name: "INV-RO", Account__c: account },
    });
    expect(invoice.status).toBe(201);
    const invoiceId = ((await invoice.json()) as { id: string }).id;
    const accountId = await createAccount({ Name: unique("Read-only fields") });
    const cases: Array<{ user: string; path: string; method: string; body: Record<string, unknown>; field: string }> = [
      {
        user: INTEGRATION,
        path: "/sobjects/Account",
        method: "POST",
        body: { Name: "x", CreatedDate: "2020-01-01T00:00:00.000+0000" },
        field: "CreatedDate",
      },
      {
        user: INTEGRATION,
        path: `/sobjects/Account/${accountId}`,
        method: "PATCH",
        body: { SystemModstamp: "2020-01-01T00:00:00.000+0000" },
        field: "SystemModstamp",
      },
      {
        user: INTEGRATION,
        path: `/sobjects/Account/${accountId}`,
        method: "PATCH",
        body: { CreatedById: account.replace(/^001/, "005") },
        field: "CreatedById",
      },
      {
        user: ADMIN,
        path: "/sobjects/Invoice__c",
        method: "POST",
        body: { Name: "INV-X", Account_Name__c: "forced" },
        field: "Account_Name__c",
      },
      {
        user: ADMIN,
        path: `/sobjects/Invoice__c/${invoiceId}`,
        method: "PATCH",
        body: { Account_Name__c: "forced" },
        field: "Account_Name__c",
      },
    ];
    for (const c of cases) {
      const err = await errorOf(
        await t.api(c.user, c.path, { method: c.method, body: c.body }),
        400,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
      );
      expect(err.fields).toEqual([c.field]);
      expect(err.message).toMatch(
        new RegExp(`^Unable to create/update fields: ${c.field}\\. Please check the security settings of this field`),
      );
    }
  });

  it("a malformed reference id is 400 MALFORMED_ID naming the field", async () => {
    const err = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "x", ParentId: "not-an-id" } }),
      400,
      "MALFORMED_ID",
    );
    expect(err.fields).toEqual(["ParentId"]);
    expect(err.message).toContain("id value of incorrect type: not-an-id");
    const c = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Contact", { method: "POST", body: { LastName: "x", AccountId: "001short" } }),
      400,
      "MALFORMED_ID",
    );
    expect(c.fields).toEqual(["AccountId"]);
  });

  it("a value of the wrong type for a number field is rejected with 400", async () => {
    const res = await t.api(INTEGRATION, "/sobjects/Account", {
      method: "POST",
      body: { Name: "x", NumberOfEmployees: "many" },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorItem[];
    expect(body[0].message).toContain("many");
  });
});

describe("cross-object formula", () => {
  it("Invoice__c.Account_Name__c follows the parent's Name without the child's SystemModstamp moving", async () => {
    const accountId = await createAccount({ Name: "Formula Parent One" }, ADMIN);
    const created = await t.api(ADMIN, "/sobjects/Invoice__c", {
      method: "POST",
      body: { Name: "INV-1", Account__c: accountId, Amount__c: 12.5 },
    });
    expect(created.status).toBe(201);
    const invoiceId = ((await created.json()) as { id: string }).id;
    const before = await getRecord("Invoice__c", invoiceId, ADMIN);
    expect(before.Account_Name__c).toBe("Formula Parent One");
    expect(before.Amount__c).toBe(12.5);

    await advanceClock(5);
    const rename = await t.api(ADMIN, `/sobjects/Account/${accountId}`, {
      method: "PATCH",
      body: { Name: "Formula Parent Two" },
    });
    expect(rename.status).toBe(204);

    const after = await getRecord("Invoice__c", invoiceId, ADMIN);
    expect(after.Account_Name__c).toBe("Formula Parent Two");
    expect(after.SystemModstamp).toBe(before.SystemModstamp);
    expect(after.LastModifiedDate).toBe(before.LastModifiedDate);
  });

  it("the formula is null when the lookup is empty", async () => {
    const created = await t.api(ADMIN, "/sobjects/Invoice__c", { method: "POST", body: { Name: "INV-2" } });
    expect(created.status).toBe(201);
    const invoiceId = ((await created.json()) as { id: string }).id;
    expect((await getRecord("Invoice__c", invoiceId, ADMIN)).Account_Name__c).toBeNull();
  });
});

describe("more upsert and body shapes", () => {
  it("a JSON body that is not an object is 400 JSON_PARSER_ERROR, on create, update and upsert, never 500", async () => {
    const id = await createAccount({ Name: unique("Shapes") });
    const bodies = ["null", "[]", '[{"Name":"x"}]', '"text"', "42"];
    const paths = [
      ["POST", "/sobjects/Account"],
      ["PATCH", `/sobjects/Account/${id}`],
      ["PATCH", "/sobjects/Account/External_Id__c/SHAPE-1"],
    ] as const;
    const expected: string[] = [];
    const actual: string[] = [];
    for (const body of bodies) {
      for (const [method, path] of paths) {
        const res = await t.api(INTEGRATION, path, { method, body });
        const text = await res.text();
        const code = res.status >= 400 ? (JSON.parse(text) as ErrorItem[])[0]?.errorCode : "-";
        expected.push(`${method} ${path.replace(id, "{id}")} ${body} -> 400 JSON_PARSER_ERROR`);
        actual.push(`${method} ${path.replace(id, "{id}")} ${body} -> ${res.status} ${code}`);
      }
    }
    expect(actual).toEqual(expected);
    expect((await getRecord("Account", id)).Name).toMatch(/^Shapes/);
  });

  it("an empty string is stored as null: a required Name of '' is REQUIRED_FIELD_MISSING, an optional '' reads back null", async () => {
    const err = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "" } }),
      400,
      "REQUIRED_FIELD_MISSING",
    );
    expect(err.fields).toEqual(["Name"]);
    const id = await createAccount({ Name: unique("Empty"), Phone: "" });
    expect((await getRecord("Account", id)).Phone).toBeNull();
  });

  it("DELETE by external id removes the record (204), then the value is 404", async () => {
    const ext = `DEL-${++counter}-${Date.now()}`;
    const id = await createAccount({ Name: unique("Delete by ext"), External_Id__c: ext });
    const res = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    await errorOf(await t.api(INTEGRATION, `/sobjects/Account/${id}`), 404, "NOT_FOUND");
    await errorOf(await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`), 404, "NOT_FOUND");
  });

  it("upsert on the Id field updates the record it names (200, created:false)", async () => {
    const id = await createAccount({ Name: unique("Upsert by Id") });
    const res = await t.api(INTEGRATION, `/sobjects/Account/Id/${id}`, { method: "PATCH", body: { Phone: "77" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, success: true, errors: [], created: false });
    expect((await getRecord("Account", id)).Phone).toBe("77");
  });

  it("external id values are URL-decoded and matched case-insensitively", async () => {
    const ext = `Mixed Case/${++counter}`;
    const id = await createAccount({ Name: unique("Encoded"), External_Id__c: ext });
    const res = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${encodeURIComponent(ext.toUpperCase())}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Id: string }).Id).toBe(id);
    const upsert = await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${encodeURIComponent(ext)}`, {
      method: "PATCH",
      body: { Phone: "enc" },
    });
    expect(upsert.status).toBe(200);
    expect((await upsert.json()) as { id: string; created: boolean }).toMatchObject({ id, created: false });
  });

  it("upsert that would create without a required field is 400 REQUIRED_FIELD_MISSING and writes nothing", async () => {
    const ext = `REQ-${++counter}-${Date.now()}`;
    const err = await errorOf(
      await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`, { method: "PATCH", body: { Phone: "1" } }),
      400,
      "REQUIRED_FIELD_MISSING",
    );
    expect(err.fields).toEqual(["Name"]);
    await errorOf(await t.api(INTEGRATION, `/sobjects/Account/External_Id__c/${ext}`), 404, "NOT_FOUND");
  });

  it("a restricted picklist rejects a value outside its list with INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST; an unrestricted one accepts it", async () => {
    const added = await t.control("/objects", {
      method: "POST",
      body: {
        name: "Account",
        fields: [{ name: "Segment__c", type: "picklist", picklistValues: ["SMB", "Enterprise"], restricted: true }],
        grantTo: ["Standard User"],
      },
    });
    expect(added.status).toBe(201);
    const err = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Account", { method: "POST", body: { Name: "x", Segment__c: "Huge" } }),
      400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    );
    expect(err.fields).toEqual(["Segment__c"]);
    const ok = await createAccount({ Name: unique("Picklists"), Segment__c: "SMB", Tier__c: "Platinum" });
    const record = await getRecord("Account", ok);
    expect(record.Segment__c).toBe("SMB");
    expect(record.Tier__c).toBe("Platinum");
  });

  it("an object the org does not have is 404 NOT_FOUND", async () => {
    const err = await errorOf(
      await t.api(INTEGRATION, "/sobjects/Nope__c", { method: "POST", body: { Name: "x" } }),
      404,
      "NOT_FOUND",
    );
    expect(err.message).toBe("The requested resource does not exist");
  });
});

describe("field names", () => {
  it("field names in bodies and ?fields= are case-insensitive; answers use the canonical names", async () => {
    const res = await t.api(INTEGRATION, "/sobjects/account", {
      method: "POST",
      body: { name: "Lower case keys", billingcity: "Lima" },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const record = await getRecord("Account", `${id}?fields=NAME,billingCity`);
    expect(record.Name).toBe("Lower case keys");
    expect(record.BillingCity).toBe("Lima");
    expect((record.attributes as { type: string }).type).toBe("Account");
  });
});
