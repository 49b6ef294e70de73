import type { Router } from "../http/router.ts";
import { authorizeGet, authorizePost, errorPageGet } from "./authorize-endpoint.ts";
import { keysEndpoint, openidConfiguration } from "./discovery.ts";
import { ERROR_PAGE_PATH } from "./error-page.ts";
import { identityEndpoint, userinfoEndpoint } from "./identity.ts";
import { introspectEndpoint } from "./introspect.ts";
import { revokeEndpoint } from "./revoke.ts";
import { tokenEndpoint } from "./token-endpoint.ts";

/** The OAuth 2.0 server and the identity service, on every host; each handler authenticates itself. */
export function registerOAuthRoutes(router: Router): void {
  const oauth = { kind: "oauth", auth: "none" } as const;
  const identity = { kind: "identity", auth: "none" } as const;
  router.add("GET", "/services/oauth2/authorize", oauth, authorizeGet);
  router.add("POST", "/services/oauth2/authorize", oauth, authorizePost);
  router.add("GET", ERROR_PAGE_PATH, oauth, errorPageGet);
  router.add("POST", "/services/oauth2/token", oauth, tokenEndpoint);
  router.add("POST", "/services/oauth2/introspect", oauth, introspectEndpoint);
  router.add(["GET", "POST"], "/services/oauth2/revoke", oauth, revokeEndpoint);
  router.add(["GET", "POST"], "/services/oauth2/userinfo", identity, userinfoEndpoint);
  router.add("GET", "/id/keys", identity, keysEndpoint);
  router.add("GET", "/.well-known/openid-configuration", identity, openidConfiguration);
  router.add(["GET", "POST"], "/id/:orgId/:userId", identity, identityEndpoint);
}
