import { CHECK_IDS, type CheckId, checkDefinition } from "./checks.ts";
import { fill, GENERIC_NAMES } from "./evaluate.ts";

/**
 * Runtime errors lead back to the checklist: a Salesforce failure the error table ties to a
 * checklist item becomes a pointer to that check, with its remedy written for what the failure
 * itself says (the field, the object, the refusal), so the builder can pass it on to the
 * customer's admin without running the checklist first.
 */
export interface CheckPointer {
  /** The checklist item: a check id, or an item outside the checklist such as `record-access`. */
  id: string;
  title: string;
  /** Steps for the customer's admin, as the checklist would give them. */
  remedy: string[];
  /** Whether `id` is a check the pre-install checklist verifies (run it to confirm the fix). */
  checklist: boolean;
  /** What the failure means, said once above the steps. */
  reason?: string;
}

/** What a failure carries: Salesforce's code and message and the error table's item and remedy. */
export interface ExplainableFailure {
  checklistItem?: string;
  code: string;
  message: string;
  fields?: string[];
  remedy?: string;
}

/** The remedy each check gives for a failure met at runtime. */
const RUNTIME_MODE: Record<CheckId, string> = {
  "api-access-edition": "edition-without-api",
  "api-enabled-permission": "permission-missing",
  "user-license": "license-not-supported",
  "app-installed-or-approve-uninstalled": "not-installed",
  "refresh-token-policy": "policy-expires",
  "permitted-users": "not-pre-authorized",
  "ip-relaxation": "ip-restricted",
  "object-access": "permissions-missing",
  "field-level-security": "fields-hidden",
  "field-editable": "fields-read-only",
  "subscription-permissions": "permissions-missing",
  "cdc-allocation": "allocation-used",
  "daily-api-quota": "quota-low",
  "session-security-level": "high-assurance-required",
  "session-expiry": "expiry-assumed",
};

/** Items of the error table the checklist cannot verify through the API, with a title of their own. */
const OUTSIDE_CHECKLIST: Record<string, string> = {
  "record-access": "The connected user can reach the records involved (sharing)",
  "oauth-scopes": "The app and the connection carry the OAuth scopes the integration needs",
  "client-credentials-user": "The app's client credentials flow runs as an enabled user",
  "user-active": "The connected user is active and can sign in",
};

export function isCheckId(id: string): id is CheckId {
  return (CHECK_IDS as readonly string[]).includes(id);
}

/** The check that explains a failure, or undefined when no checklist item does. */
export function explainFailure(
  failure: ExplainableFailure,
  names: { user?: string; app?: string } = {},
): CheckPointer | undefined {
  const id = failure.checklistItem;
  if (!id) return undefined;
  if (!isCheckId(id)) {
    const title = OUTSIDE_CHECKLIST[id];
    if (!title) return undefined;
    return { id, title, remedy: failure.remedy ? [failure.remedy] : [], checklist: false };
  }
  const def = checkDefinition(id);
  const values = {
    ...GENERIC_NAMES,
    ...namesFrom(failure),
    user: names.user ?? "the connected user",
    app: names.app ?? "the integration's app",
    profile: "the connected user's profile",
  };
  const steps = def.remedies[RUNTIME_MODE[id]] ?? [];
  const heading = def.headings?.[RUNTIME_MODE[id]];
  return {
    id,
    title: def.title,
    remedy: steps.flatMap((step) => fill(step, values)),
    checklist: true,
    ...(heading ? { reason: fill(heading, values).join("") } : {}),
  };
}

/** An OAuth refusal, or the reason a connection recorded for needing the customer again. */
export interface GrantFailure {
  error: string;
  description: string;
  checklistItem?: string;
  misconfiguration?: string;
}

/** The check that explains a refused token call (OAuthFailure and ReauthReason both fit). */
export function explainGrantFailure(failure: GrantFailure, names: { user?: string } = {}): CheckPointer | undefined {
  return explainFailure(
    {
      checklistItem: failure.checklistItem,
      code: failure.error,
      message: failure.description,
      remedy: failure.misconfiguration,
    },
    names,
  );
}

/** What Salesforce's message names: the field, the object, the refusal itself. */
function namesFrom(failure: ExplainableFailure): Record<string, string> {
  const out: Record<string, string> = { observed: `${failure.code}: ${failure.message}` };
  const column = /column '([\w.]+)' on entity '(\w+)'/i.exec(failure.message);
  if (column) out.fields = `${column[2]}.${column[1]}`;
  else if (failure.fields && failure.fields.length > 0) out.fields = failure.fields.join(", ");
  const type = /sObject type '(\w+)' is not (?:supported|visible)/i.exec(failure.message);
  if (type) out.missing = `${type[1]}: Read`;
  const usage = /(\d+)\s*\/\s*(\d+)/.exec(failure.message);
  if (failure.checklistItem === "daily-api-quota" && usage) {
    out.used = usage[1];
    out.max = usage[2];
  }
  return out;
}
