import type { SeedSpec } from "../control/specs.ts";
import { type RunningEmulator, startEmulator } from "../emulator.ts";
import type { OrgAdmin } from "../org/admin.ts";
import type { Org, OrgUrls } from "../org/org.ts";
import { buildOrg } from "../seed/build-org.ts";
import { DEMO_SEED } from "../seed/demo-seed.ts";

export interface DemoOrgOptions {
  /** The org to build; the demo org (DEMO_SEED) without generated records by default. */
  seed?: SeedSpec;
  /** Records to generate per object, in place of the seed's own `generate`. */
  generate?: Record<string, number>;
  /** First of the three ports (see startEmulator); free ports by default. */
  port?: number;
  /** Also serve the Pub/Sub API (change events), as `startEmulator`'s `pubsub` option. */
  pubsub?: NonNullable<Parameters<typeof startEmulator>[0]>["pubsub"];
}

export interface DemoOrg {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  /** The production login host (which alone serves the control surface), sandbox login host and My Domain. */
  urls: OrgUrls;
  /** A live API session for a user, opened directly (the OAuth flows are tested on their own). */
  token(username: string, scopes?: string[]): string;
  /** Calls the REST API on the My Domain host as a user; `path` is below /services/data/v67.0. */
  api(
    username: string,
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Calls the control surface `/__emulator{path}` on the production login host. */
  control(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The one way tests get an emulated org: builds it from a seed (the demo org by default) and
 * serves it on free loopback ports.
 */
export async function startDemoOrg(options: DemoOrgOptions = {}): Promise<DemoOrg> {
  const seed = options.seed ?? { ...DEMO_SEED, generate: {} };
  const { org, admin } = buildOrg(options.generate ? { ...seed, generate: options.generate } : seed);
  const emulator = await startEmulator({
    org,
    port: options.port ?? 0,
    ...(options.pubsub ? { pubsub: options.pubsub } : {}),
  });
  const tokens = new Map<string, string>();
  const token = (username: string, scopes = ["api", "refresh_token"]) => {
    const key = `${username} ${scopes.join(" ")}`;
    const existing = tokens.get(key);
    if (existing && org.sessions.peek(existing)) return existing;
    const user = org.userByUsername(username);
    if (!user) throw new Error(`no user ${username}`);
    const t = org.sessions.openSession(user.Id, null, scopes, null).accessToken;
    tokens.set(key, t);
    return t;
  };
  return {
    org,
    admin,
    emulator,
    urls: emulator.urls,
    token,
    api: (username, path, init = {}) =>
      fetch(`${emulator.urls.myDomain}/services/data/v67.0${path}`, {
        method: init.method ?? "GET",
        headers: {
          authorization: `Bearer ${token(username)}`,
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
        body:
          init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
      }),
    control: (path, init = {}) =>
      fetch(`${emulator.urls.login}/__emulator${path}`, {
        method: init.method ?? "GET",
        headers: init.body !== undefined ? { "content-type": "application/json" } : {},
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    close: () => emulator.close(),
  };
}
