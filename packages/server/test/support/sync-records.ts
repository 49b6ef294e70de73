import { DEMO } from "@forcelink/emulator";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { installations } from "../../src/store/schema.ts";
import type { RunOutcome } from "../../src/sync/run-object-sync.ts";
import { runSyncJob } from "../../src/sync/sync-jobs.ts";
import type { Harness, SyncHarness } from "./harness.ts";

/**
 * Accounts (Id, Name, Industry, deletions tracked) into the records destination, on a schedule
 * that never fires during a test: the tests start every run themselves.
 */
export const ACCOUNT_MANIFEST = `
name: crm
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name, Industry]
    schedule: "0 0 1 1 *"
    deletes: true
    destinations: [cache]
`;

/** What `startHarness({ sync })` adds: the connection, the installation, and views of both ends. */
export interface SyncInstallation {
  connectionId: string;
  installationId: string;
  adminId: string;
  /** One run of one object, in this process, as a worker would run it. */
  run(object: string): Promise<RunOutcome>;
  /** Every record the records API serves for the object: live ones and deletions, by Id. */
  served(object: string): Promise<Map<string, { deleted: boolean; data: Record<string, unknown> | null }>>;
  /** The object's live rows in the emulated org, by Id. */
  source(object: string): Map<string, Record<string, unknown>>;
  apiCalls(): number;
}

export interface SyncSetup {
  /** The manifest as YAML; `records` must be one of its destinations for `served()`. */
  manifest: string;
  /** The user the client-credentials connection runs as (default the org's admin). */
  runAs?: string;
}

/**
 * A client-credentials connection (as the org's admin, or `runAs`), and the manifest uploaded
 * and installed without starting its runs.
 */
export async function installSync(h: Harness, options: SyncSetup): Promise<SyncInstallation> {
  const app = await h.demoProviderApp({ clientCredentials: { enabled: true } });
  if (options.runAs)
    h.admin.updateApp(h.org.appByClientId(DEMO.app.clientId)!.id, { clientCredentialsUser: options.runAs });
  const conn = await h.api("/v1/connections", {
    method: "POST",
    body: {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "sync-customer",
      myDomain: "forcelink-demo",
    },
  });
  expect(conn.status, await conn.clone().text()).toBe(201);
  const connectionId = ((await conn.json()) as { id: string }).id;
  const uploaded = await h.api("/v1/integrations", {
    method: "POST",
    body: options.manifest,
    headers: { "content-type": "application/yaml" },
  });
  expect(uploaded.status, await uploaded.clone().text()).toBe(201);
  const integration = ((await uploaded.json()) as { id: string }).id;
  const installed = await h.api(`/v1/connections/${connectionId}/integrations`, {
    method: "POST",
    body: { integration, startNow: false },
  });
  expect(installed.status).toBe(201);
  const installationId = ((await installed.json()) as { id: string }).id;
  const [inst] = await h.server.platform.db.select().from(installations).where(eq(installations.id, installationId));
  expect(inst).toBeDefined();
  const adminId = h.org.userByUsername(DEMO.admin.username)!.Id as string;
  return {
    connectionId,
    installationId,
    adminId,
    run: (object) => runSyncJob(h.server.platform, { installationId, object, trigger: "manual" }),
    async served(object) {
      const out = new Map<string, { deleted: boolean; data: Record<string, unknown> | null }>();
      let cursor = "";
      for (;;) {
        const res = await h.api(`/v1/connections/${connectionId}/records/${object}?limit=1000${cursor}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as {
          records: Array<{ id: string; deleted: boolean; data: Record<string, unknown> | null }>;
          nextCursor: string;
          hasMore: boolean;
        };
        for (const r of page.records) out.set(r.id, { deleted: r.deleted, data: r.data });
        cursor = `&cursor=${page.nextCursor}`;
        if (!page.hasMore) return out;
      }
    },
    source(object) {
      const out = new Map<string, Record<string, unknown>>();
      for (const r of h.org.store.tableOrThrow(object).live()) out.set(r.Id as string, r);
      return out;
    },
    apiCalls: () => {
      const byKind = h.org.counters.snapshot().byKind;
      return (byKind.rest ?? 0) + (byKind.bulk ?? 0);
    },
  };
}

/** Asserts the records API serves exactly the source's live rows (Name and Industry equal), no more. */
export async function expectServedEqualsSource(h: SyncHarness, object = "Account"): Promise<void> {
  const served = await h.served(object);
  const source = h.source(object);
  const live = [...served].filter(([, r]) => !r.deleted);
  expect(live.length).toBe(source.size);
  for (const [id, row] of source) {
    const got = served.get(id);
    expect(got, `record ${id} missing from the destination`).toBeDefined();
    expect(got!.deleted, `record ${id} wrongly deleted`).toBe(false);
    expect(got!.data?.Name).toBe(row.Name ?? null);
  }
}

/** The sync state of one object as `GET /v1/connections/{id}/syncs` shows it. */
export interface SyncStateView {
  object: string;
  status: string;
  statusReason: string | null;
  resumeAt: string | null;
  checkpoint: { field: string | null; value: string; id: string | null } | null;
  backfillDone: boolean;
  lastRunId: string | null;
}

export async function syncStateOf(h: SyncHarness, object = "Account"): Promise<SyncStateView | undefined> {
  const res = await h.api(`/v1/connections/${h.connectionId}/syncs`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: SyncStateView[] };
  return body.data.find((s) => s.object.toLowerCase() === object.toLowerCase());
}

/** The runs of the connection as `GET /v1/connections/{id}/sync-runs` lists them, newest first. */
export async function syncRunsOf(h: SyncHarness, object?: string): Promise<Array<Record<string, unknown>>> {
  const res = await h.api(`/v1/connections/${h.connectionId}/sync-runs${object ? `?object=${object}` : ""}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<Record<string, unknown>> }).data;
}

/** Uploads a manifest through the API (YAML unless `contentType` says otherwise): the status and the JSON answer. */
export async function uploadManifest(
  h: Pick<SyncHarness, "api">,
  manifest: string,
  contentType = "application/yaml",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await h.api("/v1/integrations", {
    method: "POST",
    body: manifest,
    headers: { "content-type": contentType },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Orders records as a sync reads them: by (SystemModstamp, Id). */
export function byCursor(a: { stamp: number; id: string }, b: { stamp: number; id: string }): number {
  return a.stamp - b.stamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
