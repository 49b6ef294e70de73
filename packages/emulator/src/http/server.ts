import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { httpDate } from "../clock.ts";
import { apiChangeOrigin, withChangeOrigin } from "../events/change-origin.ts";
import type { FaultDecision } from "../org/faults.ts";
import type { Org } from "../org/org.ts";
import { authorizeApiCall } from "./api-pipeline.ts";
import { type HostRole, RequestContext } from "./context.ts";
import { ApiError, OAuthError } from "./errors.ts";
import type { Reply } from "./reply.ts";
import type { Router } from "./router.ts";

const JSON_TYPE = "application/json;charset=UTF-8";

/** Answers one request: route, pipeline, handler, then the reply with Salesforce's headers. */
export async function handle(org: Org, router: Router, role: HostRole, req: IncomingMessage, res: ServerResponse) {
  const ctx = new RequestContext(org, role, req, res);
  const { found, allowed } = router.match(ctx.method, ctx.path);
  const isApi = found ? found.route.auth === "api" : ctx.path.startsWith("/services/data");
  let reply: Reply;
  let fault: FaultDecision = { kind: "none" };
  try {
    if (!found) {
      if (allowed.length > 0) {
        throw new ApiError(
          405,
          "METHOD_NOT_ALLOWED",
          `HTTP Method '${ctx.method}' not allowed. Allowed are ${[...new Set(allowed)].join(",")}`,
        );
      }
      throw new ApiError(404, "NOT_FOUND", "The requested resource does not exist");
    }
    ctx.params = found.params;
    const { route } = found;
    org.counters.record(route.kind, `${ctx.method} ${route.pattern}`);
    fault = route.kind === "control" ? { kind: "none" } : org.faults.decide(ctx.path);
    if (route.kind !== "control") {
      if (org.faults.settings.latencyMs > 0) await sleep(org.faults.settings.latencyMs);
      if (fault.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (fault.kind === "error" && route.kind === "oauth") {
        // The OAuth endpoints answer in their own shape, even when overloaded.
        throw new OAuthError(fault.status, "server_error", "The server is temporarily unable to handle the request.");
      }
      if (fault.kind === "error") {
        throw fault.status === 503
          ? new ApiError(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later.")
          : new ApiError(
              500,
              "UNKNOWN_EXCEPTION",
              "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
            );
      }
    }
    if (route.auth === "api") authorizeApiCall(ctx);
    const origin =
      route.kind === "control" ? "" : apiChangeOrigin(ctx.params.version, ctx.header("sforce-call-options"));
    reply = await withChangeOrigin(origin, () => route.handler(ctx));
  } catch (error) {
    reply = errorReply(error);
  }
  if (fault.kind === "dropAfterServe") {
    // Served, its writes done, and the answer lost on the way: the client sees a reset.
    req.socket.destroy();
    return;
  }
  if (isApi) {
    reply.headers = { ...reply.headers, "sforce-limit-info": org.apiUsage.header() };
  }
  write(res, reply, org.clock.now());
}

export function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) return { status: error.status, json: error.body() };
  if (error instanceof OAuthError) {
    if (error.format === "form") {
      const body = new URLSearchParams({ error: error.error, error_description: error.message }).toString();
      return {
        status: error.status,
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", "cache-control": "no-store" },
      };
    }
    return {
      status: error.status,
      json: { error: error.error, error_description: error.message },
      headers: { "cache-control": "no-store" },
    };
  }
  console.error("[emulator] unexpected error:", error);
  return {
    status: 500,
    json: [
      {
        errorCode: "UNKNOWN_EXCEPTION",
        message: `An unexpected error occurred in the emulator: ${(error as Error)?.message ?? error}`,
      },
    ],
  };
}

function write(res: ServerResponse, reply: Reply, nowMs: number): void {
  if (res.headersSent || res.destroyed) return;
  // The org clock, not the process's: clients read `Date` as Salesforce's time.
  const headers: Record<string, string> = { ...reply.headers, date: httpDate(nowMs) };
  let body: string | Buffer | undefined = reply.body;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers["content-type"] ??= JSON_TYPE;
  }
  if (reply.stream) {
    res.writeHead(reply.status, headers);
    // A stream that fails midway cuts the answer off: the client sees the body end early, never a hang.
    pipeline(reply.stream, res, () => undefined);
    return;
  }
  // Encoded once: its length and the bytes sent come from the same buffer.
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  if (bytes !== undefined) headers["content-length"] = String(bytes.length);
  else if (reply.status !== 204 && reply.status !== 304) headers["content-length"] = "0";
  res.writeHead(reply.status, headers);
  res.end(bytes);
}

/** Listens on one port for one host role. */
export function listen(org: Org, router: Router, role: HostRole, port: number, host: string): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(org, router, role, req, res).catch((e) => {
      console.error("[emulator] failed to answer:", e);
      if (!res.headersSent) res.writeHead(500, { date: httpDate(org.clock.now()) }).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
