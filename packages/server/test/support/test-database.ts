import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { it } from "vitest";

export type Backend = "pglite" | "postgres";

const MISSING_POSTGRES =
  "TEST_DATABASE_URL is not set, so what runs on PostgreSQL did not run. Set it to a server where the user may CREATE DATABASE (postgres://postgres@127.0.0.1:5432/postgres).";

/**
 * Which stores to run a suite on: PGlite always, PostgreSQL when TEST_DATABASE_URL names one. In CI
 * a missing PostgreSQL is an error, not a skip: callers turn `missingPostgres` into a failing test.
 */
export function storeBackends(): { backends: Backend[]; missingPostgres: string | null } {
  if (process.env.TEST_DATABASE_URL) return { backends: ["pglite", "postgres"], missingPostgres: null };
  return { backends: ["pglite"], missingPostgres: MISSING_POSTGRES };
}

/**
 * The backends to run a suite on, from inside a describe: without PostgreSQL it registers a test
 * that fails in CI (CI=true) and is reported as skipped, by name, elsewhere.
 */
export function suiteBackends(): Backend[] {
  return postgresOnly("The PostgreSQL half of this suite") ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * The PostgreSQL server URL for a suite that runs on PostgreSQL only. Without one it registers a
 * test that fails in CI and, elsewhere, warns loudly and reports the suite as skipped by name; the
 * caller then skips its describe (`describe.runIf(url)`).
 */
export function postgresOnly(suite: string): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return url;
  const missing = `${suite}: ${MISSING_POSTGRES}`;
  if (process.env.CI === "true") {
    it("runs on PostgreSQL (TEST_DATABASE_URL)", () => {
      throw new Error(missing);
    });
  } else {
    console.warn(`\n!!! ${missing}\n`);
    it.skip(missing, () => {});
  }
  return undefined;
}

/** A PostgreSQL database made for one test run, dropped afterwards. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a database with a random name on the server `baseUrl` points at. */
export async function createTestDatabase(baseUrl: string, prefix = "forcelink_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await withAdmin(baseUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // FORCE: a process killed mid-run may leave sessions behind; they must not keep the database alive.
    drop: () =>
      withAdmin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * The environment of a server on a fresh store: its own data directory, and on PostgreSQL its own
 * database and secret key. `dispose` removes both.
 */
export async function freshStore(
  backend: Backend,
  prefix: string,
): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const env: Record<string, string> = {
    FORCELINK_DATA_DIR: dataDir,
    FORCELINK_PORT: "0",
    FORCELINK_LOG_LEVEL: "silent",
  };
  let database: TestDatabase | undefined;
  const template = process.env.FORCELINK_TEST_PGLITE_TEMPLATE;
  if (backend === "pglite" && template) cpSync(template, join(dataDir, "pgdata"), { recursive: true });
  if (backend === "postgres") {
    database = await createTestDatabase(process.env.TEST_DATABASE_URL!, prefix.replace(/\W/g, "_"));
    env.DATABASE_URL = database.url;
    env.FORCELINK_SECRET_KEY = randomBytes(32).toString("base64");
  }
  return {
    env,
    dispose: async () => {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(baseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
