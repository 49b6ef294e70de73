import { errorFrom, ForcelinkTransportError } from "./errors.ts";

export interface ForcelinkOptions {
  /** A project API key (fl_sk_…). */
  apiKey: string;
  /** Where the Forcelink server answers, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  /** A fetch of your own (a proxy agent, a test double); the global one by default. */
  fetch?: typeof fetch;
  /** Told of every API answer: the route as the OpenAPI document names it, and its status. */
  onResponse?: (answer: { method: string; route: string; status: number }) => void;
}

export type Query = Record<string, string | number | boolean | undefined | null>;
/** A body sent as is, with the content type given beside it. */
export type RawBody = string | Uint8Array | ReadableStream<Uint8Array>;

export interface Call {
  params?: Record<string, string>;
  query?: Query;
  /** JSON unless `contentType` is given, then sent as is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Appended to the filled route as is (the proxy's Salesforce path and query). */
  suffix?: string;
}

/** Builds a route's URL from its template (`/v1/connections/{id}`), and sends calls with the key. */
export class Transport {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #onResponse: ForcelinkOptions["onResponse"];

  constructor(options: ForcelinkOptions) {
    if (!options.apiKey) throw new TypeError("Forcelink needs an apiKey (a project key, fl_sk_…)");
    if (!/^https?:\/\//.test(options.baseUrl ?? ""))
      throw new TypeError("Forcelink needs a baseUrl such as http://127.0.0.1:4000");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#onResponse = options.onResponse;
  }

  /** Calls a route and answers its JSON body (undefined for 204); refusals throw ForcelinkError. */
  async json<T>(method: string, route: string, call: Call = {}): Promise<T> {
    const res = await this.send(method, route, call);
    const text = await res.text();
    if (!res.ok) throw errorFrom(res.status, text, res.headers.get("retry-after"));
    if (res.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new ForcelinkTransportError(`${method} ${route} answered ${res.status} with a body that is not JSON`, {
        cause,
      });
    }
  }

  /** Calls a route and hands back the answer as it came, whatever its status. */
  async send(method: string, route: string, call: Call = {}): Promise<Response> {
    const url = new URL(
      `${this.baseUrl}${fill(route.replace(/\/\{path\}$/, ""), call.params ?? {})}${call.suffix ?? ""}`,
    );
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${this.#apiKey}`, ...call.headers };
    let body: RequestInit["body"] | undefined;
    if (call.body !== undefined) {
      headers["content-type"] = call.contentType ?? "application/json";
      body = call.contentType ? (call.body as RequestInit["body"]) : JSON.stringify(call.body);
    }
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        body,
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (cause) {
      throw new ForcelinkTransportError(`Could not reach Forcelink at ${this.baseUrl}: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.#onResponse?.({ method, route, status: res.status });
    return res;
  }
}

/** `/v1/connections/{id}` with `{id: "conn_1"}`: each value escaped as one path segment. */
export function fill(route: string, params: Record<string, string>): string {
  return route.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") throw new TypeError(`${route} needs ${name}`);
    return encodeURIComponent(value);
  });
}
