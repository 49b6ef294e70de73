import {
  authorizeUrl,
  createOAuthState,
  createPkcePair,
  parseMyDomain,
  type SalesforceHosts,
} from "@forcelink/salesforce";

export type ConnectEnvironment = "production" | "sandbox" | "mydomain";

export type LoginChoice =
  | { ok: true; environment: ConnectEnvironment; loginUrl: string; myDomain: string | null; notice?: string }
  | { ok: false; message: string; fix: string };

/** Where the customer signs in, from what they picked and typed on the connect page. */
export function chooseLoginHost(
  hosts: SalesforceHosts,
  environment: string | undefined,
  myDomainInput: string | undefined,
): LoginChoice {
  if (environment === "production")
    return { ok: true, environment, loginUrl: hosts.productionLoginUrl, myDomain: null };
  if (environment === "sandbox") return { ok: true, environment, loginUrl: hosts.sandboxLoginUrl, myDomain: null };
  if (environment === "mydomain") {
    if (!myDomainInput?.trim()) {
      return {
        ok: false,
        message: "Enter your My Domain.",
        fix: 'You find it in Salesforce under Setup → Quick Find "My Domain", e.g. acme.my.salesforce.com.',
      };
    }
    const parsed = parseMyDomain(myDomainInput);
    if (!parsed.ok)
      return {
        ok: false,
        message: parsed.refusal.message,
        fix: parsed.refusal.suggestion
          ? `${parsed.refusal.fix} Did you mean ${parsed.refusal.suggestion}?`
          : parsed.refusal.fix,
      };
    return {
      ok: true,
      environment,
      loginUrl: hosts.myDomainUrl(parsed.domain.name),
      myDomain: parsed.domain.host,
      notice: parsed.notice,
    };
  }
  return {
    ok: false,
    message: "Choose Production, Sandbox or My Domain.",
    fix: "Pick the kind of org you want to connect.",
  };
}

/** A fresh authorize round trip: state and PKCE verifier to keep, the URL to send the browser to. */
export function authorizeRoundTrip(input: {
  loginUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  pkce: boolean;
  display: "page" | "popup" | "redirect";
}): { state: string; codeVerifier: string | null; url: string } {
  const state = createOAuthState();
  const pkce = createPkcePair();
  const url = authorizeUrl({
    loginUrl: input.loginUrl,
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    scopes: input.scopes,
    state,
    codeChallenge: pkce.challenge,
    display: input.display === "popup" ? "popup" : undefined,
  });
  if (input.pkce) return { state, codeVerifier: pkce.verifier, url };
  // A legacy Connected App with PKCE turned off: no challenge, so no verifier at the exchange.
  const plain = new URL(url);
  plain.searchParams.delete("code_challenge");
  plain.searchParams.delete("code_challenge_method");
  return { state, codeVerifier: null, url: plain.toString() };
}
