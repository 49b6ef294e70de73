import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildOrg } from "../src/seed/build-org.ts";
import { DEMO, DEMO_SEED } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/demo-org.ts";
import { csvRecords } from "./bulk-harness.ts";

let demo: DemoOrg;
const user = DEMO.integration.username;

beforeAll(async () => {
  demo = await startDemoOrg();
});
afterAll(async () => {
  await demo.close();
});
afterEach(async () => {
  await demo.control("/faults", { method: "DELETE" });
});

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
const read = async (res: Response): Promise<any> => res.json();

const live = (object: string, where: (r: Record<string, unknown>) => boolean) =>
  [...demo.org.store.tableOrThrow(object).live()].filter((r) => where(r));
const named = (prefix: string) => (r: Record<string, unknown>) => String(r.Name ?? "").startsWith(prefix);

async function setFaults(body: Record<string, unknown>) {
  const res = await demo.control("/faults", { method: "PUT", body });
  expect(res.status).toBe(200);
  return res.json();
}

async function collectionInsert(prefix: string, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({
    attributes: { type: "Account" },
    Name: `${prefix}-${i}`,
  }));
  const res = await demo.api(user, "/composite/sobjects", { method: "POST", body: { allOrNone: false, records } });
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
}

async function bulkInsert(
  csv: string,
): Promise<{ ok: Array<Record<string, string>>; failed: Array<Record<string, string>> }> {
  const created = await demo.api(user, "/jobs/ingest", {
    method: "POST",
    body: { object: "Account", operation: "insert" },
  });
  const { id } = (await created.json()) as { id: string };
  const put = await demo.api(user, `/jobs/ingest/${id}/batches`, {
    method: "PUT",
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  expect(put.status).toBe(201);
  await demo.api(user, `/jobs/ingest/${id}`, { method: "PATCH", body: { state: "UploadComplete" } });
  const ok = csvRecords(await (await demo.api(user, `/jobs/ingest/${id}/successfulResults`)).text());
  const failed = csvRecords(await (await demo.api(user, `/jobs/ingest/${id}/failedResults`)).text());
  return { ok, failed };
}

describe("fault: unableToLockRowRate", () => {
  it("fails a seeded share of records, each on its own, in every DML path", async () => {
    const settings = await setFaults({ unableToLockRowRate: 0.5, seed: 7 });
    expect(settings).toMatchObject({ unableToLockRowRate: 0.5, seed: 7 });

    // REST, one record a call.
    const single: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await demo.api(user, "/sobjects/Account", { method: "POST", body: { Name: `lr-rest-${i}` } });
      single.push(res.status);
      if (res.status === 400) expect((await read(res))[0].errorCode).toBe("UNABLE_TO_LOCK_ROW");
    }
    expect(single.filter((s) => s === 201).length).toBe(live("Account", named("lr-rest-")).length);
    expect(single).toContain(400);
    expect(single).toContain(201);

    // sObject Collections: per record.
    const results = await collectionInsert("lr-coll", 20);
    const locked = results.filter((r) => !r.success);
    expect(locked.length).toBeGreaterThan(0);
    expect(locked.length).toBeLessThan(20);
    for (const r of locked) expect(r.errors[0].statusCode).toBe("UNABLE_TO_LOCK_ROW");
    expect(live("Account", named("lr-coll-"))).toHaveLength(20 - locked.length);

    // A composite's collection subrequest.
    const composite = await demo.api(user, "/composite", {
      method: "POST",
      body: {
        allOrNone: false,
        compositeRequest: [
          {
            method: "POST",
            url: "/services/data/v67.0/composite/sobjects",
            referenceId: "c",
            body: {
              records: Array.from({ length: 20 }, (_, i) => ({
                attributes: { type: "Account" },
                Name: `lr-comp-${i}`,
              })),
            },
          },
        ],
      },
    });
    const body = (await read(composite)).compositeResponse[0].body as Array<{ success: boolean }>;
    expect(body.filter((r) => !r.success).length).toBeGreaterThan(0);
    expect(live("Account", named("lr-comp-"))).toHaveLength(body.filter((r) => r.success).length);

    // Bulk ingest rows.
    const { ok, failed } = await bulkInsert(
      `Name\n${Array.from({ length: 20 }, (_, i) => `lr-bulk-${i}`).join("\n")}\n`,
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(20);
    for (const row of failed) expect(row.sf__Error).toMatch(/^UNABLE_TO_LOCK_ROW:/);
    expect(live("Account", named("lr-bulk-"))).toHaveLength(ok.length);
  });

  it("the same seed fails the same records", async () => {
    const pattern = async (prefix: string) => {
      await setFaults({ unableToLockRowRate: 0.3, seed: 42 });
      return (await collectionInsert(prefix, 30)).map((r) => r.success);
    };
    const first = await pattern("seed-a");
    await demo.control("/faults", { method: "DELETE" });
    expect(await pattern("seed-b")).toEqual(first);
  });

  it("leaves the call dice alone: a lock rate does not change which calls errorRate fails", async () => {
    const statuses = async (lockRate: number) => {
      await demo.control("/faults", { method: "DELETE" });
      await setFaults({ errorRate: 0.5, unableToLockRowRate: lockRate, seed: 3, pathContains: "/sobjects/Account" });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await demo.api(user, "/sobjects/Account", { method: "POST", body: { Name: `dice-${i}` } });
        out.push(res.status === 503 ? 503 : 0);
      }
      return out;
    };
    expect(await statuses(0.5)).toEqual(await statuses(0));
  });
});

describe("fault: dropAfterServeRate", () => {
  it("serves the call, then destroys the connection without an answer: the write happened", async () => {
    await setFaults({ dropAfterServeRate: 1, pathContains: "/sobjects/Account" });
    const before = demo.org.counters.snapshot().byEndpoint["POST /services/data/:version/sobjects/:object"] ?? 0;
    const error = await demo
      .api(user, "/sobjects/Account", { method: "POST", body: { Name: "served-then-dropped" } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TypeError); // fetch failed: the socket closed with no answer
    expect(demo.org.counters.snapshot().byEndpoint["POST /services/data/:version/sobjects/:object"]).toBe(before + 1);
    expect(live("Account", (r) => r.Name === "served-then-dropped")).toHaveLength(1);
  });

  it("drops only its share of calls, and never the control surface", async () => {
    await setFaults({ dropAfterServeRate: 0.5, seed: 11 });
    let dropped = 0;
    for (let i = 0; i < 12; i++) {
      const res = await demo.api(user, "/limits").catch(() => null);
      if (res === null) dropped++;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(12);
    expect((await demo.control("/faults")).status).toBe(200);
  });

  it("is refused outside 0..1, and is read from a seed's faults", async () => {
    const bad = await demo.control("/faults", { method: "PUT", body: { dropAfterServeRate: 2 } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("dropAfterServeRate");
    const { org } = buildOrg({
      ...DEMO_SEED,
      generate: {},
      faults: { dropAfterServeRate: 0.25, unableToLockRowRate: 0.1, seed: 5 },
    });
    expect(org.faults.settings).toMatchObject({ dropAfterServeRate: 0.25, unableToLockRowRate: 0.1, seed: 5 });
  });
});

describe("writes as Salesforce documents them", () => {
  it("a JSON record names its parent by the parent's external id; an unknown one fails that record", async () => {
    const parent = await demo.api(user, "/sobjects/Account", {
      method: "POST",
      body: { Name: "ref-parent", External_Id__c: "REF-P" },
    });
    const { id: parentId } = await read(parent);
    const res = await demo.api(user, "/composite/sobjects", {
      method: "POST",
      body: {
        records: [
          { attributes: { type: "Contact" }, LastName: "ref-1", Account: { External_Id__c: "REF-P" } },
          { attributes: { type: "Contact" }, LastName: "ref-2", Account: { External_Id__c: "REF-NONE" } },
          { attributes: { type: "Contact" }, LastName: "ref-3", Account: { External_Id__c: "REF-P", Name: "x" } },
        ],
      },
    });
    const results = await read(res);
    expect(results[0].success).toBe(true);
    expect(live("Contact", (r) => r.Id === results[0].id)[0].AccountId).toBe(parentId);
    expect(results[1].errors[0]).toMatchObject({ statusCode: "INVALID_FIELD" });
    expect(results[1].errors[0].message).toContain("Foreign key external ID: REF-NONE not found");
    expect(results[2].errors[0].statusCode).toBe("INVALID_FIELD");
  });

  it("a composite's allOrNone overrides its collections' own: a failed record rolls back every subrequest", async () => {
    const records = (prefix: string, bad = false) => [
      { attributes: { type: "Contact" }, LastName: `${prefix}-1` },
      bad
        ? { attributes: { type: "Contact" }, FirstName: "no last name" }
        : { attributes: { type: "Contact" }, LastName: `${prefix}-2` },
    ];
    const res = await demo.api(user, "/composite", {
      method: "POST",
      body: {
        allOrNone: true,
        compositeRequest: [
          {
            method: "POST",
            url: "/services/data/v67.0/composite/sobjects",
            referenceId: "a",
            body: { allOrNone: false, records: records("ov-a") },
          },
          {
            method: "POST",
            url: "/services/data/v67.0/composite/sobjects",
            referenceId: "b",
            body: { allOrNone: false, records: records("ov-b", true) },
          },
          {
            method: "POST",
            url: "/services/data/v67.0/composite/sobjects",
            referenceId: "c",
            body: { allOrNone: false, records: records("ov-c") },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [a, b, c] = (await read(res)).compositeResponse;
    expect(a).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: "PROCESSING_HALTED" }] });
    expect(b.httpStatusCode).toBe(200);
    expect(b.body.map((r: { errors: Array<{ statusCode: string }> }) => r.errors[0].statusCode)).toEqual([
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "REQUIRED_FIELD_MISSING",
    ]);
    expect(c).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: "PROCESSING_HALTED" }] });
    expect(live("Contact", (r) => String(r.LastName).startsWith("ov-"))).toHaveLength(0);
  });

  it("a composite without allOrNone leaves each collection to its own flag", async () => {
    const res = await demo.api(user, "/composite", {
      method: "POST",
      body: {
        compositeRequest: [
          {
            method: "POST",
            url: "/services/data/v67.0/composite/sobjects",
            referenceId: "a",
            body: {
              allOrNone: false,
              records: [
                { attributes: { type: "Contact" }, LastName: "own-1" },
                { attributes: { type: "Contact" }, FirstName: "bad" },
              ],
            },
          },
        ],
      },
    });
    expect((await read(res)).compositeResponse[0].httpStatusCode).toBe(200);
    expect(live("Contact", (r) => String(r.LastName).startsWith("own-"))).toHaveLength(1);
  });

  it("refuses an upload over 150 MB base64-encoded (about 112 MB of CSV) before reading it", async () => {
    const created = await demo.api(user, "/jobs/ingest", {
      method: "POST",
      body: { object: "Account", operation: "insert" },
    });
    const { id } = (await created.json()) as { id: string };
    const url = new URL(`${demo.urls.myDomain}/services/data/v67.0/jobs/ingest/${id}/batches`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${demo.token(user)}`,
          "content-type": "text/csv",
          // 113 MB of CSV is over 150 MB once base64-encoded.
          "content-length": String(113 * 1024 * 1024),
        },
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write("Name\nx\n");
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("REQUEST_ENTITY_TOO_LARGE");
    expect(answer.body).toContain("150 MB");
    // The job is still Open and took nothing: a smaller upload is still accepted.
    const put = await demo.api(user, `/jobs/ingest/${id}/batches`, {
      method: "PUT",
      body: "Name\nunder-the-limit\n",
      headers: { "content-type": "text/csv" },
    });
    expect(put.status).toBe(201);
  });
});
