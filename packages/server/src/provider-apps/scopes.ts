import type { ProviderAppProblem } from "./provider-app-problem.ts";

/**
 * OAuth scope names as Salesforce spells them (its OpenID discovery document lists them), with the
 * label Setup shows beside the checkbox where we know it. Setup labels always end with the scope
 * names in brackets, so a missing label still gives a findable instruction.
 */
export const SALESFORCE_SCOPES: Readonly<Record<string, string | null>> = {
  api: "Manage user data via APIs (api)",
  refresh_token: "Perform requests at any time (refresh_token, offline_access)",
  offline_access: "Perform requests at any time (refresh_token, offline_access)",
  id: "Access the identity URL service (id, profile, email, address, phone)",
  profile: "Access the identity URL service (id, profile, email, address, phone)",
  email: "Access the identity URL service (id, profile, email, address, phone)",
  address: "Access the identity URL service (id, profile, email, address, phone)",
  phone: "Access the identity URL service (id, profile, email, address, phone)",
  openid: "Access unique user identifiers (openid)",
  web: "Manage user data via Web browsers (web)",
  full: "Full access (full)",
  chatter_api: "Access Connect REST API resources (chatter_api)",
  visualforce: null,
  custom_permissions: null,
  wave_api: "Access Analytics REST API resources (wave_api)",
  eclair_api: "Access Analytics REST API Charts Geodata resources (eclair_api)",
  pardot_api: "Manage Pardot services (pardot_api)",
  lightning: null,
  content: null,
  cdp_api: null,
  cdp_ingest_api: null,
  cdp_profile_api: null,
  cdp_query_api: null,
  cdp_segment_api: null,
  cdp_identityresolution_api: null,
  cdp_calculated_insight_api: null,
  sfap_api: null,
  interaction_api: null,
  chatbot_api: null,
  einstein_gpt_api: null,
  scrt_api: null,
  mcp_api: null,
  user_registration_api: null,
  pwdless_login_api: null,
  forgot_password: null,
};

export const KNOWN_SCOPES: readonly string[] = Object.keys(SALESFORCE_SCOPES);
export const DEFAULT_SCOPES: readonly string[] = ["api", "refresh_token", "id"];

const API_LABEL = SALESFORCE_SCOPES.api!;
const REFRESH_LABEL = SALESFORCE_SCOPES.refresh_token!;

/** What to look for in Setup's scope list for one scope name. */
export function setupLabel(scope: string): string {
  return SALESFORCE_SCOPES[scope] ?? `the entry ending in (${scope})`;
}

export type ScopeVerdict = { ok: true; scopes: string[] } | { ok: false; problems: ProviderAppProblem[] };

/**
 * Checks the scopes a provider app asks for: known names only, without repeats, and enough for
 * Forcelink to work: `api` (or `full`, which includes it) for REST calls, and `refresh_token` or
 * its synonym `offline_access` so a connection outlives the user's session.
 */
export function checkScopes(requested: readonly string[]): ScopeVerdict {
  const scopes = [...new Set(requested.map((s) => s.trim()))];
  const problems: ProviderAppProblem[] = [];

  const unknown = scopes.filter((s) => !(s in SALESFORCE_SCOPES));
  if (unknown.length > 0) {
    const hints = unknown.map(suggestionFor).filter((h): h is string => h !== null);
    problems.push({
      field: "scopes",
      code: "unknown_scope",
      message:
        `Salesforce has no OAuth scope named ${unknown.map((s) => JSON.stringify(s)).join(", ")}.` +
        (hints.length > 0 ? ` ${hints.join(" ")}` : ""),
      remedy: `Use scope names as Salesforce spells them (lowercase, the name in brackets in Setup): ${KNOWN_SCOPES.join(", ")}.`,
      details: { unknown, known: KNOWN_SCOPES },
    });
  }

  if (!scopes.includes("api") && !scopes.includes("full")) {
    problems.push({
      field: "scopes",
      code: "api_scope_missing",
      message:
        "Without the `api` scope Salesforce refuses every REST and Bulk API call made with the connection's token " +
        "(401 'This session is not valid for use with the REST API'): nothing could be read, written or subscribed to.",
      remedy: `In Salesforce, add "${API_LABEL}" to the app's selected OAuth scopes, and add "api" to scopes here.`,
    });
  }

  if (!scopes.includes("refresh_token") && !scopes.includes("offline_access")) {
    problems.push({
      field: "scopes",
      code: "refresh_scope_missing",
      message:
        "Without `refresh_token` (or its synonym `offline_access`) Salesforce issues no refresh token: every connection " +
        "would stop working when the user's session ends (two hours by default) and the customer would have to connect again. " +
        "`full` does not include it.",
      remedy: `In Salesforce, add "${REFRESH_LABEL}" to the app's selected OAuth scopes, and add "refresh_token" to scopes here.`,
    });
  }

  return problems.length > 0 ? { ok: false, problems } : { ok: true, scopes };
}

/** People paste Setup's labels or capitalise names; point them at the name Salesforce expects. */
function suggestionFor(scope: string): string | null {
  const lower = scope.toLowerCase();
  if (lower in SALESFORCE_SCOPES) return `Scope names are lowercase: did you mean "${lower}"?`;
  const bracketed = /\(([^()]+)\)\s*$/.exec(scope);
  if (bracketed) {
    const names = bracketed[1].split(",").map((n) => n.trim().toLowerCase());
    if (names.every((n) => n in SALESFORCE_SCOPES)) {
      return `"${scope}" is the label Setup shows; the scope name is "${names[0]}".`;
    }
  }
  return null;
}
