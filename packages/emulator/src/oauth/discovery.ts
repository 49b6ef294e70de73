import type { RequestContext } from "../http/context.ts";
import { json, type Reply } from "../http/reply.ts";
import { jwks } from "./signing-key.ts";

/** GET /id/keys: the key that signs id_tokens. */
export function keysEndpoint(ctx: RequestContext): Reply {
  return json(jwks(ctx.org));
}

/** GET /.well-known/openid-configuration, for OpenID clients that discover endpoints. */
export function openidConfiguration(ctx: RequestContext): Reply {
  const base = ctx.hostUrl;
  return json({
    issuer: base,
    authorization_endpoint: `${base}/services/oauth2/authorize`,
    token_endpoint: `${base}/services/oauth2/token`,
    revocation_endpoint: `${base}/services/oauth2/revoke`,
    introspection_endpoint: `${base}/services/oauth2/introspect`,
    userinfo_endpoint: `${base}/services/oauth2/userinfo`,
    jwks_uri: `${base}/id/keys`,
    response_types_supported: ["code", "token"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "password",
      "client_credentials",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: [
      "openid",
      "api",
      "refresh_token",
      "offline_access",
      "id",
      "profile",
      "email",
      "address",
      "phone",
      "web",
      "full",
    ],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    code_challenge_methods_supported: ["S256", "plain"],
    claims_supported: ["sub", "aud", "iss", "iat", "exp", "nonce", "at_hash", "name", "email", "preferred_username"],
  });
}
