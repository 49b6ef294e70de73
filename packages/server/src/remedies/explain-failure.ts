import { type ChecklistItemId, type ClassifiedFailure, lookupError, OAuthFailure } from "@forcelink/salesforce";
import { CHECK_IDS, type CheckId, checkDefinition } from "./checks.ts";
import type { CheckPointer } from "./problem.ts";
import { ITEMS_OUTSIDE_CHECKLIST, RUNTIME_REMEDY_OF_CHECK } from "./remedy-catalogue.ts";
import { fill, GENERIC_NAMES } from "./remedy-text.ts";

/**
 * Runtime errors lead back to the checklist: a Salesforce failure the error table ties to a
 * checklist item becomes a pointer to that check, with its remedy written for what the failure
 * itself says (the field, the object, the refusal), so the builder can pass it on to the
 * customer's admin without running the checklist first. Which remedy applies comes from the
 * catalogue of remedies; the steps are the check's own.
 */
export type { CheckPointer };

/** What a failure carries: Salesforce's code and message and the error table's item and remedy. */
export interface ExplainableFailure {
  checklistItem?: string;
  code: string;
  message: string;
  fields?: string[];
  remedy?: string;
}

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
    const title = ITEMS_OUTSIDE_CHECKLIST[id as ChecklistItemId];
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
  const mode = RUNTIME_REMEDY_OF_CHECK[id as ChecklistItemId];
  const steps = (mode ? def.remedies[mode] : undefined) ?? [];
  const heading = mode ? def.headings?.[mode] : undefined;
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
  remedy?: string;
}

/**
 * The check that explains a refused token call (OAuthFailure and ReauthReason both fit). What a
 * reason recorded earlier lacks (its item, or a remedy stored under an older name) comes from the
 * table again.
 */
export function explainGrantFailure(failure: GrantFailure, names: { user?: string } = {}): CheckPointer | undefined {
  const outcome = lookupError("oauth", failure.error, 400, failure.description);
  return explainFailure(
    {
      checklistItem: failure.checklistItem ?? outcome.checklistItem,
      code: failure.error,
      message: failure.description,
      remedy: failure.remedy ?? outcome.remedy,
    },
    names,
  );
}

/** The check behind any classified Salesforce failure (REST, OAuth, Bulk, transport). */
export function explainError(
  error: ClassifiedFailure & Error,
  names: { user?: string } = {},
): CheckPointer | undefined {
  if (error instanceof OAuthFailure) return explainGrantFailure(error, names);
  const e = error as ClassifiedFailure & Error & { code?: unknown; fields?: string[] };
  return explainFailure(
    {
      checklistItem: e.checklistItem,
      code: typeof e.code === "string" ? e.code : e.reason,
      message: e.message,
      fields: e.fields,
      remedy: e.remedy,
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
