import type { Readable } from "node:stream";
import { text as readText } from "node:stream/consumers";
import { setTimeout as delay } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { apiErrorFrom, type SalesforceApiError } from "./errors.ts";
import { InstancePools } from "./instance-pools.ts";
import { type InstanceTarget, type QueryValue, resolveOnOrigin } from "./instance-url.ts";
import { parseLimitInfo } from "./limit-info.ts";
import { OAuthFailure } from "./oauth/oauth-failure.ts";
import { type QueryOptions, type QueryPage, queryPages, queryRecords } from "./query-pager.ts";
import { dispatchRaw, type RawAnswer } from "./raw-dispatch.ts";
import { NOT_REPLAYABLE, ReplayableBody, type RequestBody } from "./replayable-body.ts";
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from "./retry.ts";
import { sobjectPaths } from "./sobject-paths.ts";
import { UnknownConnectionError } from "./token-lifecycle.ts";
import type { AccessGrant, TokenProvider } from "./token-provider.ts";
import { transportFailureFrom } from "./transport-failure.ts";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface ApiRequest {
  method?: HttpMethod;
  /** A path on the instance (`/services/data/v67.0/limits`), or an absolute URL on the same origin. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Sent as JSON with its content type; use instead of `body`. */
  json?: unknown;
  /** Whether sending twice is harmless; defaults by method (GET, HEAD, PUT, DELETE, OPTIONS). */
  idempotent?: boolean;
  /** Answer with the body as a stream instead of parsing it. */
  stream?: boolean;
  signal?: AbortSignal;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON, text for other types, undefined for an empty body. */
  body: T;
}

export interface StreamedResponse {
  status: number;
  headers: ResponseHeaders;
  body: Readable;
}

/** A proxied call: Salesforce's answer comes back as it is, errors included. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: RequestBody | null;
  signal?: AbortSignal;
}

export interface SalesforceClientOptions {
  tokens: TokenProvider;
  /** Default "67.0" (Summer '26). */
  apiVersion?: string;
  /** Called with `Sforce-Limit-Info` of every answer: the org's daily API usage. */
  onUsage?: (used: number, max: number) => void;
  /** Share pools between clients; a client given pools does not close them. */
  pools?: InstancePools;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Longest wait for an answer to start; Salesforce stops requests after 10 minutes. */
  headersTimeoutMs?: number;
  /** Longest silence between chunks of an answer. */
  bodyTimeoutMs?: number;
  /** How much of a streamed request body is kept to resend it after a 401 (default 1 MiB). */
  replayCapBytes?: number;
  /** Sent as `Sforce-Call-Options: client=…`; Change Data Capture reports it as the change origin. */
  callOptionsClient?: string;
}

export const DEFAULT_API_VERSION = "67.0";

const IDEMPOTENT = new Set<string>(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
/** Headers of the proxied request that belong to its own hop, or that the client sets itself. */
const NOT_FORWARDED = new Set([
  "authorization",
  "host",
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "cookie",
]);

/**
 * The one way to an org's REST API: resolves every call against the token's instance URL,
 * authenticates it, meters the quota, types errors through the error table, retries what is
 * safe to retry, and on an expired session gets a new token once and sends the call again.
 */
export class SalesforceClient {
  readonly apiVersion: string;
  private readonly tokens: TokenProvider;
  private readonly pools: InstancePools;
  private readonly ownsPools: boolean;
  private readonly options: SalesforceClientOptions;
  private readonly policy: RetryPolicy;
  /** The last instance URL's origin: every call resolves against it, and it rarely changes. */
  private instance = { url: "", origin: "" };

  constructor(options: SalesforceClientOptions) {
    this.options = options;
    this.tokens = options.tokens;
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.ownsPools = options.pools === undefined;
    this.pools = options.pools ?? new InstancePools();
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** `/services/data/vNN.N`, the root of the data API's paths. */
  get dataPath(): string {
    return `/services/data/v${this.apiVersion}`;
  }

  request<T = unknown>(req: ApiRequest & { stream?: false }): Promise<ApiResponse<T>>;
  request(req: ApiRequest & { stream: true }): Promise<StreamedResponse>;
  async request<T>(req: ApiRequest): Promise<ApiResponse<T> | StreamedResponse> {
    const method = req.method ?? "GET";
    const idempotent = req.idempotent ?? IDEMPOTENT.has(method);
    const headers: Record<string, string> = { accept: "application/json", ...lowerKeys(req.headers) };
    let payload = req.body;
    if (req.json !== undefined) {
      payload = JSON.stringify(req.json);
      headers["content-type"] ??= "application/json";
    }
    const body = new ReplayableBody(payload, this.options.replayCapBytes ?? 1024 * 1024);
    let grant = await this.tokens.current();
    let sending = body.first();
    let refreshed = false;
    let attempt = 1;
    for (;;) {
      const target = resolveOnOrigin(this.originOf(grant.instanceUrl), req.path, req.query);
      let res: Dispatcher.ResponseData;
      try {
        res = await this.dispatch(grant, target, method, headers, sending, req.signal);
      } catch (error) {
        const failure = transportFailureFrom(error);
        const decision = decideRetry({
          attempt,
          failure: { kind: "transport", transport: failure.kind },
          idempotent,
          ...this.dice(),
        });
        const again = decision.retry ? await body.again() : NOT_REPLAYABLE;
        if (again === NOT_REPLAYABLE) throw failure;
        await this.sleep(decision.delayMs);
        sending = again;
        attempt++;
        grant = await this.tokens.current();
        continue;
      }
      if (res.statusCode < 300 || res.statusCode === 304) {
        if (req.stream) return { status: res.statusCode, headers: res.headers, body: res.body };
        return { status: res.statusCode, headers: res.headers, body: (await readBody(res)) as T };
      }
      const error = apiErrorFrom(res.statusCode, await res.body.text());
      if (error.retry === "refresh-then-retry" && !refreshed) {
        refreshed = true;
        const again = await body.again();
        const fresh = await this.refreshAfter(grant, error);
        if (again === NOT_REPLAYABLE) throw error;
        grant = fresh;
        sending = again;
        continue;
      }
      const decision = decideRetry({
        attempt,
        failure: {
          kind: "response",
          status: res.statusCode,
          code: error.code,
          message: error.message,
          retryAfter: header(res.headers, "retry-after"),
        },
        idempotent,
        ...this.dice(),
      });
      const again = decision.retry ? await body.again() : NOT_REPLAYABLE;
      if (again === NOT_REPLAYABLE) throw error;
      await this.sleep(decision.delayMs);
      sending = again;
      attempt++;
      grant = await this.tokens.current();
    }
  }

  /**
   * Raw mode for the proxy: the answer is Salesforce's, status, headers and streamed body, errors
   * included. The client still authenticates, meters, and after a 401 for an expired session
   * gets a new token and sends the call once more when the body can be sent again.
   */
  async send(req: RawRequest): Promise<RawAnswer> {
    const method = req.method.toUpperCase();
    const headers: Record<string, string | string[]> = {};
    const given = req.headers ?? {};
    for (const k in given) {
      const v = given[k];
      const name = k.toLowerCase();
      if (v !== undefined && !NOT_FORWARDED.has(name)) headers[name] = v;
    }
    const body = new ReplayableBody(req.body ?? undefined, this.options.replayCapBytes ?? 1024 * 1024);
    const grant = this.tokens.currentNow?.() ?? (await this.tokens.current());
    const first = await this.sendOnce(grant, method, req.path, headers, body.first(), req.signal);
    if (first.status !== 401) return first;
    const text = Buffer.isBuffer(first.body) ? first.body.toString("utf8") : await readText(first.body);
    const replayFirst = (): RawAnswer => ({ status: 401, headers: first.headers, body: Buffer.from(text) });
    const error = apiErrorFrom(401, text);
    if (error.retry !== "refresh-then-retry") return replayFirst();
    const again = await body.again();
    const fresh = await this.refreshAfter(grant, error);
    if (again === NOT_REPLAYABLE) return replayFirst();
    return this.sendOnce(fresh, method, req.path, headers, again, req.signal);
  }

  // ---- conveniences over request()

  /** Pages of a SOQL query, fetched one at a time as they are consumed. */
  queryPages<T = Record<string, unknown>>(soql: string, options: QueryOptions = {}): AsyncGenerator<QueryPage<T>> {
    return queryPages<T>(
      async (path, query, headers) => (await this.request<QueryPage<unknown>>({ path, query, headers })).body,
      this.dataPath,
      soql,
      options,
    );
  }

  /** The records of a SOQL query, following nextRecordsUrl with one page in memory. */
  query<T = Record<string, unknown>>(soql: string, options: QueryOptions = {}): AsyncGenerator<T> {
    return queryRecords(this.queryPages<T>(soql, options));
  }

  /** query() including deleted and archived rows. */
  queryAll<T = Record<string, unknown>>(
    soql: string,
    options: Omit<QueryOptions, "includeDeleted"> = {},
  ): AsyncGenerator<T> {
    return this.query<T>(soql, { ...options, includeDeleted: true });
  }

  async describeGlobal<T = Record<string, unknown>>(): Promise<T> {
    return (await this.request<T>({ path: sobjectPaths.global(this.dataPath) })).body;
  }

  async describe<T = Record<string, unknown>>(object: string): Promise<T> {
    return (await this.request<T>({ path: sobjectPaths.describe(this.dataPath, object) })).body;
  }

  async limits<T = Record<string, { Max: number; Remaining: number }>>(): Promise<T> {
    return (await this.request<T>({ path: `${this.dataPath}/limits` })).body;
  }

  /** Creates a record. Not retried after it may have reached Salesforce: use upsert to be safe. */
  async create(object: string, fields: Record<string, unknown>): Promise<{ id: string }> {
    const res = await this.request<{ id: string }>({
      method: "POST",
      path: sobjectPaths.collection(this.dataPath, object),
      json: fields,
    });
    return { id: res.body.id };
  }

  async retrieve<T = Record<string, unknown>>(object: string, id: string, fields?: string[]): Promise<T> {
    const query = fields && fields.length > 0 ? { fields: fields.join(",") } : undefined;
    return (await this.request<T>({ path: sobjectPaths.record(this.dataPath, object, id), query })).body;
  }

  /** PATCH sets fields to values, so sending it twice changes nothing more. */
  async update(object: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.request({
      method: "PATCH",
      path: sobjectPaths.record(this.dataPath, object, id),
      json: fields,
      idempotent: true,
    });
  }

  /** Insert or update by external id: safe to retry, which is why writes should prefer it. */
  async upsert(
    object: string,
    externalIdField: string,
    externalId: string,
    fields: Record<string, unknown>,
  ): Promise<{ id: string; created: boolean }> {
    const res = await this.request<{ id?: string; created?: boolean } | undefined>({
      method: "PATCH",
      path: sobjectPaths.byExternalId(this.dataPath, object, externalIdField, externalId),
      json: fields,
      idempotent: true,
    });
    return { id: res.body?.id ?? "", created: res.body?.created ?? res.status === 201 };
  }

  async delete(object: string, id: string): Promise<void> {
    await this.request({ method: "DELETE", path: sobjectPaths.record(this.dataPath, object, id) });
  }

  async close(): Promise<void> {
    if (this.ownsPools) await this.pools.close();
  }

  // ---- the pipeline

  private async dispatch(
    grant: AccessGrant,
    target: InstanceTarget,
    method: string,
    headers: Record<string, string | string[]>,
    body: string | Buffer | Uint8Array | Readable | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Dispatcher.ResponseData> {
    const res = await this.pools
      .get(target.origin)
      .request({ ...this.callOf(grant, target, method, headers, body), signal });
    this.meter(res.headers);
    return res;
  }

  /**
   * send()'s single attempt, through the pool's handler callbacks (raw-dispatch.ts): a path that
   * leaves the instance is refused before anything is sent.
   */
  private async sendOnce(
    grant: AccessGrant,
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: string | Buffer | Uint8Array | Readable | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RawAnswer> {
    const target = resolveOnOrigin(this.originOf(grant.instanceUrl), path);
    try {
      const call = this.callOf(grant, target, method, headers, body);
      const answer = await dispatchRaw(this.pools.get(target.origin), call, signal);
      this.meter(answer.headers);
      return answer;
    } catch (error) {
      throw transportFailureFrom(error);
    }
  }

  /**
   * One call's dispatch options, authenticated. The headers are the caller's own copy (request() and
   * send() build them): the token is set on it, not on another.
   */
  private callOf(
    grant: AccessGrant,
    target: InstanceTarget,
    method: string,
    headers: Record<string, string | string[]>,
    body: string | Buffer | Uint8Array | Readable | undefined,
  ): Dispatcher.DispatchOptions {
    headers.authorization = `Bearer ${grant.accessToken}`;
    if (this.options.callOptionsClient) headers["sforce-call-options"] ??= `client=${this.options.callOptionsClient}`;
    return {
      method: method as Dispatcher.HttpMethod,
      path: target.path,
      headers,
      body: body ?? null,
      headersTimeout: this.options.headersTimeoutMs ?? 600_000,
      bodyTimeout: this.options.bodyTimeoutMs ?? 120_000,
    };
  }

  /**
   * One new token after a 401. A failure that says something about the connection (it needs the
   * customer, or Salesforce is down) is worth more than the 401 and replaces it.
   */
  private async refreshAfter(grant: AccessGrant, rejection: SalesforceApiError): Promise<AccessGrant> {
    try {
      return await this.tokens.refreshAfterRejection(grant.accessToken);
    } catch (error) {
      // A connection that is gone or dead says so; anything else leaves the 401 as it was.
      if (error instanceof OAuthFailure || error instanceof UnknownConnectionError) throw error;
      throw rejection;
    }
  }

  private originOf(instanceUrl: string): string {
    if (this.instance.url !== instanceUrl) this.instance = { url: instanceUrl, origin: new URL(instanceUrl).origin };
    return this.instance.origin;
  }

  private meter(headers: ResponseHeaders): void {
    const onUsage = this.options.onUsage;
    if (!onUsage) return;
    const usage = parseLimitInfo(headers["sforce-limit-info"]);
    if (usage) onUsage(usage.used, usage.max);
  }

  private dice() {
    return { policy: this.policy, random: this.options.random ?? Math.random, now: (this.options.now ?? Date.now)() };
  }

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : delay(ms);
  }
}

async function readBody(res: Dispatcher.ResponseData): Promise<unknown> {
  const text = await res.body.text();
  if (text === "") return undefined;
  const type = header(res.headers, "content-type") ?? "";
  if (/^application\/json(;|$)/i.test(type)) return JSON.parse(text);
  return text;
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
