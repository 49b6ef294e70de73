import {
  type CheckDefinition,
  type CheckId,
  checkDefinition,
  UNREADABLE_STEPS,
  type UnreadableCause,
  unreadableCause,
} from "../remedies/checks.ts";
import {
  cdcAllocation,
  dailyApiQuota,
  fieldEditability,
  fieldVisibility,
  objectAccess,
  subscriptionPermissions,
} from "./data-rules.ts";
import { Facts } from "./facts.ts";
import type { ChecklistNeeds } from "./needs.ts";
import type { OrgSnapshot } from "./org-snapshot.ts";
import type { ChecklistContext, CheckResult, Outcome } from "./outcome.ts";
import {
  apiAccessEdition,
  apiEnabledPermission,
  appInstalledOrApproved,
  ipRelaxation,
  permittedUsers,
  refreshTokenPolicy,
  sessionExpiry,
  sessionSecurityLevel,
  userLicense,
} from "./sign-in-rules.ts";

export { fill, GENERIC_NAMES } from "../remedies/remedy-text.ts";

import { fill } from "../remedies/remedy-text.ts";

export type { ChecklistContext, CheckResult, ConnectionFlow, ObservedFailure, Verdict } from "./outcome.ts";

const RULES: Array<[CheckId, (f: Facts) => Outcome]> = [
  ["api-access-edition", apiAccessEdition],
  ["api-enabled-permission", apiEnabledPermission],
  ["user-license", userLicense],
  ["app-installed-or-approve-uninstalled", appInstalledOrApproved],
  ["refresh-token-policy", refreshTokenPolicy],
  ["permitted-users", permittedUsers],
  ["ip-relaxation", ipRelaxation],
  ["session-security-level", sessionSecurityLevel],
  ["session-expiry", sessionExpiry],
  ["object-access", objectAccess],
  ["field-level-security", fieldVisibility],
  ["field-editable", fieldEditability],
  ["subscription-permissions", subscriptionPermissions],
  ["cdc-allocation", cdcAllocation],
  ["daily-api-quota", dailyApiQuota],
];

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
  return RULES.map(([id, rule]) => finish(id, rule(facts), facts));
}

function finish(id: CheckId, outcome: Outcome, facts: Facts): CheckResult {
  const def = checkDefinition(id);
  const result: CheckResult = { id, title: def.title, verdict: outcome.verdict, evidence: outcome.evidence };
  const values = { ...facts.names(), ...(outcome.remedy?.values ?? {}) };
  const mode = outcome.remedy?.mode ?? Object.keys(def.remedies)[0];
  // The heading of the chosen remedy says once, above the steps, what the failure is about.
  const heading = outcome.remedy ? def.headings?.[mode] : undefined;
  const reason = outcome.reason ?? (heading ? fill(heading, values).join("") : undefined);
  if (reason) result.reason = reason;
  if (outcome.verdict === "pass") return result;
  const steps =
    outcome.verdict === "unknown" && !outcome.remedy
      ? unreadableSteps(def, mode, unreadableCause(outcome.cause?.code ?? "", outcome.cause?.checklistItem))
      : (def.remedies[mode] ?? []);
  result.remedy = steps.flatMap((step) => fill(step, values));
  return result;
}

/**
 * An "unknown" says what kept it from reading: a closed door the connected user's View Setup
 * opens (then the check's own steps to check by hand), or a cause another check owns (the quota,
 * the API, the app's installation), which nothing here fixes until that one is.
 */
function unreadableSteps(def: CheckDefinition, mode: string, cause: UnreadableCause): readonly string[] {
  const own = def.remedies[mode] ?? [];
  if (cause === "closed" || cause === "other") {
    const [firstOwn, ...rest] = own;
    const byHand = firstOwn
      ? [`Or check it by hand: ${firstOwn.charAt(0).toLowerCase()}${firstOwn.slice(1)}`, ...rest]
      : [];
    return [...UNREADABLE_STEPS[cause], ...byHand];
  }
  return UNREADABLE_STEPS[cause];
}
