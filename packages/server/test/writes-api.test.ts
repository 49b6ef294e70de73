import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";
import { allResults, type Json, postWrite, writeConnection } from "./support/write-connection.ts";

/**
 * The write API's intake over HTTP: JSON, NDJSON and CSV bodies stored record by record in input
 * order, the streamed bodies past the JSON body limit, Idempotency-Key, and results paged by index.
 */

const backends = suiteBackends();

/**
 * The JSON body limit is 1 MiB here, so a 20,000-row NDJSON body is well past it. No write
 * workers: these suites look at what is stored; queued writes stay queued (small ones still run in
 * their request).
 */
const ENV = { FORCELINK_WRITE_JSON_LIMIT_MB: "1", FORCELINK_WRITE_WORKERS: "0" };

async function stored(h: Harness, writeId: string): Promise<Array<{ idx: number; data: Json }>> {
  return h.sql<{ idx: number; data: Json }>("select idx, data from write_records where write_id = $1 order by idx", [
    writeId,
  ]);
}

describe.each(backends)("write intake (%s)", (backend) => {
  let h: Harness;
  let conn: string;
  let bigRecords: Json[] = [];
  beforeAll(async () => {
    h = await startHarness({ backend, accounts: 3, env: ENV });
    conn = await writeConnection(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("stores a JSON body's records in input order, parent references nested and attributes dropped", async () => {
    const res = await postWrite(h, conn, {
      object: "Contact",
      operation: "insert",
      records: [
        { attributes: { type: "Contact" }, FirstName: "Ada", LastName: "Lovelace" },
        { LastName: "Byron", Email: null, Account: { External_Id__c: "EXT-00001" } },
      ],
    });
    expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
    expect(res.body).toMatchObject({ object: "Contact", operation: "insert", counts: { total: 2 } });
    expect(await stored(h, res.body.id)).toEqual([
      { idx: 0, data: { FirstName: "Ada", LastName: "Lovelace" } },
      { idx: 1, data: { LastName: "Byron", Email: null, Account: { External_Id__c: "EXT-00001" } } },
    ]);
  });

  it("stores text exactly as sent, with the characters COPY text gives a meaning (backslash, tab, line breaks, \\N)", async () => {
    const texts = [
      "C:\\temp\\new",
      "tab\there",
      "two\nlines\r\nand more",
      "\\N",
      "\\\\N",
      'quoted "x" \\" end',
      "é✓😀",
    ];
    const records = texts.map((Description, i) => ({ External_Id__c: `ESC-${i}`, Name: `Escapes ${i}`, Description }));
    const res = await postWrite(h, conn, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`, {
      type: "application/x-ndjson",
      query: { object: "Account", operation: "upsert", externalIdField: "External_Id__c" },
    });
    expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
    expect(await stored(h, res.body.id)).toEqual(records.map((data, idx) => ({ idx, data })));
  });

  it("streams a 20,000-row NDJSON body into the store past the JSON body limit", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ External_Id__c: `ND-${i}`, Name: `Streamed account number ${i} ${"x".repeat(40)}` }),
    );
    const body = `${lines.join("\n")}\n`;
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await postWrite(h, conn, body, {
      type: "application/x-ndjson",
      query: { object: "Account", operation: "upsert", externalIdField: "External_Id__c" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.get("location")).toBe(`/v1/connections/${conn}/writes/${res.body.id}`);
    expect(res.body.counts.total).toBe(20_000);
    const rows = await stored(h, res.body.id);
    expect(rows.length).toBe(20_000);
    expect(rows.every((r, i) => r.idx === i && r.data.External_Id__c === `ND-${i}`)).toBe(true);
    bigRecords = lines.map((l) => JSON.parse(l));
  });

  it("reads a CSV body: Account.External_Id__c becomes a parent reference, empty leaves a field out, #N/A is null", async () => {
    const csv = [
      "LastName,Email,Account.External_Id__c,Description",
      'Hopper,grace@example.com,EXT-00002,"Rear admiral, ""Amazing Grace"""',
      "Turing,,EXT-00003,#N/A",
      '"Multi\nline",m@example.com,,',
    ].join("\r\n");
    const res = await postWrite(h, conn, csv, {
      type: "text/csv; charset=utf-8",
      query: { object: "Contact", operation: "insert" },
    });
    expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
    expect(await stored(h, res.body.id)).toEqual([
      {
        idx: 0,
        data: {
          LastName: "Hopper",
          Email: "grace@example.com",
          Account: { External_Id__c: "EXT-00002" },
          Description: 'Rear admiral, "Amazing Grace"',
        },
      },
      { idx: 1, data: { LastName: "Turing", Account: { External_Id__c: "EXT-00003" }, Description: null } },
      { idx: 2, data: { LastName: "Multi\nline", Email: "m@example.com" } },
    ]);
  });

  it("refuses a streamed body's bad line by its number and keeps nothing of it", async () => {
    const before = await h.sql<{ n: number }>("select count(*)::int as n from writes");
    const ndjson = '{"LastName": "A"}\n\n{"LastName": "B"}\n[1, 2]\n';
    const bad = await postWrite(h, conn, ndjson, {
      type: "application/x-ndjson",
      query: { object: "Contact", operation: "insert" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_ndjson", message: expect.stringMatching(/Line 4\b/) });
    const ragged = await postWrite(h, conn, "LastName,Email\nA,a@example.com\nB\n", {
      type: "text/csv",
      query: { object: "Contact", operation: "insert" },
    });
    expect(ragged.status).toBe(400);
    expect(ragged.body.error).toMatchObject({ code: "invalid_csv", message: expect.stringMatching(/Row 3\b/) });
    expect(await h.sql<{ n: number }>("select count(*)::int as n from writes")).toEqual(before);
    expect(
      await h.sql("select 1 from write_records r left join writes w on w.id = r.write_id where w.id is null"),
    ).toEqual([]);
  });
  it("keeps nothing of a body cut off midway", async () => {
    const receiving = async () =>
      (await h.sql<{ n: number }>("select count(*)::int as n from writes where status = 'receiving'"))[0].n;
    const url = new URL(h.server.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    const lines = Array.from({ length: 1500 }, (_, i) => `{"LastName": "Cut ${i}"}\n`).join("");
    socket.write(
      `POST /v1/connections/${conn}/writes?object=Contact&operation=insert HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${h.apiKey}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 10000000\r\n\r\n${lines}`,
    );
    // The first batch is stored while the rest is awaited; then the client goes away.
    await waitFor(async () => (await receiving()) === 1, "the write to be receiving");
    socket.destroy();
    await waitFor(async () => (await receiving()) === 0, "the cut-off write to be removed");
    expect(
      await h.sql("select 1 from write_records r left join writes w on w.id = r.write_id where w.id is null"),
    ).toEqual([]);
    expect((await h.api(`/v1/connections/${conn}/writes?limit=1`)).status).toBe(200);
  });

  // Last in the suite: the server closes the connection after refusing a body by its length.
  it("refuses the same records as one JSON body over the JSON body limit", async () => {
    expect(bigRecords).toHaveLength(20_000);
    const json = await postWrite(h, conn, {
      object: "Account",
      operation: "upsert",
      externalIdField: "External_Id__c",
      records: bigRecords,
    });
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe("payload_too_large");
  });
});

describe.each(backends)("Idempotency-Key (%s)", (backend) => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    h = await startHarness({ backend, accounts: 3, env: ENV });
    conn = await writeConnection(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const records = [
    { External_Id__c: "IK-1", Name: "Keyed one" },
    { External_Id__c: "IK-2", Name: "Keyed two" },
  ];
  const body = { object: "Account", operation: "upsert", externalIdField: "External_Id__c", records };
  const writesWithKey = async (key: string) =>
    (await h.sql<{ n: number }>("select count(*)::int as n from writes where idempotency_key = $1", [key]))[0].n;

  it("answers the same key and body with the same write, whatever the body's format; another body is a 409", async () => {
    const first = await postWrite(h, conn, body, { key: "order-1" });
    expect([200, 202], JSON.stringify(first.body)).toContain(first.status);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await postWrite(h, conn, body, { key: "order-1" });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const asNdjson = await postWrite(h, conn, records.map((r) => JSON.stringify(r)).join("\n"), {
      key: "order-1",
      type: "application/x-ndjson",
      query: { object: "Account", operation: "upsert", externalIdField: "External_Id__c" },
    });
    expect(asNdjson.body.id).toBe(first.body.id);
    expect(await writesWithKey("order-1")).toBe(1);

    const other = await postWrite(h, conn, { ...body, records: [records[0]] }, { key: "order-1" });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: "idempotency_key_reused", details: { writeId: first.body.id } });
    // Another option is another request too.
    const elsewhere = await postWrite(h, conn, { ...body, allOrNone: true }, { key: "order-1" });
    expect(elsewhere.status).toBe(409);
  });

  it("makes one write when requests with one key race", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => postWrite(h, conn, body, { key: "race-1" })));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(
      answers.map((a) => a.status).every((s) => s === 200 || s === 202),
      JSON.stringify(answers[0].body),
    ).toBe(true);
    expect(ids.size).toBe(1);
    expect(await writesWithKey("race-1")).toBe(1);
    // The losers' received copies are gone too.
    const [only] = [...ids];
    const orphans = await h.sql(
      "select write_id from write_records where write_id <> $1 and write_id not in (select id from writes)",
      [only],
    );
    expect(orphans).toEqual([]);
  });

  it("resolves a key claimed while another request with it was still arriving through the unique index", async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `{"External_Id__c": "SLOW-${i}", "Name": "Slow ${i}"}\n`);
    const body = lines.join("");
    const path = `/v1/connections/${conn}/writes?object=Account&operation=upsert&externalIdField=External_Id__c`;
    const receiving = async () =>
      (await h.sql<{ n: number }>("select count(*)::int as n from writes where status = 'receiving'"))[0].n;
    // The slow request sends most of its body, so that its first batch is stored, and waits.
    const slow = httpRequest(`${h.server.url}${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${h.apiKey}`,
        "content-type": "application/x-ndjson",
        "content-length": Buffer.byteLength(body),
        "idempotency-key": "slow-1",
      },
    });
    const answered = new Promise<{ status: number; body: Json; replayed: unknown }>((resolve, reject) => {
      slow.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text), replayed: res.headers["idempotent-replayed"] }),
        );
      });
      slow.on("error", reject);
    });
    slow.write(lines.slice(0, 1200).join(""));
    await waitFor(async () => (await receiving()) === 1, "the slow request's write to be receiving");
    // Meanwhile the same request arrives whole and claims the key.
    const fast = await postWrite(h, conn, body, {
      key: "slow-1",
      type: "application/x-ndjson",
      query: { object: "Account", operation: "upsert", externalIdField: "External_Id__c" },
    });
    expect(fast.status, JSON.stringify(fast.body)).toBe(202);
    expect(fast.headers.get("idempotent-replayed")).toBeNull();
    slow.end(lines.slice(1200).join(""));
    const late = await answered;
    // The late one lost the key: it answers the winner's write, and its own copy is gone.
    expect(late.status).toBe(202);
    expect(late.replayed).toBe("true");
    expect(late.body.id).toBe(fast.body.id);
    expect(await writesWithKey("slow-1")).toBe(1);
    expect(await receiving()).toBe(0);
  });

  it("refuses a key that is too long or not printable", async () => {
    const long = await postWrite(h, conn, body, { key: "k".repeat(201) });
    expect(long.status).toBe(400);
    const spaced = await postWrite(h, conn, body, { key: "two words" });
    expect(spaced.status).toBe(400);
    expect(spaced.body.error.code).toBe("invalid_idempotency_key");
  });
});

describe("results and the list, paged (pglite)", () => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    h = await startHarness({ accounts: 3, env: ENV });
    conn = await writeConnection(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("pages 450 results by index with nextCursor, and lists writes newest first", async () => {
    const made: string[] = [];
    for (let n = 0; n < 3; n++) {
      const lines = Array.from({ length: 450 }, (_, i) => JSON.stringify({ LastName: `Paged ${n}-${i}` }));
      const res = await postWrite(h, conn, lines.join("\n"), {
        type: "application/x-ndjson",
        query: { object: "Contact", operation: "insert" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      made.push(res.body.id);
    }
    const { pages, results } = await allResults(h, conn, made[0], { limit: "200" });
    expect(pages).toBe(3);
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 450 }, (_, i) => i));
    for (const r of results)
      expect(Object.keys(r).sort()).toEqual(["created", "errors", "id", "index", "status", "success"]);

    const first = await h.api(`/v1/connections/${conn}/writes?limit=2`);
    const page1 = (await first.json()) as Json;
    expect(page1.data.map((w: Json) => w.id)).toEqual([made[2], made[1]]);
    const second = await h.api(`/v1/connections/${conn}/writes?limit=2&cursor=${page1.nextCursor}`);
    const page2 = (await second.json()) as Json;
    expect(page2.data.map((w: Json) => w.id)).toEqual([made[0]]);
    expect(page2.nextCursor).toBeNull();

    const one = await h.api(`/v1/connections/${conn}/writes/${made[1]}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: made[1], counts: { total: 450 }, object: "Contact" });
  });

  it("describes the write routes in the OpenAPI document with their answers", async () => {
    const doc = (await (await fetch(`${h.server.url}/v1/openapi.json`)).json()) as Json;
    const create = doc.paths["/v1/connections/{id}/writes"].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["200", "202"]));
    const answer = create.responses["200"].content["application/json"].schema;
    expect(Object.keys(answer.properties)).toEqual(expect.arrayContaining(["id", "status", "counts", "results"]));
    expect(doc.paths["/v1/connections/{id}/writes/{writeId}/results"].get.responses["200"]).toBeDefined();
    expect(doc.paths["/v1/connections/{id}/writes/{writeId}/retry"].post.responses["202"]).toBeDefined();
  });
});

describe("a strict manifest's writes (pglite)", () => {
  let h: Harness;
  let conn: string;
  beforeAll(async () => {
    h = await startHarness({ accounts: 3, env: ENV });
    conn = await writeConnection(h);
    const uploaded = await h.api("/v1/integrations", {
      method: "POST",
      body: [
        "name: contact-writer",
        "writes:",
        "  strict: true",
        "  objects:",
        "    - name: Contact",
        "      operations: [insert]",
        "      fields: [LastName, Email, AccountId]",
      ].join("\n"),
      headers: { "content-type": "application/yaml" },
    });
    expect(uploaded.status, await uploaded.clone().text()).toBe(201);
    const integration = ((await uploaded.json()) as { id: string }).id;
    const installed = await h.api(`/v1/connections/${conn}/integrations`, {
      method: "POST",
      body: { integration, startNow: false },
    });
    expect(installed.status, await installed.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses with a 422 naming the manifest a write it does not declare, as JSON or streamed, and keeps nothing", async () => {
    const before = await h.sql("select id from writes");
    const field = await postWrite(h, conn, {
      object: "Contact",
      operation: "insert",
      records: [{ LastName: "Declared" }, { LastName: "Not", Title: "Undeclared" }],
    });
    expect(field.status, JSON.stringify(field.body)).toBe(422);
    expect(field.body.error).toMatchObject({
      code: "write_not_declared",
      message: expect.stringMatching(/contact-writer.*Title/),
    });
    const operation = await postWrite(h, conn, '{"Id": "003000000000001AAA"}\n', {
      type: "application/x-ndjson",
      query: { object: "Contact", operation: "delete" },
    });
    expect(operation.status).toBe(422);
    expect(operation.body.error.message).toMatch(/not delete/);
    const object = await postWrite(h, conn, "Name\nAcme\n", {
      type: "text/csv",
      query: { object: "Account", operation: "insert" },
    });
    expect(object.status).toBe(422);
    expect(await h.sql("select id from writes")).toEqual(before);
  });

  it("lets a declared write through, a parent reference counting as its lookup field", async () => {
    const res = await postWrite(h, conn, {
      object: "Contact",
      operation: "insert",
      records: [{ LastName: "Declared", Email: "d@example.com", Account: { External_Id__c: "EXT-00001" } }],
    });
    expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
    expect(res.body.counts.total).toBe(1);
  });
});
