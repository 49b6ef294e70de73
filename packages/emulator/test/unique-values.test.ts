import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

// Unique fields and external ids are looked up through a value index kept as rows are written
// (a scan per row made large writes quadratic): a re-keyed row frees its old value, a rolled-back
// change gives the row its old value back, and text compares ignoring case.

const USER = DEMO.integration.username;

let t: DemoOrg;
beforeAll(async () => {
  t = await startDemoOrg();
});
afterAll(async () => {
  await t.close();
});

async function create(ext: string): Promise<{ status: number; body: unknown }> {
  const res = await t.api(USER, "/sobjects/Account", {
    method: "POST",
    body: { Name: `Unique ${ext}`, External_Id__c: ext },
  });
  return { status: res.status, body: await res.json() };
}

async function idByExternalId(ext: string): Promise<string | null> {
  const res = await t.api(USER, `/sobjects/Account/External_Id__c/${encodeURIComponent(ext)}`);
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return ((await res.json()) as { Id: string }).Id;
}

describe("unique and external id values", () => {
  it("refuses a second row with the same value in another case, and frees a value once its row is re-keyed", async () => {
    const first = await create("UV-1");
    expect(first.status).toBe(201);
    const id = (first.body as { id: string }).id;
    const again = await create("uv-1");
    expect(again.status).toBe(400);
    expect((again.body as Array<{ errorCode: string }>)[0].errorCode).toBe("DUPLICATE_VALUE");

    const rekey = await t.api(USER, `/sobjects/Account/${id}`, { method: "PATCH", body: { External_Id__c: "UV-2" } });
    expect(rekey.status).toBe(204);
    expect(await idByExternalId("uv-2")).toBe(id);
    expect(await idByExternalId("UV-1")).toBeNull();
    expect((await create("UV-1")).status).toBe(201);
    expect((await create("UV-2")).status).toBe(400);
  });

  it("an upsert by external id finds a row keyed by an update, and a rolled-back change keeps the old key", async () => {
    const made = await create("UV-3");
    const id = (made.body as { id: string }).id;
    const upserted = await t.api(USER, "/sobjects/Account/External_Id__c/uv-3", {
      method: "PATCH",
      body: { Name: "Upserted UV-3" },
    });
    expect(upserted.status).toBe(200);
    expect(((await upserted.json()) as { id: string; created: boolean }).created).toBe(false);

    // allOrNone: the re-key of the first record is undone when the second record fails.
    const res = await t.api(USER, "/composite/sobjects", {
      method: "PATCH",
      body: {
        allOrNone: true,
        records: [
          { attributes: { type: "Account" }, id, External_Id__c: "UV-4" },
          { attributes: { type: "Account" }, id, Name: "x".repeat(256) },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Array<{ success: boolean }>).map((r) => r.success)).toEqual([false, false]);
    expect(await idByExternalId("UV-3")).toBe(id);
    expect(await idByExternalId("UV-4")).toBeNull();
    expect((await create("UV-4")).status).toBe(201);
    expect((await create("UV-3")).status).toBe(400);
  });
});
