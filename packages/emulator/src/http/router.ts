import type { CallKind } from "../org/counters.ts";
import type { RequestContext } from "./context.ts";
import type { Reply } from "./reply.ts";

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface RouteOptions {
  /** Which counter the call goes to, and whether the API pipeline (auth, quota, faults) applies. */
  kind: CallKind;
  /** "api": bearer token, API access and quota checks. "none": the handler authenticates itself. */
  auth: "api" | "none";
}

export interface Route extends RouteOptions {
  methods: string[];
  pattern: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/**
 * Path patterns such as `/services/data/:version/sobjects/:object/:id`. Static segments match
 * case-insensitively (clients differ: jsforce asks for `unprocessedrecords`, others for
 * `unprocessedRecords`). `:version` only matches `vNN.N`; `*rest` matches the remainder.
 */
export class Router {
  readonly routes: Route[] = [];

  add(methods: string | string[], pattern: string, options: RouteOptions, handler: Handler): void {
    const keys: string[] = [];
    const source = pattern
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          keys.push(segment.slice(1));
          return segment === ":version" ? "(v\\d+\\.\\d)" : "([^/]+)";
        }
        if (segment.startsWith("*")) {
          keys.push(segment.slice(1));
          return "(.*)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({
      ...options,
      methods: Array.isArray(methods) ? methods : [methods],
      pattern,
      regex: new RegExp(`^${source}/?$`, "i"),
      keys,
      handler,
    });
  }

  /** Finds the route for a path; `allowed` lists the methods of routes whose path matched. */
  match(method: string, path: string): { found?: Match; allowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (!route.methods.includes(method)) {
        allowed.push(...route.methods);
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { found: { route, params }, allowed };
    }
    return { allowed };
  }
}
