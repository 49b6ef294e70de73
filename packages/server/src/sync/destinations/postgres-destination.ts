import pg from "pg";
import type { CopyBatch, DeliveryBatch, Destination, ObjectSchema, SchemaChange, SyncRecord } from "./destination.ts";
import {
  checkIdentifier,
  columnName,
  DELETED_AT_COLUMN,
  postgresColumnType,
  quoteIdent,
  SYNCED_AT_COLUMN,
  tableName,
} from "./postgres-columns.ts";
import { copyIn, replayable } from "./postgres-copy.ts";
import { conflictClause, deletionConflictClause, stagingStatements } from "./postgres-staging.ts";

export interface PostgresDestinationOptions {
  /** Names the destination in error messages. */
  name: string;
  /** postgres://user:password@host:port/database (options such as sslmode go in the query string). */
  url: string;
  /** Where the tables go; created if missing. Default "public". */
  schema?: string;
  /** Put before each table's name: "sf_" stores Account in sf_account. Default none. */
  tablePrefix?: string;
  /** Connections at most. Default 4. */
  poolSize?: number;
}

/** First key of this module's two-key advisory locks, so they cannot meet other code's locks. */
const LOCK_CLASS = 727_370_100;
/**
 * Rows sent in one statement. Rows travel as one array per column (`unnest`), so a statement has as many bind
 * parameters as columns, far under PostgreSQL's 65,535 whatever the batch size; the chunk only bounds message size.
 */
const ROWS_PER_STATEMENT = 5_000;
/** Inside a quoted array element, `"` and `\` are escaped with a backslash. */
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
/** temp_buffers and work_mem of a connection that stages Bulk pages (50,000 rows of a few hundred bytes). */
const STAGING_MEMORY = "32MB";
/** A direct COPY's failures that the merge handles: unique_violation (an Id already there), deadlock_detected. */
const DIRECT_COPY_REFUSALS = new Set(["23505", "40P01"]);
const STAMP_COLUMN = "systemmodstamp";
const ID_COLUMN = "id";
const DELETED_AT = quoteIdent(DELETED_AT_COLUMN);
const SYNCED_AT = quoteIdent(SYNCED_AT_COLUMN);
const ID = quoteIdent(ID_COLUMN);
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** A column as deliver() writes it: its type and array type (for `unnest`) are read from the table, not assumed. */
export interface Column {
  name: string;
  type: string;
  arrayType: string;
  /** Text fields store "" as is; for any other type an empty string means no value. */
  keepsEmptyString: boolean;
}

export interface PreparedTable {
  qualified: string;
  /** The fields of the last prepared schema, in order; the removed columns the table keeps are not written. */
  columns: Column[];
  idIndex: number;
  /** -1 when the object has no SystemModstamp. */
  stampIndex: number;
  /** Record key → index in `columns`, or -1 for a key that is not a prepared field. */
  keys: Map<string, number>;
  /** Upsert statement per set of columns a record carries. */
  upsertSql: Map<string, string>;
  deleteSql: string;
  /** Bulk pages may be copied straight into the table (until one could not be: see deliverCopy). */
  copyDirect: boolean;
}

/** A record as cells in `columns` order; `undefined` marks a field the record does not carry (left unchanged). */
type Row = unknown[];

/** Stores each Salesforce object in a PostgreSQL table of its own, one typed column per field. */
export class PostgresDestination implements Destination {
  readonly name: string;
  private readonly label: string;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly tablePrefix: string;
  /** Where it connects, without the password, for error messages. */
  private readonly target: string;
  private readonly secrets: string[];
  private readonly tables = new Map<string, PreparedTable>();
  private closed = false;

  constructor(options: PostgresDestinationOptions) {
    this.name = options.name;
    this.label = `PostgreSQL destination "${options.name}"`;
    const url = parseUrl(this.label, options.url);
    this.target = describeTarget(url);
    this.secrets = passwordsIn(url);
    this.schema = checkIdentifier(options.schema ?? "public", "schema");
    this.tablePrefix = options.tablePrefix ?? "";
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
      application_name: "forcelink",
    });
    // An idle connection the server dropped is discarded by the pool; the next checkout reports any real problem.
    this.pool.on("error", () => undefined);
    // A Bulk page's staging table (tens of MB) then stays in memory; the setting only counts once one is used.
    this.pool.on("connect", (client) => {
      client.query(`SET temp_buffers = '${STAGING_MEMORY}'`).catch(() => undefined);
    });
  }

  async prepare(schema: ObjectSchema): Promise<SchemaChange> {
    let table: string;
    let fields: { field: string; column: string; type: string }[];
    try {
      table = tableName(schema.name, this.tablePrefix);
      fields = schema.fields.map((field) => ({
        field: field.name,
        column: columnName(field.name),
        type: postgresColumnType(field),
      }));
    } catch (error) {
      throw new Error(`${this.label}: ${(error as Error).message}`);
    }
    const qualified = `${quoteIdent(this.schema)}.${quoteIdent(table)}`;
    const wanted = new Set(fields.map((f) => f.column));
    if (!wanted.has(ID_COLUMN)) throw new Error(`${this.label}: the schema of ${schema.name} has no Id field`);
    if (wanted.size !== fields.length) {
      throw new Error(`${this.label}: the schema of ${schema.name} names a field twice (names are case-insensitive)`);
    }

    const { change, stored } = await this.transaction(`preparing ${qualified} for ${schema.name}`, async (client) => {
      await this.ensureSchema(client);
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, `table ${qualified}`]);
      const before = await readColumns(client, qualified);
      const missing = fields.filter((f) => !before.has(f.column));
      if (before.size === 0) {
        const columns = fields.map(
          (f) => `${quoteIdent(f.column)} ${f.type}${f.column === ID_COLUMN ? " NOT NULL" : ""}`,
        );
        columns.push(`${DELETED_AT} timestamptz NULL`, `${SYNCED_AT} timestamptz NOT NULL DEFAULT now()`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${qualified} (${columns.join(", ")}, PRIMARY KEY (${ID}))`);
      } else {
        const additions = missing.map((f) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(f.column)} ${f.type}`);
        // Heals a table that lost our own columns; a no-op otherwise.
        if (!before.has(DELETED_AT_COLUMN)) additions.push(`ADD COLUMN IF NOT EXISTS ${DELETED_AT} timestamptz NULL`);
        if (!before.has(SYNCED_AT_COLUMN)) {
          additions.push(`ADD COLUMN IF NOT EXISTS ${SYNCED_AT} timestamptz NOT NULL DEFAULT now()`);
        }
        if (additions.length > 0) await client.query(`ALTER TABLE ${qualified} ${additions.join(", ")}`);
      }
      const removed = [...before.keys()].filter(
        (c) => !wanted.has(c) && c !== DELETED_AT_COLUMN && c !== SYNCED_AT_COLUMN,
      );
      const stored = missing.length > 0 || before.size === 0 ? await readColumns(client, qualified) : before;
      return { change: { added: missing.map((f) => f.field), removed }, stored };
    });

    const columns = fields.map((f): Column => {
      const actual = stored.get(f.column)!;
      return {
        name: f.column,
        type: actual.type,
        arrayType: actual.arrayType,
        keepsEmptyString: f.type === "text" && actual.type === "text",
      };
    });
    const stampIndex = columns.findIndex((c) => c.name === STAMP_COLUMN);
    const idIndex = columns.findIndex((c) => c.name === ID_COLUMN);
    this.tables.set(schema.name.toLowerCase(), {
      qualified,
      columns,
      idIndex,
      stampIndex,
      keys: new Map(),
      upsertSql: new Map(),
      deleteSql: deleteStatement(qualified, columns[idIndex].arrayType, stampIndex >= 0),
      copyDirect: true,
    });
    return change;
  }

  async deliver(batch: DeliveryBatch): Promise<void> {
    const table = this.tables.get(batch.object.toLowerCase());
    if (!table) throw new Error(`${this.label}: ${batch.object} was delivered before prepare() was called for it`);
    const what = `delivering batch ${batch.sequence} of ${batch.object} (run ${batch.runId})`;
    let groups: Map<string, Row[]>;
    try {
      groups = groupByShape(latestRows(table, batch.upserts), table.columns.length);
    } catch (error) {
      throw new Error(`${this.label}: ${what}: ${(error as Error).message}`);
    }
    const deletes = latestDeletes(batch.deletes);
    if (groups.size === 0 && deletes.size === 0) return;

    // Built one at a time as they are sent: a large page's array literals are not all held at once.
    const statements = function* (): Generator<{ sql: string; params: string[] }> {
      for (const [shape, rows] of groups) {
        const present = [...shape].flatMap((flag, index) => (flag === "1" ? [index] : []));
        const sql = upsertStatement(table, shape, present);
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
          const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
          yield { sql, params: present.map((index) => arrayLiteral(chunk, index)) };
        }
      }
      const ids = [...deletes.keys()];
      const times = [...deletes.values()];
      for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
        const end = start + ROWS_PER_STATEMENT;
        yield { sql: table.deleteSql, params: [ids.slice(start, end), times.slice(start, end)].map(listLiteral) };
      }
    };
    const count =
      [...groups.values()].reduce((n, rows) => n + Math.ceil(rows.length / ROWS_PER_STATEMENT), 0) +
      Math.ceil(deletes.size / ROWS_PER_STATEMENT);
    // One statement is atomic on its own: no BEGIN and COMMIT round trips (a subscription's batch, most pages).
    if (count === 1) {
      const [only] = statements();
      return this.statement(what, only.sql, only.params);
    }
    await this.transaction(what, async (client) => {
      for (const { sql, params } of statements()) await client.query(sql, params);
    });
  }

  /**
   * A Bulk page as COPY text: streamed into a temporary staging table, then merged into the table by one statement
   * for the upserts and one for the deletions, under the same rules as deliver(), in one transaction.
   */
  async deliverCopy(batch: CopyBatch): Promise<void> {
    const table = this.tables.get(batch.object.toLowerCase());
    if (!table) throw new Error(`${this.label}: ${batch.object} was delivered before prepare() was called for it`);
    const what = `delivering batch ${batch.sequence} of ${batch.object} (run ${batch.runId})`;
    const sql = stagingStatements(table, batch);
    // An error of the rows' source (the read) is the run's to classify: it is thrown as it is, not as the table's.
    let sourceError: unknown = null;
    let rows: AsyncIterable<Uint8Array> = watched(batch.rows, (error) => {
      sourceError = error;
    });
    try {
      await this.transaction(what, async (client) => {
        // A page that only adds rows (a backfill's) goes straight into the table; one that cannot (a deletion, an Id
        // repeated or already there) is rolled back and merged from what was read, and the run's pages merge after.
        if (sql.direct && table.copyDirect) {
          const pages = replayable(rows);
          await client.query("SAVEPOINT forcelink_direct");
          try {
            await copyIn(client, sql.direct, pages.rows);
            if (!sql.delete || batch.deletions() === 0) return;
          } catch (error) {
            if (sourceError || !DIRECT_COPY_REFUSALS.has((error as { code?: string }).code ?? "")) throw error;
          }
          await client.query("ROLLBACK TO SAVEPOINT forcelink_direct");
          table.copyDirect = false;
          rows = pages.replay();
        }
        // The merge sorts the page by Id: in memory rather than through temporary files.
        await client.query(`SET LOCAL work_mem = '${STAGING_MEMORY}'`);
        await client.query(sql.create);
        await copyIn(client, sql.copy, rows);
        // Without deletions (a backfill, most pages), neither statement looks for them.
        const deletions = sql.delete ? batch.deletions() : 0;
        await client.query(deletions > 0 ? sql.upsert : sql.upsertAll);
        if (sql.delete && deletions > 0) await client.query(sql.delete, [batch.now]);
      });
    } catch (error) {
      throw sourceError ?? error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Creates the schema if it is missing; CREATE SCHEMA needs a right on the database that an existing one does not. */
  private async ensureSchema(client: pg.PoolClient): Promise<void> {
    const found = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [this.schema]);
    if (found.rowCount) return;
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, `schema ${this.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
  }

  private async statement(what: string, sql: string, params: string[]): Promise<void> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query(sql, params);
    } catch (error) {
      broken = true;
      throw this.failure(`${this.label}: ${what} failed: ${(error as Error).message}`, error);
    } finally {
      client.release(broken);
    }
  }

  private async transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw this.failure(`${this.label}: ${what} failed: ${(error as Error).message}`, error);
    } finally {
      client.release(broken);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new Error(`${this.label} is closed`);
    try {
      return await this.pool.connect();
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      throw this.failure(
        `${this.label} could not connect to ${this.target}: ${message}. ${adviceFor(code, message)}`,
        error,
      );
    }
  }

  /**
   * The error to throw. Its cause is a scrubbed copy keeping the SQLSTATE or system `code`: the driver's own error may
   * hold texts that quote the password.
   */
  private failure(message: string, error: unknown): Error {
    const { code, message: original } = error as { code?: unknown; message?: unknown };
    const cause = Object.assign(new Error(this.scrub(String(original))), code === undefined ? {} : { code });
    return new Error(this.scrub(message), { cause });
  }

  /** Error texts come from the driver and the server; if one ever quotes the password, it is masked. */
  private scrub(text: string): string {
    return this.secrets.reduce((result, secret) => result.replaceAll(secret, "***"), text);
  }
}

function adviceFor(code: string | undefined, message: string): string {
  if (code === "28P01") return "Check the user name and password in the destination's URL.";
  if (code === "28000") {
    return "Check the user name, and that the server's pg_hba.conf lets this user connect from this host.";
  }
  if (code === "3D000") return "Check the database name in the destination's URL: the database must exist.";
  if ((code && UNREACHABLE_CODES.has(code)) || /timeout/i.test(message)) {
    return "Check the host and port in the destination's URL, and that the server is running and reachable from here.";
  }
  return "Check the destination's URL (host, port, database, user, password, SSL options) and that the server is running.";
}

function parseUrl(label: string, url: string): URL {
  const advice = "Check that it has the form postgres://user:password@host:5432/database";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${label}: the URL is not valid. ${advice}, with special characters in the password %-encoded.`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`${label}: the URL must start with postgres:// or postgresql://. ${advice}.`);
  }
  return parsed;
}

function describeTarget(url: URL): string {
  const user = url.username ? `${safeDecode(url.username)}@` : "";
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}

/** The password as it may appear in any text: as written in the URL and decoded. Short ones would mask too much. */
function passwordsIn(url: URL): string[] {
  const written = [url.password, url.searchParams.get("password") ?? ""];
  const all = written.flatMap((p) => [p, safeDecode(p)]);
  return [...new Set(all)].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function readColumns(
  client: pg.PoolClient,
  qualified: string,
): Promise<Map<string, { type: string; arrayType: string }>> {
  const result = await client.query<{ name: string; type: string; array_type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, format_type(t.typarray, NULL) AS array_type
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [qualified],
  );
  return new Map(result.rows.map((r) => [r.name, { type: r.type, arrayType: r.array_type }]));
}

/** One row per Id: when a batch carries an Id twice, the newer SystemModstamp wins, else the later record. */
function latestRows(table: PreparedTable, records: SyncRecord[]): Row[] {
  const byId = new Map<string, Row>();
  for (const record of records) {
    const row = toRow(table, record);
    const id = row[table.idIndex];
    if (typeof id !== "string" || id === "") throw new Error("a record to upsert has no Id");
    const seen = byId.get(id);
    if (seen === undefined || !isOlder(row, seen, table.stampIndex)) byId.set(id, row);
  }
  // The same order in every transaction: concurrent deliveries touching the same rows then wait, not deadlock.
  return [...byId.entries()].sort(byKey).map(([, row]) => row);
}

function byKey<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toRow(table: PreparedTable, record: SyncRecord): Row {
  const row: Row = new Array(table.columns.length);
  for (const key in record) {
    let index = table.keys.get(key);
    if (index === undefined) {
      const column = key.toLowerCase();
      index = table.columns.findIndex((c) => c.name === column);
      table.keys.set(key, index);
    }
    if (index < 0) continue;
    const value = record[key];
    if (value === undefined) continue;
    if (value === "" && !table.columns[index].keepsEmptyString) row[index] = null;
    else if (value !== null && typeof value === "object") row[index] = JSON.stringify(value);
    else row[index] = value;
  }
  return row;
}

function isOlder(row: Row, than: Row, stampIndex: number): boolean {
  if (stampIndex < 0) return false;
  const stamp = Date.parse(String(row[stampIndex]));
  const other = Date.parse(String(than[stampIndex]));
  return stamp < other;
}

/** Rows grouped by which fields they carry ("1"/"0" per column): each group is written by one statement. */
function groupByShape(rows: Row[], width: number): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    let shape = "";
    for (let i = 0; i < width; i++) shape += row[i] === undefined ? "0" : "1";
    const group = groups.get(shape);
    if (group) group.push(row);
    else groups.set(shape, [row]);
  }
  return groups;
}

/**
 * One column of `rows` as a PostgreSQL array literal. pg would build the same text from a JS array, but more slowly;
 * cells are only strings, numbers, booleans and null here. Every element is quoted, so "NULL", "" and commas stay text.
 */
function arrayLiteral(rows: Row[], index: number): string {
  let text = "{";
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) text += ",";
    text += element(rows[i][index]);
  }
  return `${text}}`;
}

function listLiteral(values: string[]): string {
  return `{${values.map(element).join(",")}}`;
}

function element(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  const text = String(value);
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPED, "\\$&")}"` : `"${text}"`;
}

/** Each Id's latest deletion time in the batch. */
function latestDeletes(deletes: DeliveryBatch["deletes"]): Map<string, string> {
  const byId = new Map<string, string>();
  for (const { id, deletedAt } of deletes) {
    const seen = byId.get(id);
    if (seen === undefined || !(Date.parse(deletedAt) < Date.parse(seen))) byId.set(id, deletedAt);
  }
  return new Map([...byId.entries()].sort(byKey));
}

/**
 * Inserts or updates rows carrying the `present` columns. With a SystemModstamp, a row is updated only by a version at
 * least as new, and a soft-deleted row only by a version newer than its deletion (which then revives it).
 */
function upsertStatement(table: PreparedTable, shape: string, present: number[]): string {
  const cached = table.upsertSql.get(shape);
  if (cached) return cached;
  const columns = present.map((index) => table.columns[index]);
  const names = columns.map((c) => quoteIdent(c.name));
  const arrays = columns.map((c, n) => `$${n + 1}::${c.arrayType}`);
  const sql =
    `INSERT INTO ${table.qualified} AS t (${names.join(", ")}) SELECT * FROM unnest(${arrays.join(", ")}) ` +
    conflictClause(table, present);
  table.upsertSql.set(shape, sql);
  return sql;
}

/**
 * Soft-deletes rows, leaving a tombstone (Id and deletion time) for a row never seen so that an older version arriving
 * later cannot bring it back. A deletion older than the stored version (the record was undeleted since) is ignored.
 */
function deleteStatement(qualified: string, idArrayType: string, hasStamp: boolean): string {
  return (
    `INSERT INTO ${qualified} AS t (${ID}, ${DELETED_AT}) ` +
    `SELECT * FROM unnest($1::${idArrayType}, $2::timestamp with time zone[]) ` +
    deletionConflictClause(hasStamp)
  );
}

/** `source` as it is, telling `onError` of an error it throws. */
async function* watched(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onError: (error: unknown) => void,
): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (error) {
    onError(error);
    throw error;
  }
}
