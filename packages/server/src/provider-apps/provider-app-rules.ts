import { checkSigningKey } from "./jwt-signing-key.ts";
import type { ProviderAppProblem } from "./provider-app-problem.ts";
import { checkRequirements, type Requirements } from "./requirements.ts";
import { checkScopes } from "./scopes.ts";

export const PROVIDER_APP_KINDS = ["connected_app", "external_client_app"] as const;
export type ProviderAppKind = (typeof PROVIDER_APP_KINDS)[number];

/** What the rules look at; `jwt` undefined means "unchanged" (an update that leaves the key alone). */
export interface ProviderAppSettings {
  kind: ProviderAppKind;
  clientId: string;
  /** Only when it is being set: the secret is checked, never kept by the rules. */
  clientSecret?: string;
  scopes: readonly string[];
  pkce: boolean;
  jwt?: { username: string; privateKey: string } | null;
  requirements: Requirements | null;
}

export interface CheckedSettings {
  scopes: string[];
  requirements: Requirements | null;
  jwt?: { username: string; privateKeyPem: string; keyFingerprint: string } | null;
}

export type SettingsVerdict = { ok: true; settings: CheckedSettings } | { ok: false; problems: ProviderAppProblem[] };

/**
 * Every rule a provider app must pass, on create and on every change, so an app that Forcelink
 * accepted is one it can connect through. Shapes and lengths are the schema's job; these are the
 * rules that need Salesforce knowledge. All problems are reported at once.
 */
export function checkProviderAppSettings(input: ProviderAppSettings): SettingsVerdict {
  const problems: ProviderAppProblem[] = [];

  const scopes = checkScopes(input.scopes);
  if (!scopes.ok) problems.push(...scopes.problems);

  if (input.kind === "external_client_app" && !input.pkce) {
    problems.push({
      field: "pkce",
      code: "pkce_required",
      message:
        "External Client Apps require PKCE: Salesforce refuses an authorization without a code challenge, so no customer could connect.",
      remedy:
        'Leave pkce on (the default) for an External Client App. Turn it off only for a Connected App whose "Require Proof Key for Code Exchange (PKCE)" box is unticked.',
    });
  }

  if (input.clientSecret !== undefined && input.clientSecret === input.clientId) {
    problems.push({
      field: "clientSecret",
      code: "client_secret_is_client_id",
      message: "clientSecret is the same as clientId: the consumer key was pasted twice.",
      remedy: "In Salesforce, open the app's consumer details (Manage Consumer Details) and copy the Consumer Secret.",
    });
  }

  let jwt: CheckedSettings["jwt"];
  if (input.jwt) {
    const key = checkSigningKey(input.jwt.privateKey);
    if (key.ok) jwt = { username: input.jwt.username, privateKeyPem: key.pem, keyFingerprint: key.fingerprint };
    else problems.push(key.problem);
  } else {
    jwt = input.jwt;
  }

  let requirements: Requirements | null = null;
  if (input.requirements) {
    const checked = checkRequirements(input.requirements);
    if (checked.ok) requirements = checked.requirements;
    else problems.push(...checked.problems);
  }

  if (problems.length > 0 || !scopes.ok) return { ok: false, problems };
  return { ok: true, settings: { scopes: scopes.scopes, requirements, jwt } };
}
