import { DEMO, type Org, type OrgAdmin, type RunningEmulator } from "@forcelink/emulator";
import { startDemoOrg } from "@forcelink/emulator/testing";
import { fixedToken, OAuthFailure, refreshAccessToken, SalesforceClient } from "@forcelink/salesforce";
import type { ObservedFailure } from "../../src/checklist/evaluate.ts";
import { accessTokenProbe, refreshTokenProbe } from "../../src/checklist/refresh-probe.ts";
import type { Requirements } from "../../src/provider-apps/requirements.ts";

/** The permission set the demo integration user holds, where the baseline grants everything. */
export const INTEGRATION_SET = "Forcelink_Integration";
export const INTEGRATION_PROFILE = "Standard User";

/**
 * The integration the matrix checks: it reads, writes and subscribes to Accounts, reads
 * Contacts and Invoices, and writes Leads.
 */
export const BASELINE_REQUIREMENTS: Requirements = {
  objects: [
    { name: "Account", access: ["read", "write", "subscribe"], fields: ["Name", "Industry", "External_Id__c"] },
    { name: "Contact", access: ["read"] },
    { name: "Invoice__c", access: ["read"], fields: ["Amount__c"] },
    { name: "Lead", access: ["write"], fields: ["LastName", "Company", "LeadSource"] },
  ],
};

export interface ChecklistOrg {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  userId: string;
  appId: string;
  /** A client authenticated as the integration user. */
  client: SalesforceClient;
  /** Introspects the integration user's refresh token, as the server's checklist does. */
  refreshProbe: () => Promise<void>;
  /** Introspects the integration user's access token as the app, for its expiry. */
  accessProbe: () => Promise<{ expiresAt: number | null }>;
  /**
   * Redeems the refresh token as the server's token lifecycle does at runtime, and gives back the
   * failure the way a connection records it (null when the refresh worked).
   */
  runtimeRefresh(): Promise<ObservedFailure | null>;
  /** Failures seen at runtime, handed to the checklist as a connection's recorded failures are. */
  observed: ObservedFailure[];
  /** Calls the emulator's control surface. */
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** A client authenticated as the org's administrator. */
  adminClient(): SalesforceClient;
  close(): Promise<void>;
}

/**
 * The demo org configured the way the checklist wants it for BASELINE_REQUIREMENTS: every grant
 * the integration needs sits on the Forcelink_Integration permission set (on top of the Standard
 * User profile), so one scenario can take exactly one of them away.
 */
export async function startChecklistOrg(): Promise<ChecklistOrg> {
  const { org, admin, emulator } = await startDemoOrg();
  admin.setSystemPermissions(INTEGRATION_SET, {
    ViewSetup: true,
    CanApproveUninstalledApps: true,
    CustomizeApplication: true,
  });
  const readAll = ["Read", "ViewAllRecords", "ViewAllFields"] as const;
  admin.setObjectPermissions(INTEGRATION_SET, "Account", [...readAll, "Create", "Edit", "Delete"]);
  admin.setObjectPermissions(INTEGRATION_SET, "Contact", [...readAll]);
  admin.setObjectPermissions(INTEGRATION_SET, "Invoice__c", [...readAll]);
  admin.setObjectPermissions(INTEGRATION_SET, "Lead", ["Read", "Create", "Edit", "Delete"]);
  admin.setFieldPermissions(INTEGRATION_SET, "Account.Industry", "edit");
  admin.setFieldPermissions(INTEGRATION_SET, "Account.External_Id__c", "edit");
  admin.setFieldPermissions(INTEGRATION_SET, "Invoice__c.Amount__c", "read");
  admin.setFieldPermissions(INTEGRATION_SET, "Lead.LeadSource", "edit");

  const user = org.userByUsername(DEMO.integration.username);
  const app = org.appByClientId(DEMO.app.clientId);
  if (!user || !app) throw new Error("the demo org lacks its integration user or app");
  const scopes = ["api", "refresh_token"];
  const grant = org.sessions.openGrant(user.Id, app.id, scopes);
  const session = org.sessions.openSession(user.Id, app.id, scopes, grant.refreshToken);
  const instanceUrl = emulator.urls.myDomain;
  const client = new SalesforceClient({ tokens: fixedToken({ accessToken: session.accessToken, instanceUrl }) });
  const clients = [client];
  return {
    org,
    admin,
    emulator,
    userId: user.Id,
    appId: app.id,
    client,
    refreshProbe: refreshTokenProbe({
      instanceUrl,
      refreshToken: grant.refreshToken,
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
    }),
    accessProbe: accessTokenProbe({
      instanceUrl,
      clientId: DEMO.app.clientId,
      clientSecret: DEMO.app.clientSecret,
      accessToken: async () => session.accessToken,
    }),
    observed: [],
    async runtimeRefresh() {
      try {
        await refreshAccessToken({
          baseUrl: instanceUrl,
          refreshToken: grant.refreshToken,
          clientId: DEMO.app.clientId,
          clientSecret: DEMO.app.clientSecret,
        });
        return null;
      } catch (error) {
        if (!(error instanceof OAuthFailure) || !error.checklistItem) throw error;
        return { checklistItem: error.checklistItem, code: error.error, message: error.description };
      }
    },
    async control(method, path, body) {
      const res = await fetch(`${emulator.urls.login}/__emulator${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    adminClient() {
      const adminUser = org.userByUsername(DEMO.admin.username);
      if (!adminUser) throw new Error("no admin");
      const s = org.sessions.openSession(adminUser.Id, app.id, ["api"], null);
      const c = new SalesforceClient({ tokens: fixedToken({ accessToken: s.accessToken, instanceUrl }) });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close();
      await emulator.close();
    },
  };
}

/** The object permissions a holder grants on an object now, as ObjectPermissions stores them. */
export function grantedObjectPermissions(o: ChecklistOrg, holder: string, objectName: string): string[] {
  const ps = o.admin.permissionHolder(holder);
  for (const r of o.org.store.tableOrThrow("ObjectPermissions").live()) {
    if (r.ParentId !== ps.Id || String(r.SobjectType).toLowerCase() !== objectName.toLowerCase()) continue;
    return Object.keys(r)
      .filter((k) => k.startsWith("Permissions") && r[k] === true)
      .map((k) => k.slice("Permissions".length));
  }
  return [];
}
