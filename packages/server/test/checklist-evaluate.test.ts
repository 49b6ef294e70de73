import { describe, expect, it } from "vitest";
import { type ChecklistContext, evaluateChecklist, type Verdict } from "../src/checklist/evaluate.ts";
import { changeEventName, needsFrom } from "../src/checklist/needs.ts";
import { type OrgSnapshot, unreachableSnapshot } from "../src/checklist/org-snapshot.ts";
import type { Requirements } from "../src/provider-apps/requirements.ts";
import { CHECK_IDS, CHECKS, type CheckId } from "../src/remedies/checks.ts";
import { APP_ID, EXTRA_SET, healthySnapshot, PROFILE_SET } from "./support/checklist-snapshot.ts";

const ACCOUNT: Requirements = {
  objects: [{ name: "Account", access: ["read", "write", "subscribe"], fields: ["Name", "Industry"] }],
};
const CONTEXT: ChecklistContext = { flow: "web_server", appName: "Acme Sync", hasRefreshToken: true };
const HEALTHY = Object.fromEntries(CHECK_IDS.map((id) => [id, id === "ip-relaxation" ? "unknown" : "pass"])) as Record<
  CheckId,
  Verdict
>;

const ALL_UNKNOWN = Object.fromEntries(CHECK_IDS.map((id) => [id, "unknown"])) as Record<CheckId, Verdict>;

/** The API refused the first call: every part of the snapshot carries that refusal, as takeOrgSnapshot does. */
function refuseAll(s: OrgSnapshot, refused: Extract<OrgSnapshot["api"], { ok: false }>): void {
  Object.assign(s, unreachableSnapshot(s.takenAt, s.userId, refused, needsFrom(ACCOUNT)));
}

function exhaust(s: OrgSnapshot): void {
  refuseAll(s, {
    ok: false,
    code: "REQUEST_LIMIT_EXCEEDED",
    message: "TotalRequests Limit exceeded.",
    checklistItem: "daily-api-quota",
  });
}

interface Case {
  name: string;
  change?: (s: OrgSnapshot) => void;
  context?: Partial<ChecklistContext>;
  requirements?: Requirements;
  expect: Partial<Record<CheckId, Verdict>>;
  /** Something the failing or warning check must say (evidence or remedy). */
  mentions?: Partial<Record<CheckId, string>>;
}

const CASES: Case[] = [
  { name: "healthy org", expect: {} },
  {
    name: "grants by union: Read from the profile, View All from a permission set",
    change: (s) => {
      if (s.objectPermissions.ok) s.objectPermissions.value[1].granted = { Read: true, ViewAllRecords: true };
    },
    // View All Fields only widens a read: a note on a passing check, not a failure.
    expect: {},
    mentions: { "object-access": "Not granted: View All Fields on Account" },
  },
  {
    name: "Modify All Data grants every object permission but View All Fields (field-level security still applies)",
    change: (s) => {
      s.objectPermissions = { ok: true, value: [] };
      if (s.systemPermissions.ok) s.systemPermissions.value.ModifyAllData = true;
      s.fieldPermissions = {
        ok: true,
        value: [{ parentId: PROFILE_SET, field: "Account.Industry", read: true, edit: true }],
      };
    },
    expect: {},
    mentions: { "object-access": "Not granted: View All Fields on Account" },
  },
  {
    name: "View All Fields (Global) stands for View All Fields on each object",
    change: (s) => {
      if (s.objectPermissions.ok) s.objectPermissions.value[1].granted = { Read: true, ViewAllRecords: true };
      if (s.systemPermissions.ok) s.systemPermissions.value.ViewAllFieldsGlobal = true;
    },
    expect: {},
  },
  {
    name: "Modify All on the object implies Read, Edit, Delete and View All Records",
    change: (s) => {
      s.objectPermissions = {
        ok: true,
        value: [
          {
            parentId: EXTRA_SET,
            sobjectType: "Account",
            granted: { Create: true, ModifyAllRecords: true, ViewAllFields: true },
          },
        ],
      };
    },
    expect: {},
  },
  {
    name: "a not-permissionable field counts as visible with no FieldPermissions row",
    change: (s) => {
      if (s.objectPermissions.ok) s.objectPermissions.value[1].granted = { Read: true, ViewAllRecords: true };
      s.fieldPermissions = {
        ok: true,
        value: [{ parentId: EXTRA_SET, field: "Account.Industry", read: true, edit: true }],
      };
    },
    requirements: { objects: [{ name: "Account", access: ["write"], fields: ["Name", "Industry"] }] },
    expect: { "subscription-permissions": "pass" },
  },
  {
    name: "a hidden written field fails visibility only, not editability too",
    change: (s) => {
      if (s.objectPermissions.ok) s.objectPermissions.value[1].granted = { Read: true, ViewAllRecords: true };
      s.fieldPermissions = { ok: true, value: [] };
      if (s.describes.account?.ok) s.describes.account.value.fields.pop();
    },
    expect: { "field-level-security": "fail" },
    mentions: { "field-level-security": "Account.Industry" },
  },
  {
    name: "a visible read-only field fails editability",
    change: (s) => {
      if (s.fieldPermissions.ok) s.fieldPermissions.value[0].edit = false;
    },
    expect: { "field-editable": "fail" },
    mentions: { "field-editable": "Account.Industry" },
  },
  {
    name: "a formula field declared as written can never be written",
    change: (s) => {
      if (s.describes.account?.ok)
        s.describes.account.value.fields.push({
          name: "Score__c",
          permissionable: true,
          createable: false,
          updateable: false,
          calculated: true,
        });
      if (s.fieldPermissions.ok)
        s.fieldPermissions.value.push({ parentId: EXTRA_SET, field: "Account.Score__c", read: true, edit: false });
    },
    requirements: { objects: [{ name: "Account", access: ["read", "write"], fields: ["Score__c"] }] },
    expect: { "field-editable": "fail" },
    mentions: { "field-editable": "never lets them be written: Account.Score__c" },
  },
  {
    name: "fields of an object the user cannot read are left to object access",
    change: (s) => {
      s.objectPermissions = { ok: true, value: [] };
      s.fieldPermissions = { ok: true, value: [] };
      s.describes.account = { ok: false, code: "NOT_FOUND", message: "The requested resource does not exist" };
    },
    expect: { "object-access": "fail" },
  },
  {
    name: "Salesforce Platform license with CRM objects fails the license check only",
    change: (s) => {
      if (s.user.ok) s.user.value.licenseName = "Salesforce Platform";
    },
    requirements: { objects: [...ACCOUNT.objects, { name: "Opportunity", access: ["write"] }] },
    expect: { "user-license": "fail" },
    mentions: { "user-license": "Opportunity" },
  },
  {
    name: "Salesforce Platform license without CRM objects is a warning",
    change: (s) => {
      if (s.user.ok) s.user.value.licenseName = "Salesforce Platform";
    },
    expect: { "user-license": "warn" },
  },
  {
    name: "API-only license on the JWT flow",
    change: (s) => {
      if (s.user.ok) s.user.value.licenseName = "Salesforce Integration";
    },
    context: { flow: "jwt_bearer" },
    expect: {},
  },
  {
    name: "Chatter Free license",
    change: (s) => {
      if (s.user.ok) s.user.value.licenseName = "Chatter Free";
    },
    expect: { "user-license": "fail" },
    mentions: { "user-license": "Chatter Free" },
  },
  {
    name: "license not readable",
    change: (s) => {
      s.user = { ok: false, code: "INVALID_FIELD", message: "No such column 'UserLicense'" };
    },
    expect: { "user-license": "unknown" },
    mentions: { "user-license": "View Setup and Configuration" },
  },
  {
    name: "uninstalled app, API Access Control on: the remedy names Use Any API Client",
    change: (s) => {
      s.connectedApp = { ok: true, value: null };
      s.useAnyApiClient = { ok: true, value: false };
      if (s.systemPermissions.ok) s.systemPermissions.value.CanApproveUninstalledApps = false;
    },
    expect: {
      "app-installed-or-approve-uninstalled": "fail",
      "refresh-token-policy": "unknown",
      "permitted-users": "unknown",
    },
    mentions: { "app-installed-or-approve-uninstalled": "Use Any API Client" },
  },
  {
    name: "installation known to the caller when ConnectedApplication is closed",
    change: (s) => {
      s.connectedApp = { ok: false, code: "INSUFFICIENT_ACCESS", message: "no View Setup" };
      if (s.systemPermissions.ok) s.systemPermissions.value.CanApproveUninstalledApps = false;
    },
    context: { appInstalled: true },
    expect: { "refresh-token-policy": "unknown", "permitted-users": "unknown" },
  },
  {
    name: "admin approved, pre-authorized through the profile",
    change: (s) => {
      if (s.connectedApp?.ok && s.connectedApp.value) s.connectedApp.value.adminApprovedOnly = true;
      s.appGrants = { ok: true, value: [{ parentId: PROFILE_SET, setupEntityId: APP_ID }] };
    },
    expect: {},
  },
  {
    name: "admin approved, pre-authorized for another app only",
    change: (s) => {
      if (s.connectedApp?.ok && s.connectedApp.value) s.connectedApp.value.adminApprovedOnly = true;
      s.appGrants = { ok: true, value: [{ parentId: PROFILE_SET, setupEntityId: "0H4000000000009AAA" }] };
    },
    expect: { "permitted-users": "fail" },
    mentions: { "permitted-users": "'Acme Sync'" },
  },
  {
    name: "lifetime refresh policy",
    change: (s) => {
      if (s.connectedApp?.ok && s.connectedApp.value) s.connectedApp.value.refreshTokenValidityPeriod = 24;
    },
    expect: { "refresh-token-policy": "fail" },
  },
  {
    name: "refresh token reported unusable by introspection",
    change: (s) => {
      s.refreshProbe = {
        ok: false,
        code: "invalid_grant",
        message: "expired access/refresh token",
        checklistItem: "refresh-token-policy",
      };
    },
    expect: { "refresh-token-policy": "fail" },
  },
  {
    name: "no introspection: 'until revoked' cannot be told from 'immediately'",
    change: (s) => {
      s.refreshProbe = null;
    },
    expect: { "refresh-token-policy": "unknown" },
  },
  {
    name: "client credentials need no refresh token",
    context: { flow: "client_credentials", hasRefreshToken: false },
    expect: {},
  },
  {
    name: "'IP restricted' seen at runtime",
    context: {
      observed: [
        { checklistItem: "ip-relaxation", code: "invalid_grant", message: "IP restricted or invalid login hours" },
      ],
    },
    expect: { "ip-relaxation": "fail" },
    mentions: { "ip-relaxation": "IP restricted or invalid login hours" },
  },
  {
    name: "CDC: an entity already selected needs no new slot",
    change: (s) => {
      s.cdcSelected = { ok: true, value: ["AccountChangeEvent", "A", "B", "C", "D"] };
    },
    expect: {},
  },
  {
    name: "CDC: allocation full",
    change: (s) => {
      s.cdcSelected = { ok: true, value: ["A", "B", "C", "D", "E"] };
    },
    expect: { "cdc-allocation": "fail" },
    mentions: { "cdc-allocation": "AccountChangeEvent" },
  },
  {
    name: "CDC: a bigger allocation bought",
    change: (s) => {
      s.cdcSelected = { ok: true, value: ["A", "B", "C", "D", "E"] };
    },
    context: { cdcEntityAllocation: 10 },
    expect: {},
  },
  {
    name: "no subscriptions: subscription checks do not apply",
    change: (s) => {
      s.systemPermissions = { ok: true, value: { ApiEnabled: true, CanApproveUninstalledApps: true } };
      s.cdcSelected = null;
    },
    requirements: { objects: [{ name: "Account", access: ["read", "write"], fields: ["Name", "Industry"] }] },
    expect: {},
  },
  {
    name: "quota: 15% left warns",
    change: (s) => {
      s.api = { ok: true, value: { usage: { used: 85000, max: 100000 } } };
    },
    expect: { "daily-api-quota": "warn" },
  },
  {
    name: "quota: 2% left fails",
    change: (s) => {
      s.api = { ok: true, value: { usage: { used: 98000, max: 100000 } } };
    },
    expect: { "daily-api-quota": "fail" },
    mentions: { "daily-api-quota": "98000 of its 100000" },
  },
  {
    name: "permission rows closed (no View Setup) answer unknown with the reason",
    change: (s) => {
      const closed = { ok: false as const, code: "INSUFFICIENT_ACCESS", message: "insufficient access rights" };
      s.objectPermissions = closed;
      s.fieldPermissions = closed;
      s.permissionSets = closed;
    },
    expect: { "object-access": "unknown", "field-level-security": "unknown", "field-editable": "unknown" },
    mentions: { "object-access": "INSUFFICIENT_ACCESS: insufficient access rights" },
  },
  {
    name: "read-only manifest without View All Records and View All Fields: passes with a note",
    change: (s) => {
      s.objectPermissions = {
        ok: true,
        value: [{ parentId: PROFILE_SET, sobjectType: "Account", granted: { Read: true } }],
      };
    },
    requirements: { objects: [{ name: "Account", access: ["read"], fields: ["Name", "Industry"] }] },
    expect: {},
    mentions: { "object-access": "Not granted: View All Records and View All Fields on Account" },
  },
  {
    name: "subscribing still needs View All Records (change events follow it)",
    change: (s) => {
      if (s.objectPermissions.ok) s.objectPermissions.value[1].granted = { Read: true, ViewAllFields: true };
    },
    expect: { "object-access": "fail" },
    mentions: { "object-access": "Account: tick View All Records." },
  },
  {
    name: "a declared object the org does not have is reported missing, not as permissions to tick",
    change: (s) => {
      s.existingObjects = { ok: true, value: [] };
    },
    requirements: { objects: [...ACCOUNT.objects, { name: "Nonexistent__c", access: ["read"] }] },
    expect: { "object-access": "fail" },
    mentions: { "object-access": "Install the package that brings Nonexistent__c" },
  },
  {
    name: "exhausted daily quota: the quota check fails, every other check names the quota",
    change: (s) => exhaust(s),
    expect: { ...ALL_UNKNOWN, "daily-api-quota": "fail" },
    mentions: { "daily-api-quota": "used all of its daily API requests" },
  },
  {
    name: "CDC: the needed entity among those already selected past the default passes",
    change: (s) => {
      s.cdcSelected = { ok: true, value: ["AccountChangeEvent", "A", "B", "C", "D", "E"] };
    },
    expect: {},
  },
  {
    name: "CDC: an allocation raised to what is selected, with no room left, names the counts and the entity",
    change: (s) => {
      s.cdcSelected = { ok: true, value: ["A", "B", "C", "D", "E", "F"] };
    },
    expect: { "cdc-allocation": "fail" },
    mentions: { "cdc-allocation": "selected 6 of the 6 entities" },
  },
  {
    name: "read-only and computed fields found in one run are both in the steps",
    change: (s) => {
      if (s.describes.account?.ok)
        s.describes.account.value.fields.push({
          name: "Score__c",
          permissionable: true,
          createable: false,
          updateable: false,
          calculated: true,
        });
      if (s.fieldPermissions.ok) {
        s.fieldPermissions.value[0].edit = false;
        s.fieldPermissions.value.push({ parentId: EXTRA_SET, field: "Account.Score__c", read: true, edit: false });
      }
    },
    requirements: { objects: [{ name: "Account", access: ["read", "write"], fields: ["Industry", "Score__c"] }] },
    expect: { "field-editable": "fail" },
    mentions: { "field-editable": "stop declaring Account.Score__c as written" },
  },
  {
    name: "subscriptions ask for Customize Application, not another vendor's set",
    change: (s) => {
      for (const holder of [
        s.systemPermissions,
        ...(s.permissionSets.ok ? s.permissionSets.value.map((p) => ({ ok: true as const, value: p.system })) : []),
      ])
        if (holder.ok) holder.value.CustomizeApplication = false;
    },
    expect: { "subscription-permissions": "fail" },
    mentions: { "subscription-permissions": "Tick: Customize Application." },
  },
  {
    name: "Modify All Data stands for Customize Application",
    change: (s) => {
      if (s.systemPermissions.ok)
        Object.assign(s.systemPermissions.value, { CustomizeApplication: false, ModifyAllData: true });
    },
    expect: {},
  },
  {
    name: "subscribing to User needs View All Users",
    requirements: { objects: [...ACCOUNT.objects, { name: "User", access: ["subscribe"] }] },
    change: (s) => {
      s.objectPermissions = {
        ok: true,
        value: [
          ...(s.objectPermissions.ok ? s.objectPermissions.value : []),
          { parentId: EXTRA_SET, sobjectType: "User", granted: { Read: true, ViewAllRecords: true } },
        ],
      };
    },
    expect: { "subscription-permissions": "fail" },
    mentions: { "subscription-permissions": "View All Users" },
  },
  {
    name: "the app requires a High Assurance session",
    change: (s) => {
      if (s.connectedApp?.ok && s.connectedApp.value) s.connectedApp.value.highAssuranceRequired = true;
    },
    expect: { "session-security-level": "fail" },
    mentions: { "session-security-level": "Session Level Policy to None" },
  },
  {
    name: "the API refused the session for its security level: only that check decides",
    change: (s) =>
      refuseAll(s, {
        ok: false,
        code: "INSUFFICIENT_ACCESS",
        message: "This session's security level is Standard; the connected app requires a High Assurance session.",
        checklistItem: "session-security-level",
      }),
    expect: { ...ALL_UNKNOWN, "session-security-level": "fail" },
    mentions: { "object-access": "Fix what the session-security-level check reports" },
  },
  {
    name: "introspection gives no expiry: Forcelink assumes two hours, and says so",
    change: (s) => {
      s.accessProbe = { ok: true, expiresAt: null };
    },
    expect: { "session-expiry": "warn" },
    mentions: { "session-expiry": "Introspect All Tokens" },
  },
  {
    name: "an uninstalled app: the policy checks name the installation, not View Setup",
    change: (s) => {
      s.connectedApp = { ok: true, value: null };
    },
    expect: { "refresh-token-policy": "unknown", "permitted-users": "unknown", "session-security-level": "pass" },
    mentions: { "permitted-users": "Install the app in the org" },
  },
];

/** Phrases a filled template must never read as. */
const WORDING_FAULTS = [/\bits its\b/, /profile 'the /, /'the user's profile'/, /\s{2}/, /\(\)/, / ,/, /that\s+fit/];

describe("evaluateChecklist", () => {
  it.each(CASES)("$name", (c) => {
    const snapshot = healthySnapshot();
    c.change?.(snapshot);
    const checks = evaluateChecklist(snapshot, needsFrom(c.requirements ?? ACCOUNT), { ...CONTEXT, ...c.context });
    expect(Object.fromEntries(checks.map((r) => [r.id, r.verdict]))).toEqual({ ...HEALTHY, ...c.expect });
    for (const [id, text] of Object.entries(c.mentions ?? {})) {
      const check = checks.find((r) => r.id === id);
      expect(JSON.stringify(check)).toContain(text);
    }
    for (const r of checks) {
      expect(r.title).toBeTruthy();
      if (r.verdict === "pass") continue;
      const steps = r.remedy ?? [];
      expect(steps.length, r.id).toBeGreaterThan(0);
      for (const step of steps) {
        expect(step, r.id).not.toMatch(/\{\w+\}/);
        WORDING_FAULTS.forEach((fault) => {
          expect(step, r.id).not.toMatch(fault);
        });
        // A heading is said once, as the reason; a step is an action.
        expect(step, r.id).not.toMatch(/:$/);
        if (r.reason) expect(step, r.id).not.toContain(r.reason);
      }
      if (r.reason) for (const fault of WORDING_FAULTS) expect(r.reason, r.id).not.toMatch(fault);
      // Only a closed door is opened by View Setup: other causes never send the admin there.
      if (r.verdict === "unknown" && !/INSUFFICIENT_ACCESS|INVALID_FIELD|INVALID_TYPE|NO_ROWS/.test(r.reason ?? ""))
        expect(steps.join(" "), r.id).not.toContain("tick 'View Setup and Configuration'");
    }
  });

  it("is pure: the same input gives the same answer", () => {
    const needs = needsFrom(ACCOUNT);
    expect(evaluateChecklist(healthySnapshot(), needs, CONTEXT)).toEqual(
      evaluateChecklist(healthySnapshot(), needs, CONTEXT),
    );
  });
});

describe("the check catalog", () => {
  it("gives every check a title, a why, a how and at least one remedy of several steps", () => {
    for (const c of CHECKS) {
      expect(c.title && c.why && c.howVerified, c.id).toBeTruthy();
      const remedies = Object.values(c.remedies);
      expect(remedies.length, c.id).toBeGreaterThan(0);
      for (const steps of remedies) expect(steps.length, c.id).toBeGreaterThan(0);
    }
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
  });
});

describe("needsFrom", () => {
  it.each([
    { access: ["read"], permissions: ["Read"], editable: false },
    { access: ["write"], permissions: ["Read", "Create", "Edit", "Delete"], editable: true },
    { access: ["create"], permissions: ["Read", "Create"], editable: true },
    { access: ["edit"], permissions: ["Read", "Edit"], editable: true },
    { access: ["delete"], permissions: ["Read", "Delete"], editable: false },
    { access: ["create", "delete"], permissions: ["Read", "Create", "Delete"], editable: true },
    { access: ["subscribe"], permissions: ["Read", "ViewAllRecords"], editable: false },
    {
      access: ["read", "write"],
      permissions: ["Read", "Create", "Edit", "Delete"],
      editable: true,
    },
  ] as const)("$access needs $permissions", ({ access, permissions, editable }) => {
    const needs = needsFrom({ objects: [{ name: "Invoice__c", access: [...access], fields: ["Amount__c"] }] });
    expect(needs.objects[0].permissions).toEqual(permissions);
    expect(needs.fields[0]).toMatchObject({ path: "Invoice__c.Amount__c", read: true, write: editable });
  });

  it.each([
    ["Account", "AccountChangeEvent"],
    ["Invoice__c", "Invoice__ChangeEvent"],
    ["ns__Thing__c", "ns__Thing__ChangeEvent"],
  ])("%s changes arrive as %s", (object, entity) => {
    expect(changeEventName(object)).toBe(entity);
  });
});
