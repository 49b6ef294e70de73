import type { RequestContext } from "../http/context.ts";
import { json, type Reply } from "../http/reply.ts";
import { authorizationCodeGrant } from "./grants/authorization-code.ts";
import { clientCredentialsGrant } from "./grants/client-credentials.ts";
import { JWT_BEARER_GRANT, jwtBearerGrant } from "./grants/jwt-bearer.ts";
import { passwordGrant } from "./grants/password.ts";
import { refreshTokenGrant } from "./grants/refresh-token.ts";
import { tokenErrors } from "./oauth-errors.ts";
import type { TokenResponse } from "./token-response.ts";

type Grant = (ctx: RequestContext, params: URLSearchParams) => TokenResponse;

const GRANTS: Record<string, Grant> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
  [JWT_BEARER_GRANT]: jwtBearerGrant,
};

export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

/** POST /services/oauth2/token. Unknown parameters are ignored: jsforce sends extras on every grant. */
export async function tokenEndpoint(ctx: RequestContext): Promise<Reply> {
  const params = await requestParams(ctx);
  const grant = Object.hasOwn(GRANTS, params.get("grant_type") ?? "")
    ? GRANTS[params.get("grant_type") ?? ""]
    : undefined;
  if (!grant) throw tokenErrors.unsupportedGrantType();
  return json(grant(ctx, params), 200, NO_STORE);
}

/** Form body over query string: some older clients put the parameters in the URL of the POST. */
export async function requestParams(ctx: RequestContext): Promise<URLSearchParams> {
  const params = new URLSearchParams(ctx.url.searchParams);
  for (const [key, value] of await ctx.form()) params.set(key, value);
  return params;
}
