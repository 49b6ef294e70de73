import { OAuthFailure, OffInstanceUrlError, UnknownConnectionError } from "@forcelink/salesforce";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { connectionTokens } from "./connection-tokens.ts";

/** Hop-by-hop headers and ours: never passed to Salesforce or back. */
const HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-connection",
]);
const PROXY_BODY_LIMIT = 150 * 1024 * 1024;
const SMALL_BODY = 64 * 1024;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/**
 * `/v1/connections/{id}/proxy/<any Salesforce path>`: the builder's raw call, with the
 * connection's token added (refreshed and retried once on INVALID_SESSION_ID), sent only to the
 * connection's own instance, bodies streamed both ways, Salesforce's answer passed through.
 */
export function registerProxyRoutes(app: FastifyInstance, platform: Platform): void {
  const tokens = connectionTokens(platform);

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { bodyLimit: PROXY_BODY_LIMIT }, (_req, payload, done) => done(null, payload));

    scope.all(
      "/connections/:id/proxy/*",
      { bodyLimit: PROXY_BODY_LIMIT, schema: { hide: true } },
      async (req: FastifyRequest<{ Params: { id: string; "*": string } }>, reply) => {
        const row = await tokens.connection(req.projectId, req.params.id);
        if (!row) throw notFound("connection", req.params.id);
        if (req.params["*"].startsWith("/") || req.params["*"].includes("\\"))
          throw proxyError(new OffInstanceUrlError(req.params["*"]));
        if (DOT_SEGMENT.test(req.params["*"]) || /%2e/i.test(req.url.split("?")[0])) {
          throw new HttpError(
            400,
            "path_not_allowed",
            "The proxied path may not contain '.' or '..' segments or start with '//'.",
            {
              remedy: "Give the Salesforce path as it is, e.g. /services/data/v67.0/query?q=…",
            },
          );
        }
        const query = req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "";
        const path = `/${req.params["*"]}${query}`;
        const headers: Record<string, string | string[] | undefined> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (!HOP.has(k) && k !== "authorization" && k !== "host") headers[k] = v;
        try {
          const client = await tokens.clientFor(row);
          const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.body !== undefined;
          const answer = await client.send({
            method: req.method,
            path,
            headers,
            body: hasBody ? (req.body as NodeJS.ReadableStream & AsyncIterable<Buffer>) : null,
          });
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
          reply.status(answer.status).headers(out);
          // Small answers of known length go out in one write; anything else streams through.
          const length = Number(answer.headers["content-length"]);
          if (Number.isFinite(length) && length <= SMALL_BODY) return reply.send(await buffered(answer.body));
          return reply.send(answer.body);
        } catch (e) {
          tokens.forget(req.params.id);
          throw proxyError(e);
        }
      },
    );
  });
}

async function buffered(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function proxyError(e: unknown): unknown {
  if (e instanceof UnknownConnectionError) return new HttpError(404, "not_found", "The connection no longer exists.");
  if (e instanceof OffInstanceUrlError) {
    return new HttpError(
      400,
      "off_instance",
      "The proxy only calls the connection's own Salesforce instance; give a path such as /services/data/v67.0/limits.",
      {},
    );
  }
  if (e instanceof OAuthFailure) {
    if (e.kind === "terminal") {
      return new HttpError(
        409,
        "connection_needs_reauth",
        `The customer must connect again: ${e.description || e.error}.`,
        {
          remedy:
            "Create a connect session with this connectionId (POST /v1/connect-sessions) and send the link to the customer.",
          details: { checklistItem: e.checklistItem ?? null },
        },
      );
    }
    return new HttpError(
      502,
      "salesforce_unavailable",
      `Salesforce could not renew the connection's session right now (${e.error}).`,
      {
        remedy: "Retry later; Forcelink backs off and retries on its own.",
      },
    );
  }
  const code = (e as { code?: string }).code;
  if (code && /^UND_ERR|^ECONN|^ETIMEDOUT/.test(code))
    return new HttpError(502, "salesforce_unreachable", "Salesforce could not be reached.");
  return e;
}
