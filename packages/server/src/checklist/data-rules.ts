import type { Facts } from "./facts.ts";
import type { GroupMute } from "./group-reads.ts";
import { changeEventName, type ObjectPermissionName } from "./needs.ts";
import type { SystemPermissionName } from "./org-snapshot.ts";
import { NOT_APPLICABLE, type Outcome, unknown } from "./outcome.ts";

/**
 * The rules about the data the integration declares: objects, fields, change subscriptions and
 * the org's daily API quota.
 */

const OBJECT_PERMISSION_LABELS: Record<ObjectPermissionName, string> = {
  Read: "Read",
  Create: "Create",
  Edit: "Edit",
  Delete: "Delete",
  ViewAllRecords: "View All Records",
  ViewAllFields: "View All Fields",
};

export function objectAccess(f: Facts): Outcome {
  const effective = f.objectAccess();
  if (!effective.ok) return unknown(effective);
  const existing = f.snapshot.existingObjects;
  const known = existing?.ok ? new Set(existing.value.map((n) => n.toLowerCase())) : undefined;
  const missing: Record<string, string[]> = {};
  const widening: Record<string, string[]> = {};
  const absent: string[] = [];
  const deferred: string[] = [];
  const muted: string[] = [];
  for (const o of f.needs.objects) {
    if (f.licenseExcludes(o.name)) {
      deferred.push(o.name);
      continue;
    }
    const granted = effective.value(o.name);
    if (granted.size === 0 && known && !known.has(o.name.toLowerCase())) {
      absent.push(o.name);
      continue;
    }
    const lacking = o.permissions.filter((p) => !granted.has(p));
    // What a group grants but its muting set turns off is fixed in the muting set, the rest in a permission set.
    const mute = mutingOf(f, o.name, lacking);
    const direct = mute ? lacking.filter((p) => mute.objects[o.name.toLowerCase()]?.includes(p)) : [];
    // Salesforce takes away what depends on a muted permission too (no Delete without Edit).
    const off = lacking.filter((p) => direct.includes(p) || (DEPENDS_ON[p] ?? []).some((d) => direct.includes(d)));
    if (mute) muted.push(mutedLine(o.name, mute, direct, off));
    const rest = lacking.filter((p) => !off.includes(p));
    if (rest.length > 0) missing[o.name] = rest.map((p) => OBJECT_PERMISSION_LABELS[p]);
    const narrower = o.widening.filter((p) => !granted.has(p));
    if (lacking.length === 0 && narrower.length > 0)
      widening[o.name] = narrower.map((p) => OBJECT_PERMISSION_LABELS[p]);
  }
  const evidence: Record<string, unknown> = {
    granted: Object.fromEntries(f.needs.objects.map((o) => [o.name, [...effective.value(o.name)]])),
    ...(deferred.length > 0 ? { leftToUserLicense: deferred } : {}),
    ...(Object.keys(widening).length > 0 ? { wouldWidenVisibility: widening } : {}),
    ...(absent.length > 0 ? { absentFromOrg: absent } : {}),
  };
  const lines = Object.entries(missing).map(([o, ps]) => `${o}: tick ${ps.join(", ")}.`);
  if (lines.length > 0 || absent.length > 0 || muted.length > 0) {
    const mode =
      lines.length === 0 && absent.length === 0
        ? "permissions-muted"
        : lines.length === 0
          ? "objects-absent"
          : absent.length === 0
            ? "permissions-missing"
            : "permissions-and-objects";
    return {
      verdict: "fail",
      evidence: { ...evidence, missing, ...(muted.length > 0 ? { muted } : {}) },
      remedy: { mode, values: { missing: lines, absent, muted } },
    };
  }
  if (Object.keys(widening).length > 0) return { verdict: "pass", evidence, reason: wideningNote(widening) };
  return { verdict: "pass", evidence };
}

/** The user's permission set group whose muting permission set turns off one of `lacking` on the object. */
function mutingOf(f: Facts, object: string, lacking: ObjectPermissionName[]) {
  const mutes = f.snapshot.groupMutes;
  if (!mutes?.ok || lacking.length === 0) return undefined;
  return mutes.value.find((m) => lacking.some((p) => m.objects[object.toLowerCase()]?.includes(p)));
}

/** Object permissions Salesforce grants only together with others. */
const DEPENDS_ON: Partial<Record<ObjectPermissionName, ObjectPermissionName[]>> = {
  Create: ["Read"],
  Edit: ["Read"],
  Delete: ["Read", "Edit"],
  ViewAllRecords: ["Read"],
  ViewAllFields: ["Read"],
};

function mutedLine(
  object: string,
  mute: GroupMute,
  direct: ObjectPermissionName[],
  off: ObjectPermissionName[],
): string {
  const untick = direct.map((p) => OBJECT_PERMISSION_LABELS[p]).join(", ");
  const lost = off.map((p) => OBJECT_PERMISSION_LABELS[p]).join(", ");
  return `${object}: the permission set group '${mute.groupLabel}' turns off ${lost} through its muting permission set '${mute.mutingName}'. Open Permission Set Groups (Quick Find), then ${mute.groupLabel}, Muting Permission Set, Object Settings, ${object}, Edit, and untick ${untick} there; then Save.`;
}

/** View All Records and View All Fields only widen a read: said as a note, never as a failure. */
function wideningNote(widening: Record<string, string[]>): string {
  const list = Object.entries(widening).map(([o, ps]) => `${ps.join(" and ")} on ${o}`);
  return `Not granted: ${list.join("; ")}. The integration reads only the records shared with the user and the fields visible to them; grant these to read every record and field.`;
}

export function fieldVisibility(f: Facts): Outcome {
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

export function fieldEditability(f: Facts): Outcome {
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
  // Every field found in this run goes into the steps, so one round of fixes is enough.
  if (readOnly.length > 0 || computed.length > 0) {
    const mode =
      computed.length === 0
        ? "fields-read-only"
        : readOnly.length === 0
          ? "fields-computed"
          : "fields-read-only-and-computed";
    return { verdict: "fail", evidence, remedy: { mode, values: { fields: readOnly, computed } } };
  }
  if (undecided.length > 0)
    return unknown(undecided[0].why ?? { code: "UNDECIDED", message: "field editability could not be decided" }, {
      ...evidence,
      undecided: undecided.map((s) => s.need.path),
    });
  return { verdict: "pass", evidence };
}

/** Objects without a View All Records permission: their change events need View All Data. */
const WITHOUT_VIEW_ALL = new Set(["task", "event"]);

/**
 * What Forcelink's own subscribe design asks: selecting entities through the Tooling API
 * (PlatformEventChannelMember: View Setup to read, Customize Application to create) and receiving
 * change events (View All Records per object, checked by object-access; View All Data for objects
 * without it; View All Users for User).
 */
function subscriptionNeeds(f: Facts): Array<{ names: SystemPermissionName[]; label: string }> {
  const subscribed = f.needs.objects.filter((o) => o.subscribe).map((o) => o.name.toLowerCase());
  const out: Array<{ names: SystemPermissionName[]; label: string }> = [
    { names: ["ViewSetup"], label: "View Setup and Configuration" },
    { names: ["CustomizeApplication", "ModifyAllData"], label: "Customize Application" },
  ];
  if (subscribed.some((o) => WITHOUT_VIEW_ALL.has(o))) out.push({ names: ["ViewAllData"], label: "View All Data" });
  if (subscribed.includes("user")) out.push({ names: ["ViewAllUsers", "ViewAllData"], label: "View All Users" });
  return out;
}

export function subscriptionPermissions(f: Facts): Outcome {
  if (!f.needs.subscribes) return NOT_APPLICABLE("the integration subscribes to no object");
  const missing: string[] = [];
  const evidence: Record<string, boolean> = {};
  for (const need of subscriptionNeeds(f)) {
    let held = false;
    for (const name of need.names) {
      const flag = f.system(name);
      if (!flag.ok) return unknown(flag, evidence);
      evidence[`Permissions${name}`] = flag.value;
      held ||= flag.value;
    }
    if (!held) missing.push(need.label);
  }
  if (missing.length === 0) return { verdict: "pass", evidence };
  return { verdict: "fail", evidence, remedy: { mode: "permissions-missing", values: { permissions: missing } } };
}

export function cdcAllocation(f: Facts): Outcome {
  if (!f.needs.subscribes) return NOT_APPLICABLE("the integration subscribes to no object");
  const selected = f.snapshot.cdcSelected;
  if (!selected) return unknown({ code: "NOT_READ", message: "the selected entities were not read" });
  if (!selected.ok) return unknown(selected);
  const chosen = new Set(selected.value.map((e) => e.toLowerCase()));
  // An org that holds more than the default has had its allocation raised: it is at least that.
  const allocation = Math.max(f.context.cdcEntityAllocation ?? 5, chosen.size);
  const wanted = f.needs.objects.filter((o) => o.subscribe).map((o) => changeEventName(o.name));
  const needed = wanted.filter((e) => !chosen.has(e.toLowerCase()));
  const evidence = {
    allocation,
    selected: selected.value,
    alreadySelected: wanted.filter((e) => chosen.has(e.toLowerCase())),
    needed,
  };
  if (needed.length === 0 || chosen.size + needed.length <= allocation) return { verdict: "pass", evidence };
  return {
    verdict: "fail",
    evidence,
    remedy: {
      mode: "allocation-used",
      values: { selected: String(chosen.size), allocation: String(allocation), needed },
    },
  };
}

export function dailyApiQuota(f: Facts): Outcome {
  const api = f.snapshot.api;
  if (!api.ok) {
    if (api.checklistItem !== "daily-api-quota") return unknown(api);
    return {
      verdict: "fail",
      evidence: { error: api.code, message: api.message },
      remedy: { mode: "quota-exhausted", values: { observed: `${api.code}: ${api.message}` } },
    };
  }
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
