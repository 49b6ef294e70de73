import type { SeedSpec } from "../../src/control/specs.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator.ts";
import type { OrgAdmin } from "../../src/org/admin.ts";
import type { Org } from "../../src/org/org.ts";
import { buildOrg } from "../../src/seed/build-org.ts";
import { DEMO_SEED } from "../../src/seed/demo-seed.ts";

export interface TestOrg {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  /** A live API session for a user, opened directly (the OAuth flows are tested on their own). */
  token(username: string, scopes?: string[]): string;
  /** Calls the REST API on the My Domain host as a user; `path` is below /services/data/v67.0. */
  api(
    username: string,
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  control(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts an emulator on free ports with the demo org (or another seed), without generated records. */
export async function startTestOrg(seed: SeedSpec = { ...DEMO_SEED, generate: {} }): Promise<TestOrg> {
  const { org, admin } = buildOrg(seed);
  const emulator = await startEmulator({ org, port: 0 });
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
