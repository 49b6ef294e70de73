import { type CheckId, checkDefinition, UNREADABLE_REMEDY } from "../remedies/checks.ts";
import { fill, GENERIC_NAMES, SUBSCRIPTION_PERMISSIONS } from "../remedies/remedy-text.ts";
import { type ChecklistNeeds, changeEventName, type FieldNeed, type ObjectPermissionName } from "./needs.ts";
import type { ObjectPermissionColumn, OrgSnapshot, Reading, SystemPermissionName } from "./org-snapshot.ts";

export type Verdict = "pass" | "fail" | "warn" | "unknown";
export type ConnectionFlow = "web_server" | "client_credentials" | "jwt_bearer";

/** A failure seen while using the connection (sign-in, refresh, API call) that points at a check. */
export interface ObservedFailure {
  checklistItem: string;
  code: string;
  message: string;
  at?: string;
}

export interface ChecklistContext {
  flow: ConnectionFlow;
  /** The app's name in Salesforce, for remedies. */
  appName?: string;
  /** What the caller knows of the app's installation when ConnectedApplication cannot tell. */
  appInstalled?: boolean;
  /** Whether the connection holds a refresh token (web-server flow). */
  hasRefreshToken?: boolean;
  observed?: ObservedFailure[];
  /** Change Data Capture entity allocation; Salesforce does not expose it. Default 5. */
  cdcEntityAllocation?: number;
  /** Fail below this share of the daily API quota left (default 0.05), warn below `warnBelow` (0.2). */
  quota?: { failBelow?: number; warnBelow?: number };
}

export interface CheckResult {
  id: CheckId;
  title: string;
  verdict: Verdict;
  evidence: Record<string, unknown>;
  /** Why the verdict is "unknown", or what a "warn" is about. */
  reason?: string;
  /** Steps for the customer's admin, for every verdict but "pass". */
  remedy?: string[];
}

type Outcome = Omit<CheckResult, "id" | "title" | "remedy"> & {
  /** Which of the check's remedies applies, with the values for its placeholders. */
  remedy?: { mode: string; values?: Record<string, string | string[]> };
};

/**
 * Objects the Salesforce Platform license never grants, whatever the permissions say. A missing
 * permission on one of them is the license's fault, so only the license check reports it.
 */
const PLATFORM_EXCLUDED = new Set(
  [
    "Lead",
    "Opportunity",
    "OpportunityLineItem",
    "OpportunityContactRole",
    "Case",
    "CaseComment",
    "Campaign",
    "CampaignMember",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
    "Quote",
    "QuoteLineItem",
    "Solution",
    "Forecast",
  ].map((n) => n.toLowerCase()),
);

const OBJECT_PERMISSION_LABELS: Record<ObjectPermissionName, string> = {
  Read: "Read",
  Create: "Create",
  Edit: "Edit",
  Delete: "Delete",
  ViewAllRecords: "View All Records",
  ViewAllFields: "View All Fields",
};

/**
 * The checklist's verdicts from what was read of the org. Pure: the same snapshot, needs and
 * context give the same answer. One misconfiguration fails one check: a problem another check
 * owns (fields of an object the user cannot read, objects the license excludes, a field hidden
 * rather than read-only) is left to that check.
 */
export function evaluateChecklist(
  snapshot: OrgSnapshot,
  needs: ChecklistNeeds,
  context: ChecklistContext,
): CheckResult[] {
  const facts = new Facts(snapshot, needs, context);
  const rules: Array<[CheckId, (f: Facts) => Outcome]> = [
    ["api-access-edition", apiAccessEdition],
    ["api-enabled-permission", apiEnabledPermission],
    ["user-license", userLicense],
    ["app-installed-or-approve-uninstalled", appInstalledOrApproved],
    ["refresh-token-policy", refreshTokenPolicy],
    ["permitted-users", permittedUsers],
    ["ip-relaxation", ipRelaxation],
    ["object-access", objectAccess],
    ["field-level-security", fieldVisibility],
    ["field-editable", fieldEditability],
    ["subscription-permissions", subscriptionPermissions],
    ["cdc-allocation", cdcAllocation],
    ["daily-api-quota", dailyApiQuota],
  ];
  return rules.map(([id, rule]) => finish(id, rule(facts), facts));
}

function finish(id: CheckId, outcome: Outcome, facts: Facts): CheckResult {
  const def = checkDefinition(id);
  const result: CheckResult = { id, title: def.title, verdict: outcome.verdict, evidence: outcome.evidence };
  if (outcome.reason) result.reason = outcome.reason;
  if (outcome.verdict === "pass") return result;
  const values = { ...facts.names(), ...(outcome.remedy?.values ?? {}) };
  const mode = outcome.remedy?.mode ?? Object.keys(def.remedies)[0];
  const steps = [
    ...(outcome.verdict === "unknown" && !outcome.remedy ? UNREADABLE_REMEDY : []),
    ...(def.remedies[mode] ?? []),
  ];
  result.remedy = steps.flatMap((step) => fill(step, { reason: outcome.reason ?? "", ...values }));
  return result;
}

function unknown(reading: { code: string; message: string }, evidence: Record<string, unknown> = {}): Outcome {
  return { verdict: "unknown", evidence, reason: `${reading.code}: ${reading.message}` };
}

/** Undecided, with the check's own steps instead of the "let the checklist read more" ones. */
function unknownWithSteps(
  mode: string,
  reading: { code: string; message: string },
  evidence: Record<string, unknown> = {},
): Outcome {
  return { ...unknown(reading, evidence), remedy: { mode } };
}

const NOT_APPLICABLE = (why: string): Outcome => ({ verdict: "pass", evidence: { applies: false, why } });

// ---- the rules

function apiAccessEdition(f: Facts): Outcome {
  const api = f.snapshot.api;
  const edition = f.snapshot.organization.ok ? f.snapshot.organization.value.organizationType : undefined;
  if (api.ok) return { verdict: "pass", evidence: { apiAnswered: true, edition } };
  if (api.code === "API_DISABLED_FOR_ORG")
    return {
      verdict: "fail",
      evidence: { apiAnswered: false, error: api.code, message: api.message },
      remedy: { mode: "edition-without-api", values: { edition: "shown there" } },
    };
  if (api.code === "API_CURRENTLY_DISABLED")
    return {
      verdict: "pass",
      evidence: {
        apiAnswered: false,
        error: api.code,
        note: "Salesforce refused the user, not the org: the edition has the API.",
      },
    };
  return unknown(api);
}

function apiEnabledPermission(f: Facts): Outcome {
  const api = f.snapshot.api;
  if (api.ok) {
    const flag = f.system("ApiEnabled");
    return {
      verdict: "pass",
      evidence: { apiAnswered: true, PermissionsApiEnabled: flag.ok ? flag.value : undefined },
    };
  }
  if (api.code === "API_CURRENTLY_DISABLED")
    return { verdict: "fail", evidence: { apiAnswered: false, error: api.code, message: api.message } };
  return unknown(api);
}

function userLicense(f: Facts): Outcome {
  const user = f.snapshot.user;
  if (!user.ok) return unknown(user);
  const license = user.value.licenseName;
  const evidence = {
    license,
    licenseKey: user.value.licenseKey,
    profile: user.value.profileName,
    flow: f.context.flow,
  };
  if (!license) return unknown({ code: "NOT_READABLE", message: "the user's license could not be read" }, evidence);
  if (license === "Salesforce") return { verdict: "pass", evidence };
  if (license === "Salesforce Platform") {
    const excluded = f.needs.objects.filter((o) => PLATFORM_EXCLUDED.has(o.name.toLowerCase())).map((o) => o.name);
    if (excluded.length === 0)
      return {
        verdict: "warn",
        evidence,
        reason:
          "A Salesforce Platform license covers the objects declared today, but not CRM objects (Leads, Opportunities, Cases) if the integration needs them later.",
        remedy: { mode: "platform-license", values: { objects: "CRM objects such as Leads, Opportunities and Cases" } },
      };
    return {
      verdict: "fail",
      evidence: { ...evidence, objectsOutsideLicense: excluded },
      remedy: { mode: "platform-license", values: { objects: excluded } },
    };
  }
  if (license === "Salesforce Integration") {
    if (f.context.flow === "web_server") return { verdict: "fail", evidence, remedy: { mode: "api-only-interactive" } };
    return { verdict: "pass", evidence };
  }
  return { verdict: "fail", evidence, remedy: { mode: "license-not-supported", values: { license } } };
}

function appInstalledOrApproved(f: Facts): Outcome {
  const observed = f.observed("app-installed-or-approve-uninstalled");
  const app = f.snapshot.connectedApp;
  let installed: boolean | undefined = f.context.appInstalled;
  if (app?.ok) installed = app.value !== null;
  const approve = f.system("CanApproveUninstalledApps");
  const useAny = f.snapshot.useAnyApiClient;
  const accessControl = useAny.ok ? true : useAny.code === "INVALID_FIELD" ? false : undefined;
  const evidence = {
    installed,
    PermissionsCanApproveUninstalledApps: approve.ok ? approve.value : undefined,
    apiAccessControl: accessControl,
    PermissionsUseAnyApiClient: useAny.ok ? useAny.value : undefined,
    ...(observed ? { observed } : {}),
  };
  const permission = accessControl ? "Use Any API Client" : "Approve Uninstalled Connected Apps";
  if (observed) return { verdict: "fail", evidence, remedy: { mode: "not-installed", values: { permission } } };
  if (installed === true) return { verdict: "pass", evidence };
  if ((approve.ok && approve.value) || (useAny.ok && useAny.value)) return { verdict: "pass", evidence };
  if (installed === false) {
    if (!approve.ok) return unknown(approve, evidence);
    return { verdict: "fail", evidence, remedy: { mode: "not-installed", values: { permission } } };
  }
  const why = app && !app.ok ? app : { code: "NOT_KNOWN", message: "the app's name in Salesforce was not given" };
  return unknown(why, evidence);
}

function refreshTokenPolicy(f: Facts): Outcome {
  if (f.context.flow !== "web_server")
    return NOT_APPLICABLE(`the ${f.context.flow} flow gets new tokens from its own credentials, not a refresh token`);
  if (f.context.hasRefreshToken === false)
    return { verdict: "fail", evidence: { hasRefreshToken: false }, remedy: { mode: "no-refresh-token" } };
  const observed = f.observed("refresh-token-policy");
  const probe = f.snapshot.refreshProbe;
  const app = f.snapshot.connectedApp;
  const policy = app?.ok && app.value ? app.value : undefined;
  const evidence: Record<string, unknown> = {
    OptionsRefreshTokenValidityMetric: policy?.refreshTokenValidityMetric,
    RefreshTokenValidityPeriod: policy?.refreshTokenValidityPeriod,
    refreshTokenIntrospection: probe ?? "not attempted",
    ...(observed ? { observed } : {}),
  };
  if (observed) return { verdict: "fail", evidence, remedy: { mode: "policy-expires" } };
  if (policy?.refreshTokenValidityMetric)
    return {
      verdict: "warn",
      evidence,
      reason: `Refresh tokens expire after ${policy.refreshTokenValidityPeriod ?? "some"} hours unused: a connection left idle that long must be connected again.`,
      remedy: { mode: "policy-expires" },
    };
  if (policy && policy.refreshTokenValidityPeriod !== null)
    return { verdict: "fail", evidence, remedy: { mode: "policy-expires" } };
  if (probe?.ok) {
    if (policy) return { verdict: "pass", evidence };
    return unknown(
      app && !app.ok
        ? app
        : {
            code: "NOT_INSTALLED",
            message:
              "the app is not installed, so its policy cannot be read; Salesforce reports the refresh token as usable today",
          },
      evidence,
    );
  }
  // Nothing here needs the connected user to read more: the admin can simply make sure of the policy.
  return unknownWithSteps(
    "policy-expires",
    {
      code: "UNDECIDED",
      message: policy
        ? "the policy reads as 'valid until revoked', which 'expire immediately' also reads as, and the refresh token was not introspected"
        : "the app's policy could not be read and the refresh token could not be introspected",
    },
    evidence,
  );
}

function permittedUsers(f: Facts): Outcome {
  const observed = f.observed("permitted-users");
  const app = f.snapshot.connectedApp;
  if (observed) return { verdict: "fail", evidence: { observed }, remedy: { mode: "not-pre-authorized" } };
  if (!app) return unknown({ code: "NOT_KNOWN", message: "the app's name in Salesforce was not given" });
  if (!app.ok) return unknown(app);
  if (app.value === null)
    return unknown({
      code: "NOT_INSTALLED",
      message: "the app is not installed in the org, so its policies cannot be read",
    });
  const evidence: Record<string, unknown> = { OptionsAllowAdminApprovedUsersOnly: app.value.adminApprovedOnly };
  if (!app.value.adminApprovedOnly) return { verdict: "pass", evidence };
  const grants = f.snapshot.appGrants;
  if (!grants.ok) return unknown(grants, evidence);
  const appId = app.value.id.slice(0, 15);
  const via = grants.value.filter((g) => g.setupEntityId.slice(0, 15) === appId).map((g) => f.holderName(g.parentId));
  evidence.preAuthorizedThrough = via;
  if (via.length > 0) return { verdict: "pass", evidence };
  return { verdict: "fail", evidence, remedy: { mode: "not-pre-authorized" } };
}

function ipRelaxation(f: Facts): Outcome {
  const observed = f.observed("ip-relaxation");
  if (observed)
    return {
      verdict: "fail",
      evidence: { observed },
      remedy: { mode: "ip-restricted", values: { observed: `${observed.code}: ${observed.message}` } },
    };
  return {
    verdict: "unknown",
    evidence: { readableThroughApi: false },
    reason: "Salesforce does not expose a connected app's IP relaxation through the API.",
    remedy: { mode: "cannot-read" },
  };
}

function objectAccess(f: Facts): Outcome {
  const effective = f.objectAccess();
  if (!effective.ok) return unknown(effective);
  const missing: Record<string, string[]> = {};
  const deferred: string[] = [];
  for (const o of f.needs.objects) {
    if (f.licenseExcludes(o.name)) {
      deferred.push(o.name);
      continue;
    }
    const granted = effective.value(o.name);
    const lacking = o.permissions.filter((p) => !granted.has(p));
    if (lacking.length > 0) missing[o.name] = lacking.map((p) => OBJECT_PERMISSION_LABELS[p]);
  }
  const evidence: Record<string, unknown> = {
    granted: Object.fromEntries(f.needs.objects.map((o) => [o.name, [...effective.value(o.name)]])),
    ...(deferred.length > 0 ? { leftToUserLicense: deferred } : {}),
  };
  if (Object.keys(missing).length === 0) return { verdict: "pass", evidence };
  return {
    verdict: "fail",
    evidence: { ...evidence, missing },
    remedy: {
      mode: "permissions-missing",
      values: { missing: Object.entries(missing).map(([o, ps]) => `${o}: tick ${ps.join(", ")}.`) },
    },
  };
}

function fieldVisibility(f: Facts): Outcome {
  const fields = f.fieldStates();
  if (!fields.ok) return unknown(fields);
  const checked = fields.value.filter((s) => s.owner === "field");
  const undecided = checked.filter((s) => s.readable === undefined);
  const hidden = checked.filter((s) => s.readable === false).map((s) => s.need.path);
  const evidence: Record<string, unknown> = {
    checked: checked.length,
    leftToObjectAccess: fields.value.filter((s) => s.owner !== "field").map((s) => s.need.path),
    ...(hidden.length > 0 ? { hidden } : {}),
  };
  if (hidden.length > 0)
    return { verdict: "fail", evidence, remedy: { mode: "fields-hidden", values: { fields: hidden } } };
  if (undecided.length > 0)
    return unknown(undecided[0].why ?? { code: "UNDECIDED", message: "field visibility could not be decided" }, {
      ...evidence,
      undecided: undecided.map((s) => s.need.path),
    });
  return { verdict: "pass", evidence };
}

function fieldEditability(f: Facts): Outcome {
  const written = f.needs.fields.filter((n) => n.write);
  if (written.length === 0) return NOT_APPLICABLE("the integration writes no declared field");
  const fields = f.fieldStates();
  if (!fields.ok) return unknown(fields);
  const candidates = fields.value.filter((s) => s.need.write && s.owner === "field" && s.readable === true);
  const computed = candidates.filter((s) => s.computed).map((s) => s.need.path);
  const readOnly = candidates.filter((s) => !s.computed && s.editable === false).map((s) => s.need.path);
  const undecided = candidates.filter((s) => !s.computed && s.editable === undefined);
  const evidence: Record<string, unknown> = {
    checked: candidates.length,
    ...(readOnly.length > 0 ? { readOnly } : {}),
    ...(computed.length > 0 ? { computed } : {}),
  };
  if (readOnly.length > 0)
    return { verdict: "fail", evidence, remedy: { mode: "fields-read-only", values: { fields: readOnly } } };
  if (computed.length > 0)
    return { verdict: "fail", evidence, remedy: { mode: "fields-computed", values: { fields: computed } } };
  if (undecided.length > 0)
    return unknown(undecided[0].why ?? { code: "UNDECIDED", message: "field editability could not be decided" }, {
      ...evidence,
      undecided: undecided.map((s) => s.need.path),
    });
  return { verdict: "pass", evidence };
}

function subscriptionPermissions(f: Facts): Outcome {
  if (!f.needs.subscribes) return NOT_APPLICABLE("the integration subscribes to no object");
  const missing: string[] = [];
  const evidence: Record<string, boolean> = {};
  for (const p of SUBSCRIPTION_PERMISSIONS) {
    const flag = f.system(p.name);
    if (!flag.ok) return unknown(flag, evidence);
    evidence[`Permissions${p.name}`] = flag.value;
    if (!flag.value) missing.push(p.label);
  }
  if (missing.length === 0) return { verdict: "pass", evidence };
  return { verdict: "fail", evidence, remedy: { mode: "permissions-missing", values: { permissions: missing } } };
}

function cdcAllocation(f: Facts): Outcome {
  if (!f.needs.subscribes) return NOT_APPLICABLE("the integration subscribes to no object");
  const selected = f.snapshot.cdcSelected;
  if (!selected) return unknown({ code: "NOT_READ", message: "the selected entities were not read" });
  if (!selected.ok) return unknown(selected);
  const allocation = f.context.cdcEntityAllocation ?? 5;
  const chosen = new Set(selected.value.map((e) => e.toLowerCase()));
  const wanted = f.needs.objects.filter((o) => o.subscribe).map((o) => changeEventName(o.name));
  const needed = wanted.filter((e) => !chosen.has(e.toLowerCase()));
  const evidence = {
    allocation,
    selected: selected.value,
    alreadySelected: wanted.filter((e) => chosen.has(e.toLowerCase())),
    needed,
  };
  if (chosen.size + needed.length <= allocation) return { verdict: "pass", evidence };
  return {
    verdict: "fail",
    evidence,
    remedy: {
      mode: "allocation-used",
      values: { selected: String(chosen.size), allocation: String(allocation), needed: needed },
    },
  };
}

function dailyApiQuota(f: Facts): Outcome {
  const api = f.snapshot.api;
  if (!api.ok) return unknown(api);
  const usage = api.value.usage;
  if (!usage) return unknown({ code: "NO_USAGE", message: "Salesforce sent no Sforce-Limit-Info header" });
  const remaining = Math.max(0, usage.max - usage.used);
  const share = usage.max > 0 ? remaining / usage.max : 0;
  const evidence = { used: usage.used, max: usage.max, remaining };
  const values = { used: String(usage.used), max: String(usage.max) };
  if (share < (f.context.quota?.failBelow ?? 0.05))
    return { verdict: "fail", evidence, remedy: { mode: "quota-low", values } };
  if (share < (f.context.quota?.warnBelow ?? 0.2))
    return {
      verdict: "warn",
      evidence,
      reason: `Only ${Math.round(share * 100)}% of the daily API requests are left.`,
      remedy: { mode: "quota-low", values },
    };
  return { verdict: "pass", evidence };
}

// ---- facts derived from the snapshot, shared by the rules

interface FieldState {
  need: FieldNeed;
  /** "field": this field's own verdict; otherwise the check that owns the problem. */
  owner: "field" | "object-access" | "user-license";
  readable?: boolean;
  editable?: boolean;
  computed?: boolean;
  why?: { code: string; message: string };
}

class Facts {
  readonly snapshot: OrgSnapshot;
  readonly needs: ChecklistNeeds;
  readonly context: ChecklistContext;
  private objectCache?: Reading<(name: string) => Set<ObjectPermissionColumn>>;
  private fieldCache?: Reading<FieldState[]>;

  constructor(snapshot: OrgSnapshot, needs: ChecklistNeeds, context: ChecklistContext) {
    this.snapshot = snapshot;
    this.needs = needs;
    this.context = context;
  }

  /** Names for remedies. */
  names(): Record<string, string> {
    const user = this.snapshot.user.ok ? this.snapshot.user.value : undefined;
    return {
      ...GENERIC_NAMES,
      user: user?.username ? `the user ${user.username}` : "the connected user",
      profile: user?.profileName ?? "the user's profile",
      app: this.context.appName ? `'${this.context.appName}'` : "the integration's app",
    };
  }

  observed(item: string): ObservedFailure | undefined {
    const probe = this.snapshot.refreshProbe;
    if (probe && !probe.ok && probe.checklistItem === item)
      return { checklistItem: item, code: probe.code, message: probe.message };
    return this.context.observed?.find((o) => o.checklistItem === item);
  }

  /** An effective system permission: UserPermissionAccess, or else the union of the assigned sets. */
  system(name: SystemPermissionName): Reading<boolean> {
    const upa = this.snapshot.systemPermissions;
    if (upa.ok && upa.value[name] !== undefined) return { ok: true, value: upa.value[name] === true };
    const sets = this.snapshot.permissionSets;
    if (sets.ok) return { ok: true, value: sets.value.some((s) => s.system[name] === true) };
    return upa.ok ? sets : upa;
  }

  holderName(permissionSetId: string): string {
    const sets = this.snapshot.permissionSets;
    const id = permissionSetId.slice(0, 15);
    const ps = sets.ok ? sets.value.find((s) => s.id.slice(0, 15) === id) : undefined;
    if (!ps) return permissionSetId;
    return ps.isOwnedByProfile ? `profile ${this.names().profile}` : `permission set ${ps.label}`;
  }

  licenseExcludes(objectName: string): boolean {
    const user = this.snapshot.user;
    return (
      user.ok && user.value.licenseName === "Salesforce Platform" && PLATFORM_EXCLUDED.has(objectName.toLowerCase())
    );
  }

  /**
   * Object permissions by union of every row, widened by the system permissions that imply them
   * (View All Data, Modify All Data, View All Fields (Global)) and by Modify All on the object.
   */
  objectAccess(): Reading<(name: string) => Set<ObjectPermissionColumn>> {
    if (this.objectCache) return this.objectCache;
    const rows = this.snapshot.objectPermissions;
    const modifyAll = this.system("ModifyAllData");
    const viewAll = this.system("ViewAllData");
    const fieldsGlobal = this.system("ViewAllFieldsGlobal");
    if (!rows.ok && !(modifyAll.ok && modifyAll.value)) {
      this.objectCache = rows;
      return rows;
    }
    const byObject = new Map<string, Set<ObjectPermissionColumn>>();
    for (const r of rows.ok ? rows.value : []) {
      const key = r.sobjectType.toLowerCase();
      const set = byObject.get(key) ?? new Set<ObjectPermissionColumn>();
      byObject.set(key, set);
      for (const [p, on] of Object.entries(r.granted)) if (on) set.add(p as ObjectPermissionColumn);
    }
    const lookup = (name: string): Set<ObjectPermissionColumn> => {
      const set = new Set(byObject.get(name.toLowerCase()) ?? []);
      if (set.has("ModifyAllRecords"))
        for (const p of ["Read", "Edit", "Delete", "ViewAllRecords"] as const) set.add(p);
      if (viewAll.ok && viewAll.value) for (const p of ["Read", "ViewAllRecords"] as const) set.add(p);
      if (modifyAll.ok && modifyAll.value)
        for (const p of ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords"] as const) set.add(p);
      if (fieldsGlobal.ok && fieldsGlobal.value && set.has("Read")) set.add("ViewAllFields");
      return set;
    };
    this.objectCache = { ok: true, value: lookup };
    return this.objectCache;
  }

  /** Visibility and editability of every declared field, or who owns the problem instead. */
  fieldStates(): Reading<FieldState[]> {
    if (this.fieldCache) return this.fieldCache;
    const objects = this.objectAccess();
    const rows = this.snapshot.fieldPermissions;
    if (!objects.ok) {
      this.fieldCache = objects;
      return objects;
    }
    if (!rows.ok) {
      this.fieldCache = rows;
      return rows;
    }
    const grants = new Map<string, { read: boolean; edit: boolean }>();
    for (const r of rows.value) {
      const key = r.field.toLowerCase();
      const g = grants.get(key) ?? { read: false, edit: false };
      g.read ||= r.read;
      g.edit ||= r.edit;
      grants.set(key, g);
    }
    const states = this.needs.fields.map((need): FieldState => {
      if (this.licenseExcludes(need.object)) return { need, owner: "user-license" };
      const granted = objects.value(need.object);
      if (!granted.has("Read")) return { need, owner: "object-access" };
      const grant = grants.get(need.path.toLowerCase());
      const describe = this.snapshot.describes[need.object.toLowerCase()];
      const described = describe?.ok
        ? describe.value.fields.find((d) => d.name.toLowerCase() === need.field.toLowerCase())
        : undefined;
      const notPermissionable = described !== undefined && !described.permissionable;
      const computed =
        described !== undefined &&
        (described.calculated || (notPermissionable && !described.createable && !described.updateable));
      const state: FieldState = { need, owner: "field", computed };
      const permitted = grant?.read === true || granted.has("ViewAllFields") || notPermissionable;
      if (describe?.ok) {
        // Describe as the user lists every field they can see: one it lacks is hidden or absent.
        state.readable = permitted && described !== undefined;
        state.editable = grant?.edit === true || (notPermissionable && (described.createable || described.updateable));
      } else {
        // Without describe, a granted row still proves the field exists and is visible; no row
        // may mean a field that is not permissionable, which only describe can tell.
        state.why = describe ?? { code: "NOT_DESCRIBED", message: `${need.object} was not described` };
        if (permitted) state.readable = true;
        if (grant !== undefined) state.editable = grant.edit;
      }
      return state;
    });
    this.fieldCache = { ok: true, value: states };
    return this.fieldCache;
  }
}
