import { errorFrom, ForcelinkError, ForcelinkTransportError } from "./errors.ts";
import {
  Activity,
  ApiKeys,
  Connections,
  ConnectSessions,
  Integrations,
  ProviderApps,
  Subscriptions,
  Syncs,
  Webhooks,
  Writes,
} from "./resources.ts";
import { type Call, type ForcelinkOptions, type Query, type RawBody, Transport } from "./transport.ts";

const PROXY_ROUTE = "/v1/connections/{id}/proxy/{path}";

export interface ProxyInit {
  method?: string;
  /** The Salesforce path's query, added to any query already in `path`. */
  query?: Query;
  headers?: Record<string, string>;
  /** An object goes as JSON; a string, bytes or a stream as they are (say which in `headers`). */
  body?: RawBody | Record<string, unknown> | unknown[];
}

/**
 * The Forcelink API from Node: `new Forcelink({ baseUrl, apiKey })`, then one group per resource.
 * Refusals throw ForcelinkError with the API's `code`, `remedy` and `check`.
 */
export class Forcelink {
  readonly activity: Activity;
  readonly apiKeys: ApiKeys;
  readonly providerApps: ProviderApps;
  readonly connectSessions: ConnectSessions;
  readonly connections: Connections;
  readonly integrations: Integrations;
  readonly subscriptions: Subscriptions;
  readonly syncs: Syncs;
  readonly webhooks: Webhooks;
  readonly writes: Writes;
  readonly #transport: Transport;

  constructor(options: ForcelinkOptions) {
    const t = new Transport(options);
    this.#transport = t;
    this.activity = new Activity(t);
    this.apiKeys = new ApiKeys(t);
    this.providerApps = new ProviderApps(t);
    this.connectSessions = new ConnectSessions(t);
    this.connections = new Connections(t);
    this.integrations = new Integrations(t);
    this.subscriptions = new Subscriptions(t);
    this.syncs = new Syncs(t);
    this.webhooks = new Webhooks(t);
    this.writes = new Writes(t);
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /**
   * Any route by its template, for a route newer than this SDK: `request("GET", "/v1/connections/{id}",
   * { params: { id } })`. Answers the JSON body (undefined for 204); refusals throw ForcelinkError.
   */
  request<T = unknown>(method: string, route: string, call: Call = {}): Promise<T> {
    return this.#transport.json<T>(method, route, call);
  }

  /** The server's OpenAPI document. */
  openapi(): Promise<Record<string, unknown>> {
    return this.#transport.json("GET", "/v1/openapi.json");
  }

  /**
   * A raw Salesforce call on the connection's org, with its token: `path` is the Salesforce path
   * (`/services/data/v62.0/query?q=…`). Salesforce's answer comes back as it was, whatever its
   * status; Forcelink's own refusals (an unknown connection, one that needs re-auth) too.
   */
  proxy(connectionId: string, path: string, init: ProxyInit = {}): Promise<Response> {
    if (!path.startsWith("/")) throw new TypeError(`The proxied path must start with /: ${path}`);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== null) query.set(k, String(v));
    const suffix = query.size > 0 ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path;
    const isRaw =
      typeof init.body === "string" || init.body instanceof Uint8Array || init.body instanceof ReadableStream;
    const contentType = init.headers?.["content-type"] ?? (isRaw ? "application/octet-stream" : undefined);
    return this.#transport.send(init.method ?? "GET", PROXY_ROUTE, {
      params: { id: connectionId },
      suffix,
      body: init.body,
      contentType,
      headers: init.headers,
    });
  }

  /**
   * The proxy's answer as JSON. A refusal throws ForcelinkError: Forcelink's own with its code,
   * Salesforce's with its errorCode, its body in `details`, and the check Forcelink named for it.
   */
  async proxyJson<T = unknown>(connectionId: string, path: string, init: ProxyInit = {}): Promise<T> {
    const res = await this.proxy(connectionId, path, init);
    const text = await res.text();
    if (!res.ok) throw proxyError(res, text);
    try {
      return (text === "" ? undefined : JSON.parse(text)) as T;
    } catch (cause) {
      throw new ForcelinkTransportError(`Salesforce answered ${res.status} with a body that is not JSON`, { cause });
    }
  }
}

function proxyError(res: Response, text: string): ForcelinkError {
  const own = errorFrom(res.status, text, res.headers.get("retry-after"));
  if (!own.code.startsWith("http_")) return own;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Salesforce answered text: kept as is in details.
  }
  const first = (Array.isArray(body) ? body[0] : body) as { errorCode?: string; message?: string } | undefined;
  const checkId = res.headers.get("forcelink-check");
  const remedy = res.headers.get("forcelink-remedy");
  return new ForcelinkError(res.status, {
    code: first?.errorCode ?? "salesforce_error",
    message: first?.message ?? `Salesforce answered ${res.status}`,
    details: body,
    ...(checkId ? { check: { id: checkId, remedy: remedy ? (JSON.parse(remedy) as string[]) : [] } } : {}),
  });
}
