import type { RequestContext } from "../http/context.ts";
import { empty, type Reply } from "../http/reply.ts";
import { revokeInvalidToken } from "./oauth-errors.ts";

/**
 * POST (form) or GET (?token=) /services/oauth2/revoke. A refresh token takes its sessions with it;
 * an access token ends only its own session. Failures are form-encoded, which jsforce expects.
 */
export async function revokeEndpoint(ctx: RequestContext): Promise<Reply> {
  const { org } = ctx;
  const token = ctx.method === "POST" ? ((await ctx.form()).get("token") ?? ctx.query("token")) : ctx.query("token");
  if (!token) throw revokeInvalidToken();
  const session = org.sessions.sessions.get(token);
  if (session && !session.revoked) {
    org.sessions.revokeSession(token);
    return empty(200);
  }
  const grant = org.sessions.grants.get(token);
  if (grant && !grant.revoked) {
    org.sessions.revokeGrant(token);
    return empty(200);
  }
  throw revokeInvalidToken();
}
