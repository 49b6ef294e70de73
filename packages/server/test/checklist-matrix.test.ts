import { DEMO } from "@forcelink/emulator";
import { afterEach, describe, expect, it } from "vitest";
import type { Verdict } from "../src/checklist/evaluate.ts";
import { type RunChecklistContext, runChecklist } from "../src/checklist/run-checklist.ts";
import { systemClock } from "../src/platform/clock.ts";
import type { Requirements } from "../src/provider-apps/requirements.ts";
import { CHECK_IDS, type CheckId } from "../src/remedies/checks.ts";
import {
  BASELINE_REQUIREMENTS,
  type ChecklistOrg,
  grantedObjectPermissions,
  INTEGRATION_PROFILE,
  INTEGRATION_SET,
  startChecklistOrg,
} from "./support/checklist-org.ts";

type VerdictMap = Record<CheckId, Verdict>;

/** A correctly configured org: everything passes but IP relaxation, which the API cannot show. */
const HEALTHY: VerdictMap = {
  ...(Object.fromEntries(CHECK_IDS.map((id) => [id, "pass"])) as VerdictMap),
  "ip-relaxation": "unknown",
};
/** When the API refuses every call, only the check that explains it can decide anything. */
const UNREACHABLE = Object.fromEntries(CHECK_IDS.map((id) => [id, "unknown"])) as VerdictMap;

interface Scenario {
  name: string;
  /** Breaks the baseline org in exactly one way. */
  break?: (o: ChecklistOrg) => unknown;
  /** The verdicts that differ from HEALTHY; every other check must pass. */
  expect: Partial<VerdictMap>;
  base?: VerdictMap;
  context?: Partial<RunChecklistContext>;
  requirements?: Requirements;
  /** Something a check must say (reason, evidence or remedy). */
  mentions?: Partial<Record<CheckId, string>>;
}

/** Takes one object permission away from the profile and the permission set alike. */
function withoutObjectPermission(objectName: string, permission: string) {
  return (o: ChecklistOrg) => {
    for (const holder of [INTEGRATION_PROFILE, INTEGRATION_SET]) {
      const kept = grantedObjectPermissions(o, holder, objectName).filter((p) => p !== permission);
      // Salesforce keeps no row without Read: taking Read away takes the object away.
      o.admin.setObjectPermissions(holder, objectName, permission === "Read" ? [] : (kept as never[]));
    }
  };
}

/**
 * Moves the integration permission set into a permission set group (with a muting permission set
 * when `muting` is given) and assigns the user the group instead of the set.
 */
function throughGroup(muting?: Record<string, string[]>) {
  return async (o: ChecklistOrg) => {
    await o.control("POST", "/permission-set-groups", {
      name: "Integration_Group",
      label: "Integration Group",
      permissionSets: [INTEGRATION_SET],
      ...(muting ? { muting: { name: "Integration_Muting", objects: muting } } : {}),
    });
    await o.control("PATCH", `/users/${DEMO.integration.username}`, {
      removePermissionSets: [INTEGRATION_SET],
      addPermissionSetGroups: ["Integration_Group"],
    });
  };
}

function setFieldAccess(field: string, access: "read" | "none") {
  return (o: ChecklistOrg) => {
    for (const holder of [INTEGRATION_PROFILE, INTEGRATION_SET]) o.admin.setFieldPermissions(holder, field, access);
  };
}

/**
 * Every permission the declared access needs fails object access when taken away; View All
 * Records and View All Fields only widen a read, so taking them away leaves a note on a pass.
 */
const OBJECT_PERMISSION_SCENARIOS: Scenario[] = BASELINE_REQUIREMENTS.objects.flatMap((object) => {
  const permissions = new Set<string>(["Read"]);
  if (object.access.includes("write")) for (const p of ["Create", "Edit", "Delete"]) permissions.add(p);
  if (object.access.includes("subscribe")) permissions.add("ViewAllRecords");
  const widening = object.access.includes("read")
    ? ["ViewAllRecords", "ViewAllFields"].filter((p) => !permissions.has(p))
    : [];
  return [
    ...[...permissions].map(
      (p): Scenario => ({
        name: `${object.name} without ${p}`,
        break: withoutObjectPermission(object.name, p),
        expect: { "object-access": "fail" },
      }),
    ),
    ...widening.map(
      (p): Scenario => ({
        name: `${object.name} without ${p} (it only widens the read)`,
        break: withoutObjectPermission(object.name, p),
        expect: {},
        mentions: {
          "object-access": `Not granted: ${p === "ViewAllRecords" ? "View All Records" : "View All Fields"} on ${object.name}`,
        },
      }),
    ),
  ];
});

/** What selecting entities through the Tooling API needs (View Setup has a scenario of its own). */
const SUBSCRIPTION_PERMISSION_SCENARIOS: Scenario[] = ["CustomizeApplication"].map((p) => ({
  name: `subscription permission ${p} missing`,
  break: (o) => o.admin.setSystemPermissions(INTEGRATION_SET, { [p]: false }),
  expect: { "subscription-permissions": "fail" },
}));

/** Selects entities for Change Data Capture as the org's admin would, through the Tooling API. */
async function selectEntities(o: ChecklistOrg, entities: string[]): Promise<void> {
  const admin = o.adminClient();
  for (const entity of entities)
    await admin.request({
      method: "POST",
      path: `${admin.dataPath}/tooling/sobjects/PlatformEventChannelMember`,
      json: { FullName: `ChangeEvents_${entity}`, Metadata: { eventChannel: "ChangeEvents", selectedEntity: entity } },
    });
}

const SCENARIOS: Scenario[] = [
  { name: "correctly configured org", expect: {} },
  {
    name: "edition without API access",
    break: (o) => o.control("PATCH", "/org", { edition: "Professional Edition" }),
    base: UNREACHABLE,
    expect: { "api-access-edition": "fail" },
  },
  {
    name: "user without API Enabled",
    break: (o) => o.admin.setSystemPermissions(INTEGRATION_PROFILE, { ApiEnabled: false }),
    base: UNREACHABLE,
    expect: { "api-access-edition": "pass", "api-enabled-permission": "fail" },
  },
  {
    name: "Salesforce Platform license for an integration that writes Leads",
    break: (o) => o.admin.changeProfile(o.userId, "Standard Platform User"),
    expect: { "user-license": "fail" },
  },
  {
    name: "API-only integration user on the browser flow",
    break: (o) => o.admin.changeProfile(o.userId, "Minimum Access - API Only Integrations"),
    // The baseline's grants sit on the permission set, so only the license is wrong.
    expect: { "user-license": "fail" },
  },
  {
    name: "API-only integration user on client credentials",
    break: (o) => o.admin.changeProfile(o.userId, "Minimum Access - API Only Integrations"),
    context: { flow: "client_credentials" },
    expect: {},
  },
  {
    name: "app uninstalled and no Approve Uninstalled Connected Apps",
    break: (o) => {
      o.admin.updateApp(o.appId, { installed: false });
      o.admin.setSystemPermissions(INTEGRATION_SET, { CanApproveUninstalledApps: false });
    },
    // An uninstalled app has no ConnectedApplication row: its policies cannot be read.
    expect: {
      "app-installed-or-approve-uninstalled": "fail",
      "refresh-token-policy": "unknown",
      "permitted-users": "unknown",
    },
  },
  {
    name: "app uninstalled, API Access Control on, no Use Any API Client",
    break: async (o) => {
      o.admin.updateApp(o.appId, { installed: false });
      o.admin.setSystemPermissions(INTEGRATION_SET, { CanApproveUninstalledApps: false });
      await o.control("PATCH", "/org", { apiAccessControl: true });
    },
    expect: {
      "app-installed-or-approve-uninstalled": "fail",
      "refresh-token-policy": "unknown",
      "permitted-users": "unknown",
    },
  },
  {
    name: "app uninstalled, API Access Control on, user has Use Any API Client",
    break: async (o) => {
      o.admin.updateApp(o.appId, { installed: false });
      o.admin.setSystemPermissions(INTEGRATION_SET, { CanApproveUninstalledApps: false, UseAnyApiClient: true });
      await o.control("PATCH", "/org", { apiAccessControl: true });
    },
    expect: { "refresh-token-policy": "unknown", "permitted-users": "unknown" },
  },
  {
    name: "refresh tokens expire immediately",
    break: (o) => o.admin.updateApp(o.appId, { refreshTokenPolicy: { type: "immediately" } }),
    expect: { "refresh-token-policy": "fail" },
  },
  {
    name: "refresh tokens expire after a lifetime",
    break: (o) => o.admin.updateApp(o.appId, { refreshTokenPolicy: { type: "lifetime", seconds: 24 * 3600 } }),
    expect: { "refresh-token-policy": "fail" },
  },
  {
    name: "refresh tokens expire when idle",
    break: (o) => o.admin.updateApp(o.appId, { refreshTokenPolicy: { type: "idle", seconds: 48 * 3600 } }),
    expect: { "refresh-token-policy": "warn" },
  },
  {
    name: "connection without a refresh token",
    context: { hasRefreshToken: false, refreshProbe: undefined },
    expect: { "refresh-token-policy": "fail" },
  },
  {
    name: "admin-approved app without pre-authorization",
    break: (o) => o.admin.updateApp(o.appId, { permittedUsers: "admin_approved" }),
    expect: { "permitted-users": "fail" },
  },
  {
    name: "admin-approved app with the user's permission set pre-authorized",
    break: (o) => o.admin.updateApp(o.appId, { permittedUsers: "admin_approved", preauthorized: [INTEGRATION_SET] }),
    expect: {},
  },
  {
    // Salesforce does not show this policy through the API: the check stays undecided...
    name: "IP restrictions enforced, nothing refused yet",
    break: async (o) => {
      o.admin.updateApp(o.appId, { ipRelaxation: "enforce" });
      await o.control("PATCH", "/org", { clientIpTrusted: false });
    },
    expect: {},
  },
  {
    // ...until a runtime refresh is refused as "IP restricted", which turns it into a failure.
    name: "IP restrictions enforced, a runtime refresh refused",
    break: async (o) => {
      o.admin.updateApp(o.appId, { ipRelaxation: "enforce" });
      await o.control("PATCH", "/org", { clientIpTrusted: false });
      const refused = await o.runtimeRefresh();
      if (refused) o.observed.push(refused);
    },
    expect: { "ip-relaxation": "fail" },
  },
  ...OBJECT_PERMISSION_SCENARIOS,
  {
    name: "Lead without Delete, for an integration that only creates and edits Leads",
    break: withoutObjectPermission("Lead", "Delete"),
    requirements: {
      objects: BASELINE_REQUIREMENTS.objects.map((o) => (o.name === "Lead" ? { ...o, access: ["create", "edit"] } : o)),
    },
    expect: {},
  },
  {
    name: "a written field hidden (Lead.LeadSource)",
    break: setFieldAccess("Lead.LeadSource", "none"),
    expect: { "field-level-security": "fail" },
  },
  {
    name: "a written field read-only (Lead.LeadSource)",
    break: setFieldAccess("Lead.LeadSource", "read"),
    expect: { "field-editable": "fail" },
  },
  {
    name: "a written field read-only (Account.Industry, object has View All Fields)",
    break: setFieldAccess("Account.Industry", "read"),
    expect: { "field-editable": "fail" },
  },
  {
    name: "a declared field missing from the org",
    requirements: {
      objects: [
        ...BASELINE_REQUIREMENTS.objects.filter((o) => o.name !== "Invoice__c"),
        { name: "Invoice__c", access: ["read"], fields: ["Amount__c", "Due_Date__c"] },
      ],
    },
    expect: { "field-level-security": "fail" },
  },
  ...SUBSCRIPTION_PERMISSION_SCENARIOS,
  {
    name: "subscription permission ViewSetup missing (permission objects become unreadable)",
    break: (o) => o.admin.setSystemPermissions(INTEGRATION_SET, { ViewSetup: false }),
    expect: {
      "subscription-permissions": "fail",
      // Without View Setup the profile, the app's policies and the permission rows are closed.
      "user-license": "unknown",
      "refresh-token-policy": "unknown",
      "permitted-users": "unknown",
      "object-access": "unknown",
      "field-level-security": "unknown",
      "field-editable": "unknown",
      "cdc-allocation": "unknown",
    },
  },
  {
    name: "Change Data Capture allocation used up",
    break: (o) =>
      selectEntities(o, [
        "ContactChangeEvent",
        "LeadChangeEvent",
        "OpportunityChangeEvent",
        "CaseChangeEvent",
        "Invoice__ChangeEvent",
      ]),
    expect: { "cdc-allocation": "fail" },
  },
  {
    name: "Change Data Capture allocation raised, the needed entity among those already selected",
    break: async (o) => {
      await o.control("PATCH", "/org", { cdcEntityAllocation: 6 });
      await selectEntities(o, [
        "AccountChangeEvent",
        "ContactChangeEvent",
        "LeadChangeEvent",
        "OpportunityChangeEvent",
        "CaseChangeEvent",
        "Invoice__ChangeEvent",
      ]);
    },
    expect: {},
  },
  {
    name: "Change Data Capture allocation raised and used up by other entities",
    break: async (o) => {
      await o.control("PATCH", "/org", { cdcEntityAllocation: 6 });
      await selectEntities(o, [
        "ContactChangeEvent",
        "LeadChangeEvent",
        "OpportunityChangeEvent",
        "CaseChangeEvent",
        "Invoice__ChangeEvent",
        "UserChangeEvent",
      ]);
    },
    expect: { "cdc-allocation": "fail" },
    mentions: { "cdc-allocation": "so that AccountChangeEvent fit" },
  },
  {
    name: "a declared object the org does not have",
    requirements: { objects: [...BASELINE_REQUIREMENTS.objects, { name: "Nonexistent__c", access: ["read"] }] },
    expect: { "object-access": "fail" },
    mentions: { "object-access": "Install the package that brings Nonexistent__c" },
  },
  {
    name: "daily API quota used up: the quota check fails, the others name the quota",
    break: (o) => o.control("PUT", "/quota", { used: o.org.apiUsage.limit }),
    base: UNREACHABLE,
    expect: { "daily-api-quota": "fail" },
    mentions: {
      "daily-api-quota": "used all of its daily API requests",
      "object-access": "REQUEST_LIMIT_EXCEEDED",
      "permitted-users": "Wait until the org has daily API requests free again",
    },
  },
  {
    name: "the app requires a High Assurance session",
    break: (o) => o.control("PATCH", `/apps/${DEMO.app.clientId}`, { highAssuranceRequired: true }),
    base: UNREACHABLE,
    expect: { "session-security-level": "fail" },
    mentions: {
      "session-security-level": "Session Level Policy to None",
      "object-access": "Fix what the session-security-level check reports",
    },
  },
  { name: "every grant through a permission set group", break: throughGroup(), expect: {} },
  {
    name: "a permission set group's muting permission set turns off Edit on Account",
    break: async (o) => {
      const kept = grantedObjectPermissions(o, INTEGRATION_PROFILE, "Account").filter((p) => p !== "Edit");
      o.admin.setObjectPermissions(INTEGRATION_PROFILE, "Account", kept as never[]);
      await throughGroup({ Account: ["Edit"] })(o);
    },
    expect: { "object-access": "fail" },
    mentions: {
      "object-access":
        "group 'Integration Group' turns off Edit through its muting permission set 'Integration_Muting'",
    },
  },
  {
    name: "daily API quota nearly used up",
    break: (o) => o.org.apiUsage.setUsed(o.org.apiUsage.limit - 100),
    expect: { "daily-api-quota": "fail" },
  },
];

describe("the pre-install checklist against the emulator", () => {
  let current: ChecklistOrg | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it.each(SCENARIOS)("$name", async (scenario) => {
    const o = await startChecklistOrg();
    current = o;
    await scenario.break?.(o);
    o.org.counters.reset();
    const run = await runChecklist(o.client, scenario.requirements ?? BASELINE_REQUIREMENTS, {
      userId: o.userId,
      flow: "web_server",
      appName: DEMO.app.name,
      hasRefreshToken: true,
      refreshProbe: o.refreshProbe,
      accessProbe: o.accessProbe,
      observed: o.observed,
      ...scenario.context,
      now: systemClock().now,
    });
    const verdicts = Object.fromEntries(run.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts).toEqual({ ...(scenario.base ?? HEALTHY), ...scenario.expect });
    for (const [id, text] of Object.entries(scenario.mentions ?? {}))
      expect(JSON.stringify(run.checks.find((c) => c.id === id)), id).toContain(text);
    for (const c of run.checks) {
      if (c.verdict === "pass") expect(c.remedy, c.id).toBeUndefined();
      else {
        expect(c.remedy?.length, c.id).toBeGreaterThan(0);
        for (const step of c.remedy ?? []) expect(step, c.id).not.toMatch(/\{\w+\}/);
      }
      if (c.verdict === "unknown") expect(c.reason, c.id).toBeTruthy();
    }
    // The count we report is the count Salesforce (here, the emulator) saw.
    const seen = o.org.counters.snapshot().byKind;
    expect(run.apiCalls.api).toBe((seen.rest ?? 0) + (seen.tooling ?? 0));
  });
});

describe("what the checklist costs", () => {
  /** `objects` objects with `fields` declared fields in all, on custom objects made for the test. */
  async function costOf(objectCount: number, fieldCount: number): Promise<{ reported: number; seen: number }> {
    const o = await startChecklistOrg();
    try {
      const perObject = Math.ceil(fieldCount / objectCount);
      const objects: Requirements["objects"] = [];
      for (let i = 0; i < objectCount; i++) {
        const name = `Cost${i}__c`;
        const fields = Array.from({ length: Math.min(perObject, fieldCount - i * perObject) }, (_, j) => `F${j}__c`);
        await o.control("POST", "/objects", {
          name,
          fields: fields.map((f) => ({ name: f, type: "string" })),
          grantTo: [INTEGRATION_SET],
        });
        objects.push({ name, access: i === 0 ? ["read", "write", "subscribe"] : ["read", "write"], fields });
      }
      o.org.counters.reset();
      const run = await runChecklist(
        o.client,
        { objects },
        { userId: o.userId, flow: "web_server", appName: DEMO.app.name, hasRefreshToken: true, now: systemClock().now },
      );
      // No refresh-token introspection here, so the refresh policy stays undecided alongside IP relaxation.
      // Nor of the access token, so the session's expiry stays undecided too.
      expect(run.checks.filter((c) => c.verdict !== "pass").map((c) => c.id)).toEqual([
        "refresh-token-policy",
        "ip-relaxation",
        "session-expiry",
      ]);
      const seen = o.org.counters.snapshot().byKind;
      return { reported: run.apiCalls.api, seen: (seen.rest ?? 0) + (seen.tooling ?? 0) };
    } finally {
      await o.close();
    }
  }

  it("is the same small number of API calls for 2 objects and 5 fields as for 10 objects and 100 fields", async () => {
    const small = await costOf(2, 5);
    const large = await costOf(10, 100);
    expect(small).toEqual({ reported: 12, seen: 12 });
    expect(large).toEqual(small);
  });
});
