import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ApiKeyVerifier } from "../projects/api-keys.ts";
import { HttpError } from "./http-error.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The project the API key belongs to; every /v1 query is scoped to it. */
    projectId: string;
  }
}

const MISSING = new HttpError(401, "unauthorized", "This endpoint needs a project API key.", {
  remedy: "Send `Authorization: Bearer fl_sk_…`. Create a key with `forcelink keys create`.",
});
const INVALID = new HttpError(401, "unauthorized", "The API key is not valid or was revoked.", {
  remedy: "Check the key, or create a new one with `forcelink keys create`.",
});

/**
 * The project an `Authorization: Bearer fl_sk_…` header belongs to, or a 401 that says what to do: at once when the
 * verifier remembers the key, otherwise a promise (the proxy's hot path skips a promise per request).
 */
export function projectNowOrLater(
  authorization: string | undefined,
  verifier: ApiKeyVerifier,
): string | Promise<string> {
  const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!m) throw MISSING;
  const found = verifier.projectOrLookup(m[1]);
  if (typeof found === "string") return found;
  if (found === null) throw INVALID;
  return found.then((projectId) => {
    if (!projectId) throw INVALID;
    return projectId;
  });
}

/** The project an `Authorization: Bearer fl_sk_…` header belongs to, or a 401 that says what to do. */
export async function projectOf(authorization: string | undefined, verifier: ApiKeyVerifier): Promise<string> {
  return projectNowOrLater(authorization, verifier);
}

/** Every route registered inside `scope` requires an API key and learns its project. */
export function requireApiKey(scope: FastifyInstance, verifier: ApiKeyVerifier): void {
  scope.decorateRequest("projectId", "");
  scope.addHook("onRequest", async (request: FastifyRequest) => {
    request.projectId = await projectOf(request.headers.authorization, verifier);
  });
}
