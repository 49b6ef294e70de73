import { generateRecords } from "@forcelink/emulator";
import { CsvFormatError, CsvRecordParser } from "@forcelink/salesforce";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BulkCopyRows } from "../src/sync/bulk-copy-rows.ts";
import type { DeliveryBatch, FieldSchema, SyncRecord } from "../src/sync/destinations/destination.ts";
import { PostgresDestination } from "../src/sync/destinations/postgres-destination.ts";
import { normalizeValue, recordConverter } from "../src/sync/record-values.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";

const baseUrl = postgresOnly("Bulk COPY into a PostgreSQL destination");

const FIELDS: FieldSchema[] = [
  { name: "Id", type: "id" },
  { name: "Name", type: "string" },
  { name: "Description", type: "textarea" },
  { name: "AnnualRevenue", type: "currency", precision: 18, scale: 2 },
  { name: "Score__c", type: "double" },
  { name: "NumberOfEmployees", type: "int" },
  { name: "Big__c", type: "long" },
  { name: "IsActive__c", type: "boolean" },
  { name: "CloseDate__c", type: "date" },
  { name: "Start__c", type: "time" },
  { name: "Missing__c", type: "string" },
  { name: "CreatedDate", type: "datetime" },
  { name: "SystemModstamp", type: "datetime" },
  { name: "IsDeleted", type: "boolean" },
];
/** The CSV's columns: in another order than the schema, one the schema lacks, Missing__c absent. */
const COLUMNS = [
  "Id",
  "SystemModstamp",
  "Name",
  "Extra__c",
  "Description",
  "AnnualRevenue",
  "Score__c",
  "NumberOfEmployees",
  "Big__c",
  "IsActive__c",
  "CloseDate__c",
  "Start__c",
  "CreatedDate",
  "isdeleted",
];

function id(n: number): string {
  return `001${String(n).padStart(12, "0")}AAA`;
}

function row(n: number, stamp: string, values: Record<string, string> = {}, quote = true): string {
  const base: Record<string, string> = {
    Id: id(n),
    SystemModstamp: stamp,
    Name: `Account ${n}`,
    Extra__c: "not stored",
    Description: `Plain ${n}`,
    AnnualRevenue: "1234567.89",
    Score__c: "0.125",
    NumberOfEmployees: "42",
    Big__c: "9007199254740991",
    IsActive__c: "true",
    CloseDate__c: "2024-03-31",
    Start__c: "09:30:00.000Z",
    CreatedDate: "2024-01-15T10:30:00.000Z",
    isdeleted: "false",
    ...values,
  };
  return COLUMNS.map((c) => (quote ? `"${base[c].replaceAll('"', '""')}"` : base[c])).join(",");
}

/** Bulk-style CSV: a header, rows with every kind of value the normalisation treats apart. */
function pageCsv(lineEnding = "\n"): string {
  const rows = [
    COLUMNS.map((c) => `"${c}"`).join(","),
    row(1, "2024-02-01T00:00:00.000Z", {
      Name: 'Quotes " and \\ backslash, comma, tab\there',
      Description: "two\nlines\r\nand CRLF, {braces}, NULL, \\N, 日本語 é 🎉",
    }),
    row(2, "2024-02-01T00:00:00.000Z", {
      Name: "",
      Description: "",
      AnnualRevenue: "",
      Score__c: "",
      NumberOfEmployees: "",
      IsActive__c: "",
      CloseDate__c: "",
      Start__c: "",
    }),
    row(3, "2024-02-01T00:00:00.000+0000", {
      AnnualRevenue: "1.50",
      Score__c: "0.0000001",
      NumberOfEmployees: "1e3",
      Big__c: "12345678901234567",
      IsActive__c: "True",
      CreatedDate: "2024-01-15T10:30:00Z",
    }),
    row(4, "2024-02-01T00:00:00.000Z", { Score__c: "-0", AnnualRevenue: ".5", NumberOfEmployees: "00042" }, false),
    // Id 5 three times: the newest version wins, the later of two equal ones.
    row(5, "2024-02-03T00:00:00.000Z", { Name: "v3 first" }),
    row(5, "2024-02-01T00:00:00.000Z", { Name: "v1" }),
    row(5, "2024-02-03T00:00:00.000Z", { Name: "v3 second" }),
    // Deletions: of a row never seen, and of the row stored before this page.
    row(6, "2024-02-02T00:00:00.000Z", { isdeleted: "true" }),
    row(7, "2024-02-05T00:00:00.000Z", { isdeleted: "true" }),
    // Older than what the table holds: changes nothing.
    row(8, "2024-01-01T00:00:00.000Z", { Name: "older" }),
    "",
  ];
  return rows.join(lineEnding);
}

/** `text` as chunks of `size` bytes: quotes, line breaks and UTF-8 characters fall across chunk boundaries. */
function chunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** What a run does with a Bulk page on the records path. */
function recordsBatch(csv: string, sequence: number): DeliveryBatch {
  const parser = new CsvRecordParser();
  const convert = recordConverter(FIELDS);
  const records = parser.end(parser.push(csv)).map((r) => convert(r));
  const upserts: SyncRecord[] = [];
  const deletes: DeliveryBatch["deletes"] = [];
  for (const r of records) {
    if (r.IsDeleted === true) deletes.push({ id: String(r.Id), deletedAt: String(r.SystemModstamp) });
    else upserts.push(r);
  }
  return { object: "Account", runId: "run-1", sequence, upserts, deletes };
}

async function copyPage(destination: PostgresDestination, source: Iterable<Uint8Array>, sequence: number) {
  const rows = new BulkCopyRows(FIELDS, "SystemModstamp");
  const started = await rows.start(
    (async function* () {
      yield* source;
    })(),
  );
  if (!started) throw new Error("no header");
  await destination.deliverCopy({
    object: "Account",
    runId: "run-1",
    sequence,
    fields: FIELDS.map((f) => f.name),
    copied: started.fields,
    rows: started.rows,
    deletedField: "IsDeleted",
    deletions: () => rows.summary.deleted,
    deletedAtField: "SystemModstamp",
    now: "2024-06-01T00:00:00.000Z",
  });
  return rows.summary;
}

/** The COPY text BulkCopyRows makes of one CSV cell of `type`. */
async function copyText(type: string, cell: string): Promise<string> {
  const rows = new BulkCopyRows(
    [
      { name: "Id", type: "id" },
      { name: "Value", type },
    ],
    null,
  );
  const started = await rows.start([Buffer.from(`"Id","Value"\n"001000000000001AAA",${cell}\n`)]);
  const out: Buffer[] = [];
  for await (const chunk of started!.rows) out.push(Buffer.from(chunk));
  return Buffer.concat(out)
    .toString()
    .replace(/^001000000000001AAA\t/, "")
    .replace(/\n$/, "");
}

/** What the records path stores for the same value, written as COPY text. */
function recordsText(type: string, value: string | null): string {
  const normal = normalizeValue(type, value);
  return normal === null
    ? "\\N"
    : String(normal).replace(/[\\\n\r\t]/g, (c) => `\\${{ "\\": "\\", "\n": "n", "\r": "r", "\t": "t" }[c]}`);
}

describe("Bulk CSV as COPY text", () => {
  it.each<[string, string]>([
    ["double", "1.50"],
    ["double", "0.0000001"],
    ["double", "0.000001"],
    ["double", "-0"],
    ["double", ".5"],
    ["double", "1e21"],
    ["double", "not a number"],
    ["int", "00042"],
    ["int", "-17"],
    ["long", "12345678901234567"],
    ["long", "123456789012345"],
    ["currency", "1234567.89"],
    ["percent", "-0.25"],
    ["boolean", "true"],
    ["boolean", "True"],
    ["boolean", "false"],
    ["datetime", "2024-02-01T00:00:00.000Z"],
    ["datetime", "2024-02-01T00:00:00.000+0000"],
    ["datetime", "2024-02-01T01:00:00.000+0100"],
    ["datetime", "yesterday"],
    ["date", "2024-03-31"],
    ["string", 'tab\there, "quoted", back\\slash\r\nnew line, 日本 🎉'],
  ])("writes a %s value %j as the records path stores it", async (type, value) => {
    const cell = `"${value.replaceAll('"', '""')}"`;
    expect(await copyText(type, cell)).toBe(recordsText(type, value));
  });

  it("writes an empty value, quoted or not, as null for every type", async () => {
    for (const type of ["string", "textarea", "int", "boolean", "datetime", "date"]) {
      expect(await copyText(type, '""')).toBe("\\N");
      expect(await copyText(type, "")).toBe("\\N");
    }
  });

  it("answers null for a page without a header, and refuses what the records parser refuses", async () => {
    const fields = [{ name: "Id", type: "id" }];
    expect(await new BulkCopyRows(fields, null).start([])).toBeNull();
    const drain = async (csv: string) => {
      const started = await new BulkCopyRows(fields, null).start([Buffer.from(csv)]);
      for await (const _ of started!.rows);
    };
    await expect(drain('"Id"\n"a","b"\n')).rejects.toThrow(/2 values where the header has 1 columns \(CSV row 2\)/);
    await expect(drain('"Id"\n"a"x\n')).rejects.toThrow(/"x" after a closing quote/);
    await expect(drain('"Id"\n"open\n')).rejects.toThrow(/ends inside a quoted value/);
    await expect(drain('"Id"\n"a"\rb\n')).rejects.toThrow(/carriage return outside quotes/);
    await expect(drain('"Id","Id"\n')).rejects.toThrow(/names a column twice/);
    await expect(drain('"Name"\n"x"\n')).rejects.toThrow(/no Id column/);
    const invalid = Buffer.concat([Buffer.from('"Id"\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]);
    await expect(
      (async () => {
        const started = await new BulkCopyRows(fields, null).start([invalid]);
        for await (const _ of started!.rows);
      })(),
    ).rejects.toThrow(CsvFormatError);
  });
});

describe.runIf(baseUrl)("Bulk pages through COPY into a PostgreSQL destination", () => {
  let database: TestDatabase;
  let client: pg.Client;
  let opened: PostgresDestination[];

  beforeEach(async () => {
    database = await createTestDatabase(baseUrl!, "forcelink_copy");
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    opened = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await client.end();
    await database.drop();
  });

  async function open(schema: string): Promise<PostgresDestination> {
    const destination = new PostgresDestination({ name: schema, url: database.url, schema });
    opened.push(destination);
    await destination.prepare({ name: "Account", fields: FIELDS });
    // Rows stored before the page: 7 (to be deleted) and 8 (newer than the page's version).
    await destination.deliver({
      object: "Account",
      runId: "run-0",
      sequence: 0,
      upserts: [
        { Id: id(7), Name: "stored 7", SystemModstamp: "2024-02-04T00:00:00.000Z" },
        { Id: id(8), Name: "stored 8", SystemModstamp: "2024-02-04T00:00:00.000Z" },
      ],
      deletes: [],
    });
    return destination;
  }

  async function table(schema: string): Promise<Record<string, unknown>[]> {
    const result = await client.query(
      `SELECT to_jsonb(t) - '_forcelink_synced_at' AS row FROM "${schema}".account t ORDER BY id`,
    );
    return result.rows.map((r) => r.row);
  }

  it("stores exactly what the records path stores, whatever the chunking and line endings", async () => {
    const viaRecords = await open("records");
    await viaRecords.deliver(recordsBatch(pageCsv(), 1));
    const expected = await table("records");
    expect(expected).toHaveLength(8);
    expect(expected.find((r) => r.id === id(5))).toMatchObject({ name: "v3 second" });
    expect(expected.find((r) => r.id === id(8))).toMatchObject({ name: "stored 8" });

    for (const [schema, lineEnding, size] of [
      ["copy_whole", "\n", 1 << 20],
      ["copy_bytes", "\n", 7],
      ["copy_crlf", "\r\n", 13],
    ] as const) {
      const viaCopy = await open(schema);
      const summary = await copyPage(viaCopy, chunks(pageCsv(lineEnding), size), 1);
      expect(summary).toEqual({ rows: 10, deleted: 2, last: { id: id(8), cursor: "2024-01-01T00:00:00.000Z" } });
      expect(await table(schema), `${schema}`).toEqual(expected);
    }
  });

  it("delivers the same page again without changing the table", async () => {
    const destination = await open("again");
    await copyPage(destination, chunks(pageCsv(), 64), 1);
    const first = await table("again");
    await copyPage(destination, chunks(pageCsv(), 64), 1);
    expect(await table("again")).toEqual(first);
  });

  it("rolls the page back and throws the CSV's own error when the CSV is broken midway", async () => {
    const destination = await open("broken");
    const csv = `${pageCsv()}${row(9, "2024-02-01T00:00:00.000Z", {}, false).replace("Account 9", 'Acc"ount 9')}\n`;
    const error = await copyPage(destination, chunks(csv, 100), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvFormatError);
    expect((error as Error).message).toMatch(/a quote inside an unquoted value \(CSV row 12\)/);
    expect((await table("broken")).map((r) => r.name)).toEqual(["stored 7", "stored 8"]);
  });
});

describe.runIf(baseUrl)("a Bulk backfill into a PostgreSQL destination", () => {
  let h: SyncHarness | undefined;
  let destination: TestDatabase | undefined;
  afterEach(async () => {
    await h?.close();
    await destination?.drop();
    h = undefined;
  });

  it("goes through COPY and ends equal to the source, deletions included", async () => {
    destination = await createTestDatabase(baseUrl!, "forcelink_copy_sync");
    h = await startHarness({
      sync: {
        manifest: `
name: warehouse
destinations:
  warehouse:
    type: postgres
    url: ${destination.url}
objects:
  - name: Account
    fields: [Id, Name, Industry, AnnualRevenue, NumberOfEmployees]
    schedule: "0 0 1 1 *"
    deletes: true
    destinations: [warehouse]
`,
      },
      seed: undefined,
      env: { FORCELINK_SYNC_BULK_THRESHOLD: "100" },
    });
    generateRecords(h.org, "Account", 1_200);
    const ctx = h.org.writeContext(h.adminId);
    const ids = [...h.source("Account").keys()];
    for (const gone of ids.slice(0, 5)) h.org.store.softDelete("Account", gone, ctx);
    const outcome = await h.run("Account");
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    if (outcome.status === "skipped") throw new Error("skipped");
    expect(outcome.run.mode).toBe("bulk");
    expect(outcome.run.counts).toEqual({ read: 1_200, upserted: 1_195, deleted: 5 });
    const dest = new pg.Client({ connectionString: destination.url });
    await dest.connect();
    try {
      const { rows } = await dest.query<{ id: string; name: string; deleted: Date | null; employees: number | null }>(
        "SELECT id, name, numberofemployees AS employees, _forcelink_deleted_at AS deleted FROM account",
      );
      expect(rows).toHaveLength(1_200);
      const source = h.source("Account");
      for (const r of rows) {
        if (ids.slice(0, 5).includes(r.id)) expect(r.deleted).not.toBeNull();
        else {
          expect(r.deleted).toBeNull();
          expect(r.name).toBe(source.get(r.id)?.Name);
          expect(r.employees).toBe(source.get(r.id)?.NumberOfEmployees ?? null);
        }
      }
    } finally {
      await dest.end();
    }
  });
});
