import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import {
  apiErrorFrom,
  OffInstanceUrlError,
  TransportFailure,
  transportFailureFrom,
  UnknownConnectionError,
} from "@forcelink/salesforce";
import { HttpError, httpErrorFrom, notFound } from "../http/http-error.ts";
import { projectNowOrLater } from "../http/project-auth.ts";
import { controlCharacterProblem, requestTargetProblem } from "../http/request-input.ts";
import type { Platform } from "../platform/platform.ts";
import { explainError, explainFailure } from "../remedies/explain-failure.ts";
import { connectionView, findConnection } from "./connection-store.ts";
import { proxyFailure, salesforceRefusal } from "./proxy-activity.ts";

/** Hop-by-hop headers: never passed to Salesforce or back. */
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
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;
const PROXY_PATH = /^\/v1\/connections\/([^/?]+)\/proxy(\/[^?]*)?(\?.*)?$/;
/**
 * The Salesforce API paths the proxy serves (each also with anything below it): REST, Bulk,
 * Apex REST, SOAP, the user's identity, and the Streaming API. Anything else an instance host
 * answers (its pages, an emulator's control surface) is no API of the customer's org.
 */
export const PROXY_API_PATHS = [
  "/services/data",
  "/services/async",
  "/services/apexrest",
  "/services/Soap",
  "/services/oauth2/userinfo",
  "/id",
  "/cometd",
] as const;

/**
 * `/v1/connections/{id}/proxy/<any Salesforce path>`: the builder's raw call, with the
 * connection's token added (refreshed and retried once on INVALID_SESSION_ID), sent only to the
 * connection's own instance, bodies streamed both ways, Salesforce's answer passed through.
 *
 * It is served below the web framework, on the bare request: the proxy is the hot path, and every
 * layer it skips is latency and throughput the builder keeps. Answers `false` for other paths.
 */
export function createProxyHandler(platform: Platform): (req: IncomingMessage, res: ServerResponse) => boolean {
  const tokens = platform.tokens;

  async function serve(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const target = requestTargetProblem(req.url ?? "");
    if (target) throw target;
    // What this process already knows is used without waiting: each await on the way is a turn of the event loop.
    const known = projectNowOrLater(req.headers.authorization, platform.verifier);
    const projectId = typeof known === "string" ? known : await known;
    const id = decodeURIComponent(match[1]);
    const badId = controlCharacterProblem("path parameter", { id });
    if (badId) throw badId;
    const rest = match[2] ?? "/";
    refuseNonApiPath(rest);
    const cached = tokens.cachedProxyTarget(projectId, id);
    const row = cached?.row ?? (await tokens.connection(projectId, id));
    if (!row) throw notFound("connection", id);
    if (Number(req.headers["content-length"] ?? 0) > PROXY_BODY_LIMIT) {
      throw new HttpError(
        413,
        "payload_too_large",
        `The body is larger than the proxy accepts (${PROXY_BODY_LIMIT} bytes).`,
      );
    }
    const hasBody =
      req.method !== "GET" &&
      req.method !== "HEAD" &&
      (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined);
    try {
      const client = cached?.client ?? (await tokens.clientFor(row));
      // The client copies the headers it forwards: hop-by-hop ones, the key, host and cookies stay here.
      const answer = await client.send({
        method: req.method ?? "GET",
        path: `${rest}${match[3] ?? ""}`,
        headers: req.headers,
        body: hasBody ? req : null,
      });
      const out: Record<string, string | string[]> = {};
      const given = answer.headers;
      for (const k in given) {
        const v = given[k];
        if (v !== undefined && !HOP.has(k)) out[k] = v;
      }
      const body = answer.body;
      // Small answers of known length arrive read and go out in one write; anything else streams through.
      if (Buffer.isBuffer(body)) {
        if (answer.status >= 400) {
          Object.assign(out, checkHeaders(answer.status, body, row.username));
          void platform.activity.record(salesforceRefusal(row, req.method, rest, answer.status, body));
        }
        res.writeHead(answer.status, out);
        res.end(body);
        return;
      }
      if (answer.status >= 400)
        void platform.activity.record(salesforceRefusal(row, req.method, rest, answer.status, null));
      res.writeHead(answer.status, out);
      // Either side failing ends the other: a caller that hangs up mid-answer ends the call to
      // Salesforce (which frees its socket), a broken answer ends the caller's response.
      pipeline(body, res, () => undefined);
    } catch (e) {
      tokens.forget(id);
      const answer = await withRecordedReauth(proxyError(e), projectId, id);
      await platform.activity.record(proxyFailure(row, req.method, rest, answer));
      throw answer;
    }
  }

  /**
   * A refused grant is explained once, when it happens (a revoked grant told from an expired
   * one); the proxy's 409 gives that explanation, as the connection's view does.
   */
  async function withRecordedReauth(answer: unknown, projectId: string, id: string): Promise<unknown> {
    if (!(answer instanceof HttpError) || answer.code !== "connection_needs_reauth") return answer;
    const fresh = await findConnection(platform, projectId, id);
    const recorded = fresh ? connectionView(fresh).reauth?.check : undefined;
    if (!recorded) return answer;
    return new HttpError(answer.status, answer.code, answer.message, {
      remedy: answer.remedy,
      details: answer.details,
      check: recorded,
    });
  }

  return (req, res) => {
    const match = req.url ? PROXY_PATH.exec(req.url) : null;
    if (!match) return false;
    serve(req, res, match).catch((e: unknown) => {
      const answer = httpErrorFrom(e, explainError);
      if (answer.status >= 500 && !(e instanceof HttpError))
        platform.logger.error({ err: e, method: req.method, url: "/v1/connections/…/proxy" }, "proxy failed");
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify(answer.body());
      res.writeHead(answer.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        ...(answer.retryAfterSeconds !== undefined ? { "retry-after": String(answer.retryAfterSeconds) } : {}),
      });
      res.end(body);
      req.resume();
    });
    return true;
  };
}

/** Throws the 400 for a proxied path that could leave the instance or is no Salesforce API path. */
function refuseNonApiPath(rest: string): void {
  if (rest.startsWith("//") || rest.includes("\\") || /%5c/i.test(rest))
    throw proxyError(new OffInstanceUrlError(rest));
  if (DOT_SEGMENT.test(rest) || /%2e/i.test(rest)) {
    throw new HttpError(
      400,
      "path_not_allowed",
      "The proxied path may not contain '.' or '..' segments or start with '//'.",
      { remedy: "Give the Salesforce path as it is, e.g. /services/data/v67.0/query?q=…" },
    );
  }
  if (!PROXY_API_PATHS.some((p) => rest === p || rest.startsWith(`${p}/`))) {
    const shown = rest.length > 120 ? `${rest.slice(0, 120)}…` : rest;
    throw new HttpError(
      400,
      "path_not_allowed",
      `The proxy serves Salesforce API paths only (${PROXY_API_PATHS.join(", ")}, each with what is below it); '${shown}' is none of them.`,
      { remedy: "Give a Salesforce API path, e.g. /services/data/v67.0/limits.", details: { paths: PROXY_API_PATHS } },
    );
  }
}

/**
 * Salesforce's error passes through untouched; when the checklist explains it, two headers say
 * which check and what the customer's admin should do: `Forcelink-Check` (the check id) and
 * `Forcelink-Remedy` (the steps as a JSON array, ASCII-escaped to fit in a header).
 */
function checkHeaders(status: number, body: Buffer, username: string | null): Record<string, string> {
  const error = apiErrorFrom(status, body.toString("utf8"));
  const check = explainFailure(error, { user: username ? `the user ${username}` : undefined });
  if (!check) return {};
  return { "forcelink-check": check.id, "forcelink-remedy": asciiJson(check.remedy) };
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function proxyError(e: unknown): unknown {
  if (e instanceof UnknownConnectionError) return new HttpError(404, "not_found", "The connection no longer exists.");
  if (e instanceof OffInstanceUrlError) {
    return new HttpError(
      400,
      "off_instance",
      "The proxy only calls the connection's own Salesforce instance; give a path such as /services/data/v67.0/limits.",
    );
  }
  const code = (e as { code?: string }).code;
  // A socket error that reached here unnamed is named by the library, then mapped like any other.
  if (code && /^UND_ERR|^ECONN|^ETIMEDOUT/.test(code) && !(e instanceof TransportFailure))
    return httpErrorFrom(transportFailureFrom(e), explainError);
  const answer = httpErrorFrom(e, explainError);
  // Our bug: the error itself travels on, so the handler logs it before answering 500.
  return answer.status === 500 ? e : answer;
}
