import { oauthFailureFromAnswer } from "./oauth-failure.ts";
import { jsonOrFailure, type OAuthCallOptions, oauthCall, oauthEndpoint } from "./oauth-transport.ts";

export interface RevokeInput {
  /** A login host or the org's My Domain. */
  baseUrl: string;
  /** A refresh token (ends its sessions too) or an access token (ends that session only). */
  token: string;
}

/** Ends a grant or a session. Salesforce answers 200 with an empty body; failures are form-encoded. */
export async function revokeToken(input: RevokeInput, options?: OAuthCallOptions): Promise<void> {
  const answer = await oauthCall(
    "POST",
    oauthEndpoint(input.baseUrl, "/services/oauth2/revoke"),
    { form: { token: input.token } },
    options,
  );
  if (answer.status !== 200) throw oauthFailureFromAnswer(answer.status, answer.contentType, answer.text);
}

export interface IntrospectInput {
  baseUrl: string;
  /** The calling app: it learns only about tokens issued to itself. */
  clientId: string;
  clientSecret: string;
  token: string;
  tokenTypeHint?: "access_token" | "refresh_token";
}

export interface Introspection {
  /** False as well for another app's token: Salesforce does not say which. */
  active: boolean;
  scopes?: string[];
  clientId?: string;
  username?: string;
  /** The identity URL of the token's user. */
  subject?: string;
  tokenType?: string;
  /** Epoch ms. For an access token: the last use plus the session timeout. */
  expiresAt?: number;
  issuedAt?: number;
}

export async function introspectToken(input: IntrospectInput, options?: OAuthCallOptions): Promise<Introspection> {
  const answer = await oauthCall(
    "POST",
    oauthEndpoint(input.baseUrl, "/services/oauth2/introspect"),
    {
      form: {
        token: input.token,
        token_type_hint: input.tokenTypeHint,
        client_id: input.clientId,
        client_secret: input.clientSecret,
      },
    },
    options,
  );
  const body = jsonOrFailure(answer);
  if (body.active !== true) return { active: false };
  const out: Introspection = { active: true };
  if (typeof body.scope === "string") out.scopes = body.scope.split(/\s+/).filter(Boolean);
  if (typeof body.client_id === "string") out.clientId = body.client_id;
  if (typeof body.username === "string") out.username = body.username;
  if (typeof body.sub === "string") out.subject = body.sub;
  if (typeof body.token_type === "string") out.tokenType = body.token_type;
  if (typeof body.exp === "number") out.expiresAt = body.exp * 1000;
  if (typeof body.iat === "number") out.issuedAt = body.iat * 1000;
  return out;
}
