import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredCredentials } from "@forcelink/salesforce";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { insertConnection } from "../src/connections/connection-store.ts";
import { DbCredentialStore } from "../src/connections/credential-store.ts";
import { generateKey, Sealer } from "../src/crypto/sealing.ts";
import { systemClock } from "../src/platform/clock.ts";
import type { Platform } from "../src/platform/platform.ts";
import { createProject } from "../src/projects/api-keys.ts";
import { type Database, openDatabase } from "../src/store/database.ts";
import { connections, providerApps } from "../src/store/schema.ts";
import { type Backend, createTestDatabase, suiteBackends, type TestDatabase } from "./support/test-database.ts";

const backends = suiteBackends();

const opened: Database[] = [];
let dataDir: string | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
  dataDir = database = undefined;
});

/** Two processes' views of one store: two pools on PostgreSQL, the one embedded database on PGlite. */
async function twoProcesses(backend: Backend): Promise<[Database, Database]> {
  dataDir = mkdtempSync(join(tmpdir(), "forcelink-credentials-"));
  if (backend === "pglite") {
    const one = await openDatabase({ dataDir });
    opened.push(one);
    return [one, one];
  }
  database = await createTestDatabase(process.env.TEST_DATABASE_URL!, "forcelink_credentials");
  const one = await openDatabase({ dataDir, databaseUrl: database.url });
  const two = await openDatabase({ dataDir, databaseUrl: database.url });
  opened.push(one, two);
  return [one, two];
}

const tokens = (accessToken: string, refreshToken: string) => ({
  accessToken,
  refreshToken,
  instanceUrl: "https://acme.my.salesforce.com",
  identityUrl: "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
  orgId: "00D000000000001AAA",
  userId: "005000000000001AAA",
  scopes: ["api", "refresh_token"],
  issuedAt: 1_700_000_000_000,
  signature: "c2lnbmF0dXJl",
});

describe.each(backends)("DbCredentialStore writes fenced by the refresh lease (%s)", (backend) => {
  it("a writer whose lease was taken over loses, and the stored tokens are the new owner's", async () => {
    const [one, two] = await twoProcesses(backend);
    const sealer = new Sealer(generateKey());
    const project = await createProject(one.db, "Fencing");
    await one.db.insert(providerApps).values({
      id: "app_fence",
      projectId: project.id,
      name: "Fence",
      kind: "connected_app",
      clientId: "3MVG9fence",
      clientSecretSealed: sealer.seal("secret"),
      scopes: ["api"],
    });
    const conn = await insertConnection({ db: one.db, sealer, clock: systemClock() } as unknown as Platform, {
      projectId: project.id,
      providerAppId: "app_fence",
      endUserId: "fence",
      environment: "production",
      authFlow: "web_server",
      loginUrl: "https://login.salesforce.com",
      tokens: tokens("00D!first-access", "5Aep-first-refresh"),
    });
    const a = new DbCredentialStore(one.db, sealer, systemClock());
    const b = new DbCredentialStore(two.db, sealer, systemClock());

    // A holds the lease; its token call outlasts it, and B takes the lease over.
    expect(await a.tryAcquireLease(conn.id, "process-a", 50)).toBe(true);
    const readByA = (await a.read(conn.id))!;
    await new Promise((r) => setTimeout(r, 120));
    expect(await b.tryAcquireLease(conn.id, "process-b", 60_000)).toBe(true);
    const readByB = (await b.read(conn.id))!;
    const bWrites: StoredCredentials = { ...readByB, accessToken: "00D!b-access", refreshToken: "5Aep-b-refresh" };
    expect(await b.write(conn.id, bWrites, "process-b")).toBe("won");

    const aWrites: StoredCredentials = { ...readByA, accessToken: "00D!a-access", refreshToken: "5Aep-a-refresh" };
    expect(await a.write(conn.id, aWrites, "process-a")).toBe("lost");
    const stored = (await a.read(conn.id))!;
    expect(stored.accessToken).toBe("00D!b-access");
    expect(stored.refreshToken).toBe("5Aep-b-refresh");

    // The version fences too: B's credentials as read before its own write are stale now.
    expect(await b.write(conn.id, { ...readByB, accessToken: "00D!stale" }, "process-b")).toBe("lost");
    expect(stored.version).toBe(readByB.version! + 1);
    expect(await b.write(conn.id, { ...stored, accessToken: "00D!b-second" }, "process-b")).toBe("won");
    expect((await a.read(conn.id))!.accessToken).toBe("00D!b-second");

    // Every token column, from the first insert on, is sealed by the one mapping.
    const [row] = await one.db.select().from(connections).where(eq(connections.id, conn.id));
    expect(JSON.stringify(row)).not.toMatch(/00D!|5Aep-/);
  });
});
