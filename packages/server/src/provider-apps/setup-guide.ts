import type { ProviderAppKind } from "./provider-app-rules.ts";
import { setupLabel } from "./scopes.ts";

export interface SetupFacts {
  kind: ProviderAppKind;
  scopes: readonly string[];
  pkce: boolean;
  clientCredentialsEnabled: boolean;
  jwt: { username: string; keyFingerprint: string | null } | null;
}

/** Where Salesforce sends the customer back after approval: one URL for every provider app. */
export function providerAppCallbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, "")}/oauth/callback`;
}

const PKCE_BOX = '"Require Proof Key for Code Exchange (PKCE) extension for supported authorization flows"';

/**
 * What to set in Salesforce for this app, in Setup's words, in the order a builder meets the
 * settings. Built from the app as stored, so it changes when the app does.
 */
export function setupSteps(app: SetupFacts, callbackUrl: string): string[] {
  const eca = app.kind === "external_client_app";
  const labels = [...new Set(app.scopes.map(setupLabel))].map((l) => `"${l}"`);
  const policies = eca
    ? "in the app's Policies tab (Edit), under OAuth Policies"
    : "in Setup, Manage Connected Apps, open the app and choose Edit Policies; under OAuth Policies";

  const steps = [
    eca
      ? `Callback URL: in Setup, open External Client App Manager, then the app's Settings tab, OAuth Settings, Edit, and enter ${callbackUrl} as a Callback URL. It must match exactly.`
      : `Callback URL: in Setup, open App Manager, edit the Connected App, tick "Enable OAuth Settings" and enter ${callbackUrl} as a Callback URL. It must match exactly.`,
    `OAuth scopes: select ${labels.join(", ")}. Forcelink asks for exactly these; a scope missing in Salesforce fails the connect.`,
    app.pkce
      ? eca
        ? `PKCE: keep ${PKCE_BOX} ticked. Forcelink sends a code challenge on every connect.`
        : `PKCE: Forcelink sends a code challenge on every connect, so ${PKCE_BOX} may be ticked or not.`
      : `PKCE: untick ${PKCE_BOX}. Forcelink sends no code challenge for this app, and Salesforce refuses the connect while the box is ticked.`,
    'Secret: keep "Require secret for Web Server Flow" and "Require secret for Refresh Token Flow" ticked; Forcelink keeps the consumer secret sealed and sends it with every token request.',
    `Permitted users: ${policies}, set Permitted Users to "All users may self-authorize" (or "Admin approved users are pre-authorized" and assign the profiles or permission sets that will connect), and set Refresh Token Policy to "Refresh token is valid until revoked".`,
    eca
      ? "Token expiry: in the app's Settings tab, under OAuth Settings, tick \"Introspect All Tokens\". Salesforce does not say when a session ends; with it Forcelink learns each session's real expiry by introspection, without it Forcelink assumes a two-hour session and renews when Salesforce ends one."
      : 'Token expiry: in App Manager, edit the Connected App and, under API (Enable OAuth Settings), tick "Introspect All Tokens". Salesforce does not say when a session ends; with it Forcelink learns each session\'s real expiry by introspection, without it Forcelink assumes a two-hour session and renews when Salesforce ends one.',
    'Customer orgs: a user in an org where the app is not installed can approve it only with the "Approve Uninstalled Connected Apps" or "Use Any API Client" permission; without it Salesforce shows its own error page. Ask the customer\'s admin to install the app or grant one of them.',
  ];
  if (app.clientCredentialsEnabled) {
    steps.push(
      `Client credentials: tick "Enable Client Credentials Flow" and, ${policies}, choose the Run As user whose access the integration gets. Salesforce accepts this flow only on the org's My Domain host.`,
    );
  }
  if (app.jwt) {
    const cert = app.jwt.keyFingerprint ? ` (public key ${app.jwt.keyFingerprint})` : "";
    steps.push(
      `JWT bearer: tick ${eca ? '"Enable JWT Bearer Flow"' : '"Use digital signatures"'} and upload the certificate of the private key given to Forcelink${cert}. Set Permitted Users to "Admin approved users are pre-authorized" and assign ${app.jwt.username} a profile or permission set allowed to use the app.`,
    );
  }
  steps.push(
    "Salesforce can take up to ten minutes to apply changes to an app; a connect attempt before then may fail.",
  );
  return steps;
}
