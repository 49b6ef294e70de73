import type { IncomingMessage, ServerResponse } from "node:http";
import type { Org } from "../org/org.ts";
import type { Session } from "../org/sessions.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { ApiError, malformedJson } from "./errors.ts";

/** Which Salesforce host a request arrived on. */
export type HostRole = "login" | "test" | "mydomain";

export const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;

/**
 * Salesforce serves a path with repeated slashes as the path with single ones: clients that join
 * an instance URL ending in `/` to `/services/data/...` call `//services/data/...`. Left as is,
 * `//services` would even parse as a host name. The query is not touched.
 */
export function collapseSlashes(target: string): string {
  if (!target.startsWith("/")) return target;
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return path.replace(/\/{2,}/g, "/") + (end < 0 ? "" : target.slice(end));
}

/**
 * Clients that cannot send PATCH or DELETE send POST with `?_HttpMethod=PATCH` (Salesforce's
 * documented override) or an `X-HTTP-Method-Override` header.
 */
function methodOf(req: IncomingMessage, url: URL): string {
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "POST") return method;
  const header = req.headers["x-http-method-override"];
  const override = (url.searchParams.get("_HttpMethod") ?? (typeof header === "string" ? header : "")).toUpperCase();
  return override === "PATCH" || override === "DELETE" ? override : method;
}

export class RequestContext {
  readonly org: Org;
  readonly role: HostRole;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  /** Path parameters from the route pattern. */
  params: Record<string, string> = {};
  /** Set by the API pipeline once the bearer token checks out. */
  session?: Session;
  user?: StoredRecord;
  private bodyPromise?: Promise<Buffer>;

  constructor(org: Org, role: HostRole, req: IncomingMessage, res: ServerResponse) {
    this.org = org;
    this.role = role;
    this.req = req;
    this.res = res;
    this.url = new URL(collapseSlashes(req.url ?? "/"), "http://emulator.local");
    this.method = methodOf(req, this.url);
  }

  /**
   * A request made inside the emulator (a composite subrequest): same org, host and session,
   * its own method, URL, headers and body.
   */
  static internal(
    parent: RequestContext,
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): RequestContext {
    const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const fake = { url, method, headers: { ...parent.req.headers, ...lowered } } as unknown as IncomingMessage;
    const ctx = new RequestContext(parent.org, parent.role, fake, parent.res);
    ctx.session = parent.session;
    ctx.user = parent.user;
    const text = body === undefined || body === null ? "" : typeof body === "string" ? body : JSON.stringify(body);
    ctx.bodyPromise = Promise.resolve(Buffer.from(text));
    return ctx;
  }

  get path(): string {
    return this.url.pathname;
  }

  /** The base URL of the host the request arrived on. */
  get hostUrl(): string {
    return this.role === "login"
      ? this.org.urls.login
      : this.role === "test"
        ? this.org.urls.test
        : this.org.urls.myDomain;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  query(name: string): string | undefined {
    return this.url.searchParams.get(name) ?? undefined;
  }

  /** The authenticated user id; only valid on routes behind the API pipeline. */
  get userId(): string {
    if (!this.user) throw new Error("route used userId without authentication");
    return this.user.Id;
  }

  rawBody(limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
    this.bodyPromise ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          // Answer 413 and discard the rest, rather than resetting the connection under the client.
          if (chunks.length > 0) chunks.length = 0;
          reject(new ApiError(413, "REQUEST_ENTITY_TOO_LARGE", `The request body is larger than ${limit} bytes.`));
          return;
        }
        chunks.push(chunk);
      });
      this.req.on("end", () => resolve(Buffer.concat(chunks)));
      // The client gave up mid-body (its upload broke): nobody is left to read the answer.
      this.req.on("error", () =>
        reject(new ApiError(400, "REQUEST_ABORTED", "The client closed the request before its body ended.")),
      );
    });
    return this.bodyPromise;
  }

  async text(limit?: number): Promise<string> {
    return (await this.rawBody(limit)).toString("utf8");
  }

  /** Parses a JSON body that must be an object of field names to values (record writes). */
  async jsonObject(): Promise<Record<string, unknown>> {
    const body = await this.json();
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw malformedJson("The request body must be a JSON object of field names and values.");
    }
    return body as Record<string, unknown>;
  }

  /** Parses a JSON body; Salesforce answers JSON_PARSER_ERROR for bad JSON. */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    if (text.trim() === "") throw malformedJson("The request body is empty; expected a JSON document.");
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw malformedJson(`Unexpected character in the JSON body: ${(e as Error).message}`);
    }
  }

  /** Parses an application/x-www-form-urlencoded body, merged over nothing else. */
  async form(): Promise<URLSearchParams> {
    return new URLSearchParams(await this.text());
  }
}
