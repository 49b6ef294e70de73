import { createServer, type Server, type Socket } from "node:net";
import { inspect } from "node:util";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryBatch, FieldSchema, ObjectSchema, SyncRecord } from "../src/sync/destinations/destination.ts";
import { columnName, postgresColumnType, quoteIdent, tableName } from "../src/sync/destinations/postgres-columns.ts";
import { PostgresDestination, type PostgresDestinationOptions } from "../src/sync/destinations/postgres-destination.ts";
import { closedPort } from "./support/receiver.ts";
import { createTestDatabase, postgresOnly, type TestDatabase } from "./support/test-database.ts";

const baseUrl = postgresOnly("PostgreSQL destination against a real server");

describe("PostgreSQL column mapping", () => {
  it.each<[string, string, FieldSchema]>([
    ["an Id", "varchar(18)", { name: "Id", type: "id" }],
    ["a lookup", "varchar(18)", { name: "OwnerId", type: "reference" }],
    ["a string", "text", { name: "Name", type: "string", length: 255 }],
    ["a textarea", "text", { name: "Description", type: "textarea" }],
    ["a picklist", "text", { name: "Industry", type: "picklist" }],
    ["a multi-select picklist", "text", { name: "Tags__c", type: "multipicklist" }],
    ["an email", "text", { name: "Email", type: "email" }],
    ["a phone", "text", { name: "Phone", type: "phone" }],
    ["a url", "text", { name: "Website", type: "url" }],
    ["a combobox", "text", { name: "Subject", type: "combobox" }],
    ["an encrypted string", "text", { name: "Secret__c", type: "encryptedstring" }],
    ["an anyType", "text", { name: "NewValue", type: "anyType" }],
    ["base64", "text", { name: "Body", type: "base64" }],
    ["a boolean", "boolean", { name: "IsDeleted", type: "boolean" }],
    ["an int", "integer", { name: "NumberOfEmployees", type: "int" }],
    ["a long", "bigint", { name: "Big__c", type: "long" }],
    [
      "a currency with precision",
      "numeric(18,2)",
      { name: "AnnualRevenue", type: "currency", precision: 18, scale: 2 },
    ],
    ["a percent with precision", "numeric(3,0)", { name: "Probability", type: "percent", precision: 3, scale: 0 }],
    ["a double without precision", "numeric", { name: "Score__c", type: "double" }],
    ["a double with precision 0", "numeric", { name: "Score__c", type: "double", precision: 0, scale: 0 }],
    ["a scale above the precision", "numeric", { name: "Odd__c", type: "double", precision: 2, scale: 5 }],
    ["a negative scale", "numeric", { name: "Odd__c", type: "double", precision: 10, scale: -1 }],
    ["a precision over 1000", "numeric", { name: "Odd__c", type: "double", precision: 2000, scale: 2 }],
    ["a fractional precision", "numeric", { name: "Odd__c", type: "currency", precision: 18.5, scale: 2 }],
    ["a precision without scale", "numeric", { name: "Odd__c", type: "currency", precision: 18 }],
    ["a date", "date", { name: "CloseDate", type: "date" }],
    ["a datetime", "timestamptz", { name: "CreatedDate", type: "datetime" }],
    ["a time", "time", { name: "Start__c", type: "time" }],
    ["an upper-case type", "boolean", { name: "IsActive__c", type: "BOOLEAN" }],
    ["an unknown type", "text", { name: "Thing__c", type: "somethingNew" }],
  ])("maps %s to %s", (_label, type, field) => {
    expect(postgresColumnType(field)).toBe(type);
  });

  it.each([
    ["Name", "name"],
    ["AnnualRevenue", "annualrevenue"],
    ["ns__Custom_Field__c", "ns__custom_field__c"],
    ["Id", "id"],
  ])("names the column for %s %s", (field, column) => {
    expect(columnName(field)).toBe(column);
  });

  it.each([
    ["Account", undefined, "account"],
    ["Account", "sf_", "sf_account"],
    ["ns__Thing__c", "", "ns__thing__c"],
    ["Contact", "SF_", "SF_contact"],
  ])("names the table for %s with prefix %s %s", (object, prefix, table) => {
    expect(tableName(object, prefix)).toBe(table);
  });

  it("refuses identifiers PostgreSQL would truncate, and empty ones", () => {
    expect(() => columnName(`A${"b".repeat(63)}`)).toThrow(/longer than 63 bytes/);
    expect(() => tableName("x".repeat(60), "long_prefix_")).toThrow(/longer than 63 bytes/);
    expect(() => columnName("")).toThrow(/empty/);
    expect(columnName("a".repeat(63))).toHaveLength(63);
  });

  it("always double-quotes identifiers, doubling inner quotes", () => {
    expect(quoteIdent("account")).toBe('"account"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});

describe("PostgreSQL destination connection errors", () => {
  it("rejects a URL that does not parse, without echoing it", () => {
    const url = "postgres://user:hunter2secret@host:notaport/db";
    expect(() => new PostgresDestination({ name: "warehouse", url })).toThrow(
      /PostgreSQL destination "warehouse": the URL is not valid\. Check that it has the form postgres:\/\//,
    );
    try {
      new PostgresDestination({ name: "warehouse", url });
    } catch (error) {
      expect(inspect(error)).not.toContain("hunter2secret");
    }
  });

  it("rejects a URL of another scheme", () => {
    expect(() => new PostgresDestination({ name: "warehouse", url: "mysql://u:p@localhost/db" })).toThrow(
      /must start with postgres:\/\/ or postgresql:\/\//,
    );
  });

  it("names the destination and says to check host and port when nothing listens", async () => {
    const port = await closedPort();
    const destination = new PostgresDestination({
      name: "warehouse",
      url: `postgres://u:pw12345@127.0.0.1:${port}/db`,
    });
    try {
      const error = await destination.prepare(accountSchema()).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        new RegExp(`^PostgreSQL destination "warehouse" could not connect to postgres://u@127\\.0\\.0\\.1:${port}/db`),
      );
      expect((error as Error).message).toContain("Check the host and port");
      expect(inspect(error)).not.toContain("pw12345");
    } finally {
      await destination.close();
    }
  });

  it("says to check the credentials on a bad password, and never shows the password", async () => {
    const password = "S3cret-Pa$$word/with%special";
    // A server that rejects the password, and (badly behaved) quotes it back in its message.
    const server = await passwordRejectingServer((sent) => `password authentication failed for user "sync" (${sent})`);
    const url = `postgres://sync:${encodeURIComponent(password)}@127.0.0.1:${server.port}/warehouse`;
    const destination = new PostgresDestination({ name: "warehouse", url });
    try {
      const error = (await destination.prepare(accountSchema()).catch((e: Error) => e)) as Error;
      expect(server.passwordsSeen).toEqual([password]);
      expect(error.message).toMatch(/^PostgreSQL destination "warehouse" could not connect to postgres:\/\/sync@127/);
      expect(error.message).toContain('password authentication failed for user "sync"');
      expect(error.message).toContain("Check the user name and password");
      for (const form of [password, encodeURIComponent(password)]) {
        expect(error.message).not.toContain(form);
        expect(inspect(error, { depth: 10 })).not.toContain(form);
      }
    } finally {
      await destination.close();
      await server.close();
    }
  });
});

describe.runIf(baseUrl)("PostgreSQL destination on a real server", () => {
  let database: TestDatabase;
  let client: pg.Client;
  let opened: PostgresDestination[];

  beforeEach(async () => {
    database = await createTestDatabase(baseUrl!, "forcelink_dest");
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query("SET TimeZone = 'UTC'");
    opened = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await client.end();
    await database.drop();
  });

  function open(options: Partial<PostgresDestinationOptions> = {}): PostgresDestination {
    const destination = new PostgresDestination({ name: "warehouse", url: database.url, ...options });
    opened.push(destination);
    return destination;
  }

  /** Rows as JSON (numbers as numbers, times as ISO text), without the sync time. */
  async function rows(table = "account", schema = "public"): Promise<Record<string, unknown>[]> {
    const result = await client.query(
      `SELECT to_jsonb(t) - '_forcelink_synced_at' AS row FROM ${quoteIdent(schema)}.${quoteIdent(table)} t ORDER BY id`,
    );
    return result.rows.map((r) => r.row);
  }

  async function row(id: string): Promise<Record<string, unknown> | undefined> {
    return (await rows()).find((r) => r.id === id);
  }

  it("creates a table with typed columns, the soft-delete and sync-time columns and a primary key on id", async () => {
    const destination = open();
    expect(await destination.prepare(accountSchema())).toEqual({
      added: accountSchema().fields.map((f) => f.name),
      removed: [],
    });
    const columns = await client.query(
      `SELECT column_name, data_type, character_maximum_length AS length, numeric_precision AS precision,
              numeric_scale AS scale, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'account'`,
    );
    const byName = Object.fromEntries(columns.rows.map((c) => [c.column_name, c]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        ...accountSchema().fields.map((f) => f.name.toLowerCase()),
        "_forcelink_deleted_at",
        "_forcelink_synced_at",
      ].sort(),
    );
    expect(byName.id).toMatchObject({ data_type: "character varying", length: 18, is_nullable: "NO" });
    expect(byName.ownerid).toMatchObject({ data_type: "character varying", length: 18 });
    expect(byName.name.data_type).toBe("text");
    expect(byName.annualrevenue).toMatchObject({ data_type: "numeric", precision: 18, scale: 2 });
    expect(byName.score__c).toMatchObject({ data_type: "numeric", precision: null });
    expect(byName.numberofemployees.data_type).toBe("integer");
    expect(byName.big__c.data_type).toBe("bigint");
    expect(byName.isactive__c.data_type).toBe("boolean");
    expect(byName.closedate__c.data_type).toBe("date");
    expect(byName.systemmodstamp.data_type).toBe("timestamp with time zone");
    expect(byName.start__c.data_type).toBe("time without time zone");
    expect(byName._forcelink_deleted_at).toMatchObject({ data_type: "timestamp with time zone", is_nullable: "YES" });
    expect(byName._forcelink_synced_at).toMatchObject({ data_type: "timestamp with time zone", is_nullable: "NO" });
    expect(byName._forcelink_synced_at.column_default).toBe("now()");
    const key = await client.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = 'public.account'::regclass AND i.indisprimary`,
    );
    expect(key.rows).toEqual([{ attname: "id" }]);

    expect(await destination.prepare(accountSchema())).toEqual({ added: [], removed: [] });
    expect(await open().prepare(accountSchema())).toEqual({ added: [], removed: [] });
  });

  it("puts tables in the configured schema, creating it, with the table prefix", async () => {
    const destination = open({ schema: "salesforce", tablePrefix: "sf_" });
    await destination.prepare(accountSchema());
    await destination.deliver(batch({ upserts: [account(1, 1)] }));
    expect(await rows("sf_account", "salesforce")).toHaveLength(1);
  });

  it("inserts, then updates, converting values; absent fields are left alone, null ones cleared", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await destination.deliver(
      batch({
        upserts: [
          account(1, 1, { Description: 'Quotes " and \\ backslash, {braces}, NULL', Score__c: 0.125 }),
          account(2, 1, { Name: "", NumberOfEmployees: "" as unknown as number, OwnerId: "", CloseDate__c: "" }),
          account(3, 1, { Name: "NULL", Description: "  padded, {x}  " }),
        ],
      }),
    );
    expect(await row(id(1))).toEqual({
      id: id(1),
      name: "Account 1",
      description: 'Quotes " and \\ backslash, {braces}, NULL',
      annualrevenue: 1234567.89,
      score__c: 0.125,
      numberofemployees: 42,
      big__c: 9007199254740991,
      isactive__c: true,
      closedate__c: "2024-03-31",
      start__c: "09:30:00",
      ownerid: "005000000000001AAA",
      createddate: "2024-01-15T10:30:00+00:00",
      systemmodstamp: "2024-02-01T00:00:00+00:00",
      _forcelink_deleted_at: null,
    });
    expect(await row(id(2))).toMatchObject({ name: "", numberofemployees: null, ownerid: null, closedate__c: null });
    expect(await row(id(3))).toMatchObject({ name: "NULL", description: "  padded, {x}  " });

    await destination.deliver(
      batch({
        sequence: 1,
        upserts: [
          { Id: id(1), Name: "Renamed", SystemModstamp: stamp(2), Description: null },
          { Id: id(2), NumberOfEmployees: 7, SystemModstamp: stamp(2), Unknown__c: "ignored" },
        ],
      }),
    );
    expect(await row(id(1))).toMatchObject({
      name: "Renamed",
      description: null,
      annualrevenue: 1234567.89,
      numberofemployees: 42,
      systemmodstamp: "2024-02-02T00:00:00+00:00",
    });
    expect(await row(id(2))).toMatchObject({ name: "", numberofemployees: 7 });
    expect(await rows()).toHaveLength(3);
  });

  it("can deliver the same batch again without changing the result", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await client.query("INSERT INTO account (id, name) VALUES ($1, 'untouched')", [id(99)]);
    const again = batch({
      upserts: [account(1, 1), account(2, 1)],
      deletes: [{ id: id(3), deletedAt: stamp(1) }],
    });
    await destination.deliver(again);
    const first = await rows();
    await destination.deliver(again);
    await destination.deliver(again);
    expect(await rows()).toEqual(first);
    expect(first.map((r) => r.id)).toEqual([id(1), id(2), id(3), id(99)]);
  });

  it("never lets an older version overwrite a newer one, across batches or within one", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await destination.deliver(batch({ upserts: [account(1, 5, { Name: "v5" })] }));
    await destination.deliver(batch({ sequence: 1, upserts: [account(1, 3, { Name: "v3" })] }));
    expect(await row(id(1))).toMatchObject({ name: "v5", systemmodstamp: "2024-02-05T00:00:00+00:00" });

    await destination.deliver(
      batch({ sequence: 2, upserts: [account(2, 7, { Name: "v7" }), account(2, 6, { Name: "v6" })] }),
    );
    expect(await row(id(2))).toMatchObject({ name: "v7" });
    await destination.deliver(
      batch({ sequence: 3, upserts: [account(2, 8, { Name: "v8a" }), account(2, 8, { Name: "v8b" })] }),
    );
    expect(await row(id(2))).toMatchObject({ name: "v8b" });
  });

  it("updates unconditionally when the object has no SystemModstamp", async () => {
    const destination = open();
    const schema: ObjectSchema = {
      name: "Thing__c",
      fields: [
        { name: "Id", type: "id" },
        { name: "Name", type: "string" },
      ],
    };
    await destination.prepare(schema);
    await destination.deliver(batch({ object: "Thing__c", upserts: [{ Id: id(1), Name: "first" }] }));
    await destination.deliver(batch({ object: "Thing__c", upserts: [{ Id: id(1), Name: "second" }] }));
    await destination.deliver(batch({ object: "Thing__c", deletes: [{ id: id(1), deletedAt: stamp(1) }] }));
    expect(await rows("thing__c")).toEqual([
      { id: id(1), name: "second", _forcelink_deleted_at: "2024-02-01T00:00:00+00:00" },
    ]);
  });

  it("marks a deletion as a soft delete, keeping the row's data", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await destination.deliver(batch({ upserts: [account(1, 1), account(2, 1)] }));
    await destination.deliver(batch({ sequence: 1, deletes: [{ id: id(1), deletedAt: stamp(2) }] }));
    expect(await row(id(1))).toMatchObject({ name: "Account 1", _forcelink_deleted_at: "2024-02-02T00:00:00+00:00" });
    expect(await row(id(2))).toMatchObject({ _forcelink_deleted_at: null });
  });

  it("keeps a tombstone for a deletion seen first, which an older or same-time upsert cannot undo", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await destination.deliver(batch({ deletes: [{ id: id(1), deletedAt: "2024-02-05T00:00:00.000+0000" }] }));
    expect(await row(id(1))).toMatchObject({ name: null, _forcelink_deleted_at: "2024-02-05T00:00:00+00:00" });

    await destination.deliver(batch({ sequence: 1, upserts: [account(1, 4, { Name: "older" })] }));
    await destination.deliver(batch({ sequence: 2, upserts: [account(1, 5, { Name: "deleted version" })] }));
    expect(await row(id(1))).toMatchObject({ name: null, _forcelink_deleted_at: "2024-02-05T00:00:00+00:00" });
  });

  it("revives a deleted row on a newer upsert, and ignores the old deletion delivered again", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    const deletion = batch({ upserts: [account(1, 1)], deletes: [{ id: id(1), deletedAt: stamp(2) }] });
    await destination.deliver(deletion);
    expect(await row(id(1))).toMatchObject({ _forcelink_deleted_at: "2024-02-02T00:00:00+00:00" });

    await destination.deliver(batch({ sequence: 1, upserts: [account(1, 3, { Name: "undeleted" })] }));
    expect(await row(id(1))).toMatchObject({ name: "undeleted", _forcelink_deleted_at: null });
    await destination.deliver(deletion);
    expect(await row(id(1))).toMatchObject({ name: "undeleted", _forcelink_deleted_at: null });

    await destination.deliver(batch({ sequence: 2, deletes: [{ id: id(1), deletedAt: stamp(4) }] }));
    expect(await row(id(1))).toMatchObject({ name: "undeleted", _forcelink_deleted_at: "2024-02-04T00:00:00+00:00" });
  });

  it("adds columns for new fields and reports removed ones without dropping them", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    await destination.deliver(batch({ upserts: [account(1, 1)] }));

    const evolved: ObjectSchema = {
      name: "Account",
      fields: [
        ...accountSchema().fields.filter((f) => f.name !== "Description" && f.name !== "Big__c"),
        { name: "Rating", type: "picklist" },
        { name: "Tier__c", type: "int" },
      ],
    };
    expect(await destination.prepare(evolved)).toEqual({
      added: ["Rating", "Tier__c"],
      removed: ["description", "big__c"],
    });
    expect(await open().prepare(evolved)).toEqual({ added: [], removed: ["description", "big__c"] });

    await destination.deliver(
      batch({
        sequence: 1,
        upserts: [account(1, 2, { Rating: "Hot", Tier__c: 2, Description: "not written" }), account(2, 2)],
      }),
    );
    expect(await row(id(1))).toMatchObject({ rating: "Hot", tier__c: 2, description: "Plain description 1" });
    expect(await row(id(2))).toMatchObject({ rating: null, description: null, big__c: null });

    // Columns of removed fields stay, so bringing the fields back adds nothing.
    expect(await destination.prepare(accountSchema())).toEqual({
      added: [],
      removed: ["rating", "tier__c"],
    });
  });

  it("lets two instances prepare the same tables at once, in a new schema", async () => {
    const first = open({ schema: "sync" });
    const second = open({ schema: "sync" });
    const objects = ["Account", "Contact", "Opportunity", "Lead"];
    const results = await Promise.all(
      objects.flatMap((name) => [first, second].map((d) => d.prepare({ ...accountSchema(), name }))),
    );
    for (let i = 0; i < objects.length; i++) {
      const pair = [results[2 * i], results[2 * i + 1]];
      expect(pair.map((r) => r.added.length).sort((a, b) => a - b)).toEqual([0, accountSchema().fields.length]);
      expect(pair.every((r) => r.removed.length === 0)).toBe(true);
    }
    await first.deliver(batch({ object: "Contact", upserts: [account(1, 1)] }));
    await second.deliver(batch({ object: "Contact", upserts: [account(1, 2)] }));
    expect(await rows("contact", "sync")).toHaveLength(1);
  });

  it("delivers batches far beyond the bind-parameter limit (12,000 rows × 10 columns)", async () => {
    const destination = open();
    const fields: FieldSchema[] = [
      { name: "Id", type: "id" },
      ...Array.from({ length: 8 }, (_, i): FieldSchema => ({ name: `Field${i}__c`, type: i % 2 ? "int" : "string" })),
      { name: "SystemModstamp", type: "datetime" },
    ];
    await destination.prepare({ name: "Wide__c", fields });
    const record = (n: number): SyncRecord => {
      const r: SyncRecord = { Id: id(n), SystemModstamp: stamp(1) };
      for (let i = 0; i < 8; i++) r[`Field${i}__c`] = i % 2 ? n * i : `value ${n}/${i}`;
      return r;
    };
    const upserts = Array.from({ length: 12_000 }, (_, n) => record(n));
    const deletes = Array.from({ length: 12_000 }, (_, n) => ({ id: id(100_000 + n), deletedAt: stamp(1) }));
    await destination.deliver(batch({ object: "Wide__c", upserts, deletes }));
    const counts = await client.query(
      "SELECT count(*)::int AS all, count(_forcelink_deleted_at)::int AS deleted, sum(field1__c)::bigint AS sum FROM wide__c",
    );
    expect(counts.rows[0]).toEqual({ all: 24_000, deleted: 12_000, sum: String((12_000 * 11_999) / 2) });
    const last = await client.query("SELECT field6__c, field7__c FROM wide__c WHERE id = $1", [id(11_999)]);
    expect(last.rows[0]).toEqual({ field6__c: "value 11999/6", field7__c: 11_999 * 7 });
  });

  it("rolls a failing batch back whole and names the destination, batch and object", async () => {
    const destination = open();
    await destination.prepare(accountSchema());
    const bad = batch({ sequence: 4, upserts: [account(1, 1), account(2, 1, { NumberOfEmployees: 2 ** 40 })] });
    await expect(destination.deliver(bad)).rejects.toThrow(
      /^PostgreSQL destination "warehouse": delivering batch 4 of Account \(run run-1\) failed: .*out of range/,
    );
    expect(await rows()).toEqual([]);
    await expect(destination.deliver(batch({ object: "Contact" }))).rejects.toThrow(/before prepare\(\)/);
    await expect(destination.deliver(batch({ upserts: [{ Name: "no id" }] }))).rejects.toThrow(/has no Id/);
  });

  it("says to check the database name when it does not exist", async () => {
    const url = new URL(database.url);
    url.pathname = "/no_such_database_here";
    const destination = open({ url: url.toString() });
    await expect(destination.prepare(accountSchema())).rejects.toThrow(
      /could not connect to .*no_such_database_here: .*Check the database name/,
    );
  });
});

function id(n: number): string {
  return `001${String(n).padStart(12, "0")}AAA`;
}

/** SystemModstamp of version `day`: 2024-02-0<day>. */
function stamp(day: number): string {
  return `2024-02-${String(day).padStart(2, "0")}T00:00:00.000+0000`;
}

function accountSchema(): ObjectSchema {
  return {
    name: "Account",
    fields: [
      { name: "Id", type: "id" },
      { name: "Name", type: "string", length: 255 },
      { name: "Description", type: "textarea" },
      { name: "AnnualRevenue", type: "currency", precision: 18, scale: 2 },
      { name: "Score__c", type: "double" },
      { name: "NumberOfEmployees", type: "int" },
      { name: "Big__c", type: "long" },
      { name: "IsActive__c", type: "boolean" },
      { name: "CloseDate__c", type: "date" },
      { name: "Start__c", type: "time" },
      { name: "OwnerId", type: "reference" },
      { name: "CreatedDate", type: "datetime" },
      { name: "SystemModstamp", type: "datetime" },
    ],
  };
}

function account(n: number, version: number, overrides: SyncRecord = {}): SyncRecord {
  return {
    Id: id(n),
    Name: `Account ${n}`,
    Description: `Plain description ${n}`,
    AnnualRevenue: 1234567.89,
    Score__c: null,
    NumberOfEmployees: 42,
    Big__c: 9007199254740991,
    IsActive__c: true,
    CloseDate__c: "2024-03-31",
    Start__c: "09:30:00.000Z",
    OwnerId: "005000000000001AAA",
    CreatedDate: "2024-01-15T10:30:00.000+0000",
    SystemModstamp: stamp(version),
    ...overrides,
  };
}

function batch(parts: Partial<DeliveryBatch>): DeliveryBatch {
  return { object: "Account", runId: "run-1", sequence: 0, upserts: [], deletes: [], ...parts };
}

/**
 * Speaks just enough of the PostgreSQL protocol to ask for a clear-text password and refuse it with SQLSTATE 28P01:
 * the real server under test may trust every connection, so it cannot show a password failure.
 */
async function passwordRejectingServer(
  messageFor: (password: string) => string,
): Promise<{ port: number; passwordsSeen: string[]; close(): Promise<void> }> {
  const passwordsSeen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    let startedUp = false;
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!startedUp) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
        buffer = buffer.subarray(buffer.readInt32BE(0));
        startedUp = true;
        const askForPassword = Buffer.alloc(9);
        askForPassword.write("R", 0);
        askForPassword.writeInt32BE(8, 1);
        askForPassword.writeInt32BE(3, 5);
        socket.write(askForPassword);
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      const password = buffer.subarray(5, buffer.readInt32BE(1)).toString("utf8").replace(/\0$/, "");
      passwordsSeen.push(password);
      const fields = Buffer.from(`SFATAL\0VFATAL\0C28P01\0M${messageFor(password)}\0\0`, "utf8");
      const header = Buffer.alloc(5);
      header.write("E", 0);
      header.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    passwordsSeen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
