import { startEmulator } from "@forcelink/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  introspectAsApp,
  type LifecycleHooks,
  MemoryCredentialStore,
  OAuthFailure,
  type ReauthReason,
  renewWithRefreshToken,
  SalesforceClient,
  TokenLifecycle,
  type TokenLifecycleOptions,
  type TokenRenewal,
  type TokenSet,
  type TransientFailureInfo,
  UnknownConnectionError,
} from "../src/index.ts";
import {
  APP,
  calls,
  connectUser,
  type DemoOrg,
  INTROSPECT_CALLS,
  startDemoOrg,
  TOKEN_CALLS,
} from "./support/demo-org.ts";

const HOUR = 3_600_000;
const MIN = 60_000;

let demo: DemoOrg;
beforeAll(async () => {
  demo = await startDemoOrg();
});
afterAll(async () => {
  await demo.close();
});
afterEach(() => {
  demo.org.faults.reset();
  demo.org.settings.sessionTimeoutSeconds = 7200;
});

/** Everything a hook reported, in order. */
function recorder() {
  const events: Array<{ hook: string; connectionId: string; detail?: unknown }> = [];
  const hooks: LifecycleHooks = {
    onRefreshed: (connectionId, detail) => void events.push({ hook: "refreshed", connectionId, detail }),
    onTerminalFailure: (connectionId, detail) => void events.push({ hook: "terminal", connectionId, detail }),
    onTransientFailure: (connectionId, detail) => void events.push({ hook: "transient", connectionId, detail }),
    onRecovered: (connectionId, detail) => void events.push({ hook: "recovered", connectionId, detail }),
    onConfigurationFailure: (connectionId, detail) => void events.push({ hook: "configuration", connectionId, detail }),
  };
  return { events, hooks, count: (hook: string) => events.filter((e) => e.hook === hook).length };
}

/** A lifecycle on the emulator's clock, as a process of the server would build it. */
function lifecycle(store: MemoryCredentialStore, options: Partial<TokenLifecycleOptions> = {}): TokenLifecycle {
  return new TokenLifecycle({
    store,
    renew: renewWithRefreshToken({ ...APP, hosts: demo.hosts }),
    now: () => demo.org.clock.now(),
    leasePollMs: 10,
    attemptBackoff: { baseDelayMs: 1, maxDelayMs: 5 },
    roundBackoff: { baseDelayMs: 1, maxDelayMs: 1 },
    ...options,
  });
}

function storeOnOrgClock(): MemoryCredentialStore {
  return new MemoryCredentialStore({ now: () => demo.org.clock.now() });
}

function api(lc: TokenLifecycle, connectionId: string): SalesforceClient {
  return new SalesforceClient({ tokens: lc.tokenProvider(connectionId), sleep: async () => {} });
}

describe("single flight", () => {
  it("makes exactly one token call for concurrent callers at expiry", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const lc = lifecycle(store, { hooks: rec.hooks });
    const connected = await connectUser(demo);
    await lc.adopt("c-single", connected);
    demo.org.clock.advance(2 * HOUR);
    const before = calls(demo.org, TOKEN_CALLS);
    const grants = await Promise.all(Array.from({ length: 20 }, () => lc.current("c-single")));
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(1);
    expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
    expect(grants[0].accessToken).not.toBe(connected.accessToken);
    expect(rec.count("refreshed")).toBe(1);
    // The refreshed token works, and the refresh token was kept (no rotation).
    await api(lc, "c-single").limits();
    expect((await store.read("c-single"))?.refreshToken).toBe(connected.refreshToken);
  });

  it("makes exactly one token call for two processes sharing the store", async () => {
    const store = storeOnOrgClock();
    const one = lifecycle(store, { processName: "one" });
    const two = lifecycle(store, { processName: "two" });
    const connected = await connectUser(demo);
    await one.adopt("c-shared", connected);
    await two.current("c-shared");
    demo.org.clock.advance(2 * HOUR);
    const before = calls(demo.org, TOKEN_CALLS);
    const grants = await Promise.all([
      ...Array.from({ length: 5 }, () => one.current("c-shared")),
      ...Array.from({ length: 5 }, () => two.current("c-shared")),
    ]);
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(1);
    expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
    expect(store.leaseHolder("c-shared")).toBeUndefined();
  });

  it("uses a token another process already obtained after a 401, without a token call", async () => {
    const store = storeOnOrgClock();
    const one = lifecycle(store, { processName: "one" });
    const two = lifecycle(store, { processName: "two" });
    const connected = await connectUser(demo);
    await one.adopt("c-401", connected);
    const old = await two.current("c-401");
    demo.org.sessions.expireAll((s) => s.accessToken === old.accessToken);
    const fresh = await one.refreshAfterRejection("c-401", old.accessToken);
    const before = calls(demo.org, TOKEN_CALLS);
    const seen = await two.refreshAfterRejection("c-401", old.accessToken);
    expect(seen.accessToken).toBe(fresh.accessToken);
    expect(calls(demo.org, TOKEN_CALLS)).toBe(before);
  });
});

describe("expiry without expires_in", () => {
  it("introspects once per new token, never per request, and learns the org's timeout", async () => {
    demo.org.settings.sessionTimeoutSeconds = 30 * 60;
    const store = storeOnOrgClock();
    const lc = lifecycle(store, {
      introspect: introspectAsApp({ clientId: APP.clientId, clientSecret: APP.clientSecret }),
    });
    const before = calls(demo.org, INTROSPECT_CALLS);
    await lc.adopt("c-intro", await connectUser(demo));
    const stored = await store.read("c-intro");
    expect(stored?.sessionTimeoutMs).toBeGreaterThan(29 * MIN);
    expect(stored?.sessionTimeoutMs).toBeLessThanOrEqual(30 * MIN);
    const sf = api(lc, "c-intro");
    for (let i = 0; i < 10; i++) await sf.limits();
    expect(calls(demo.org, INTROSPECT_CALLS) - before).toBe(1);

    // Idle past the learned timeout (minus the margin): refreshed ahead, no 401 on the way.
    demo.org.clock.advance(26 * MIN);
    const tokensBefore = calls(demo.org, TOKEN_CALLS);
    const limitsBefore = calls(demo.org, "GET /services/data/:version/limits");
    await sf.limits();
    expect(calls(demo.org, TOKEN_CALLS) - tokensBefore).toBe(1);
    expect(calls(demo.org, "GET /services/data/:version/limits") - limitsBefore).toBe(1);
    expect(calls(demo.org, INTROSPECT_CALLS) - before).toBe(2);
  });

  it("slides the estimate with use, as Salesforce slides the session", async () => {
    demo.org.settings.sessionTimeoutSeconds = 30 * 60;
    const lc = lifecycle(storeOnOrgClock(), {
      introspect: introspectAsApp({ clientId: APP.clientId, clientSecret: APP.clientSecret }),
    });
    await lc.adopt("c-slide", await connectUser(demo));
    const sf = api(lc, "c-slide");
    const before = calls(demo.org, TOKEN_CALLS);
    for (let i = 0; i < 4; i++) {
      demo.org.clock.advance(20 * MIN);
      await sf.limits();
    }
    expect(calls(demo.org, TOKEN_CALLS)).toBe(before);
  });

  it("assumes two hours without introspection, and the 401 is the backstop when the org's is shorter", async () => {
    demo.org.settings.sessionTimeoutSeconds = 15 * 60;
    const lc = lifecycle(storeOnOrgClock());
    await lc.adopt("c-assume", await connectUser(demo));
    const sf = api(lc, "c-assume");
    demo.org.clock.advance(16 * MIN);
    const before = calls(demo.org, TOKEN_CALLS);
    await sf.limits();
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(1);
    demo.org.clock.advance(2 * HOUR - 4 * MIN);
    await lc.current("c-assume");
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(2);
  });
});

describe("terminal failures", () => {
  it("reports a revoked grant once, records it, and makes no further token calls", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const one = lifecycle(store, { hooks: rec.hooks, processName: "one" });
    const two = lifecycle(store, { hooks: rec.hooks, processName: "two" });
    const connected = await connectUser(demo);
    await one.adopt("c-revoked", connected);
    demo.org.sessions.revokeAllFor((g) => g.refreshToken === connected.refreshToken);

    const sf = api(one, "c-revoked");
    const first = await sf.limits().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OAuthFailure);
    expect((first as OAuthFailure).kind).toBe("terminal");
    expect(rec.count("terminal")).toBe(1);
    const reason = rec.events.find((e) => e.hook === "terminal")?.detail as ReauthReason;
    expect(reason).toMatchObject({
      error: "invalid_grant",
      description: "expired access/refresh token",
      checklistItem: "refresh-token-policy",
    });
    expect((await store.read("c-revoked"))?.needsReauth?.error).toBe("invalid_grant");

    const before = calls(demo.org, TOKEN_CALLS);
    for (let i = 0; i < 3; i++) {
      await expect(one.current("c-revoked")).rejects.toBeInstanceOf(OAuthFailure);
      await expect(one.refreshAfterRejection("c-revoked", connected.accessToken)).rejects.toBeInstanceOf(OAuthFailure);
      await expect(two.current("c-revoked")).rejects.toMatchObject({ kind: "terminal" });
    }
    demo.org.clock.advance(3 * HOUR);
    await expect(one.current("c-revoked")).rejects.toMatchObject({ kind: "terminal" });
    expect(calls(demo.org, TOKEN_CALLS)).toBe(before);
    expect(rec.count("terminal")).toBe(1);
  });

  it("comes back to life when the customer reconnects through another process", async () => {
    const store = storeOnOrgClock();
    const one = lifecycle(store, { processName: "one" });
    const two = lifecycle(store, { processName: "two" });
    const connected = await connectUser(demo);
    await one.adopt("c-reconnect", connected);
    demo.org.sessions.revokeAllFor((g) => g.refreshToken === connected.refreshToken);
    await expect(one.refreshAfterRejection("c-reconnect", connected.accessToken)).rejects.toMatchObject({
      kind: "terminal",
    });
    await two.adopt("c-reconnect", await connectUser(demo));
    await api(one, "c-reconnect").limits();
  });

  it("does not mark the connection dead when the app's secret is wrong", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const lc = lifecycle(store, {
      hooks: rec.hooks,
      renew: renewWithRefreshToken({ clientId: APP.clientId, clientSecret: "rotated-away" }),
    });
    await lc.adopt("c-config", await connectUser(demo));
    demo.org.clock.advance(2 * HOUR);
    const before = calls(demo.org, TOKEN_CALLS);
    const grant = await lc.current("c-config");
    expect(grant.accessToken).toBeTruthy(); // the old token is still offered: a 401 will tell
    await expect(lc.refreshAfterRejection("c-config", grant.accessToken)).rejects.toMatchObject({
      error: "invalid_client",
      kind: "configuration",
    });
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(1);
    expect(rec.count("configuration")).toBe(1);
    expect(rec.count("terminal")).toBe(0);
    expect((await store.read("c-config"))?.needsReauth).toBeUndefined();
  });
});

describe("transient failures", () => {
  it("backs off through 503s on the token endpoint, then reports the recovery once", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const lc = lifecycle(store, { hooks: rec.hooks, refreshAttempts: 2 });
    const connected = await connectUser(demo);
    await lc.adopt("c-503", connected);
    demo.org.clock.advance(2 * HOUR);
    demo.org.faults.configure({ errorRate: 1, errorStatus: 503, pathContains: "/oauth2/token" });

    const before = calls(demo.org, TOKEN_CALLS);
    // Refreshing ahead failed: the old token is still offered rather than failing the caller.
    expect((await lc.current("c-503")).accessToken).toBe(connected.accessToken);
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(2);
    expect(rec.count("transient")).toBe(1);
    const info = rec.events.find((e) => e.hook === "transient")?.detail as TransientFailureInfo;
    expect(info).toMatchObject({ error: "server_error", status: 503, failures: 1 });

    // Salesforce says the token is dead: now the transient failure reaches the caller.
    await expect(lc.refreshAfterRejection("c-503", connected.accessToken)).rejects.toMatchObject({ kind: "transient" });
    expect(rec.count("transient")).toBe(2);
    expect((await store.read("c-503"))?.refreshFailing?.failures).toBe(2);
    expect((await store.read("c-503"))?.needsReauth).toBeUndefined();

    demo.org.faults.reset();
    const healed = await lc.current("c-503");
    expect(healed.accessToken).not.toBe(connected.accessToken);
    expect(rec.count("recovered")).toBe(1);
    expect(rec.events.find((e) => e.hook === "recovered")?.detail).toMatchObject({ failures: 2 });
    expect((await store.read("c-503"))?.refreshFailing).toBeUndefined();

    demo.org.clock.advance(2 * HOUR);
    await lc.current("c-503");
    expect(rec.count("refreshed")).toBe(2);
    expect(rec.count("recovered")).toBe(1);
  });

  it("waits out the shared backoff instead of calling the token endpoint again", async () => {
    const store = storeOnOrgClock();
    const lc = lifecycle(store, {
      refreshAttempts: 1,
      roundBackoff: { baseDelayMs: 10 * MIN, maxDelayMs: 10 * MIN },
      random: () => 0.5,
    });
    const connected = await connectUser(demo);
    await lc.adopt("c-cool", connected);
    demo.org.clock.advance(2 * HOUR);
    demo.org.faults.configure({ errorRate: 1, errorStatus: 500, pathContains: "/oauth2/token" });
    const before = calls(demo.org, TOKEN_CALLS);
    await lc.current("c-cool");
    // Inside the five-minute window nobody calls again: not this process, not another one.
    const other = lifecycle(store);
    for (let i = 0; i < 5; i++) {
      expect((await lc.current("c-cool")).accessToken).toBe(connected.accessToken);
      expect((await other.current("c-cool")).accessToken).toBe(connected.accessToken);
    }
    for (let i = 0; i < 5; i++) {
      await expect(lc.refreshAfterRejection("c-cool", connected.accessToken)).rejects.toMatchObject({
        kind: "transient",
      });
      await expect(other.refreshAfterRejection("c-cool", connected.accessToken)).rejects.toMatchObject({
        kind: "transient",
      });
      await expect(lc.current("c-cool")).rejects.toMatchObject({ kind: "transient" });
    }
    expect(calls(demo.org, TOKEN_CALLS) - before).toBe(1);
  });
});

describe("what a refresh re-captures", () => {
  it("follows the org to a new instance URL", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const lc = lifecycle(store, { hooks: rec.hooks });
    const connected = await connectUser(demo);
    await lc.adopt("c-moved", connected);
    // A second set of hosts for the same org: Salesforce now answers with a new instance_url.
    const moved = await startEmulator({ org: demo.org, port: 0 });
    try {
      demo.org.clock.advance(2 * HOUR);
      const grant = await lc.current("c-moved");
      expect(grant.instanceUrl).toBe(moved.urls.myDomain);
      expect(grant.instanceUrl).not.toBe(connected.instanceUrl);
      expect((await store.read("c-moved"))?.instanceUrl).toBe(moved.urls.myDomain);
      expect(rec.events.find((e) => e.hook === "refreshed")?.detail).toMatchObject({ instanceUrlChanged: true });
      await api(lc, "c-moved").limits();
    } finally {
      demo.org.urls = demo.emulator.urls;
      await moved.close();
    }
  });

  it("keeps a rotated refresh token", async () => {
    const store = storeOnOrgClock();
    const rec = recorder();
    const lc = lifecycle(store, { hooks: rec.hooks });
    const connected = await connectUser(demo);
    await lc.adopt("c-rotate", connected);
    demo.admin.updateApp(demo.appId, { rotateRefreshTokens: true });
    try {
      demo.org.clock.advance(2 * HOUR);
      await lc.current("c-rotate");
      const rotated = (await store.read("c-rotate"))?.refreshToken;
      expect(rotated).toBeTruthy();
      expect(rotated).not.toBe(connected.refreshToken);
      expect(rec.events.find((e) => e.hook === "refreshed")?.detail).toMatchObject({ refreshTokenRotated: true });
      demo.org.clock.advance(2 * HOUR);
      await api(lc, "c-rotate").limits();
    } finally {
      demo.admin.updateApp(demo.appId, { rotateRefreshTokens: false });
    }
  });
});

describe("the lease, on a fake clock", () => {
  const tokenSet = (n: number, at: number): TokenSet => ({
    accessToken: `00D000000000001!token-${n}`,
    refreshToken: "5Aep-refresh",
    instanceUrl: "https://acme.my.salesforce.com",
    identityUrl: "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
    orgId: "00D000000000001AAA",
    userId: "005000000000001AAA",
    scopes: ["api", "refresh_token"],
    issuedAt: at,
    signature: "",
  });

  function fakeWorld() {
    let now = 1_000_000;
    let issued = 0;
    const renewals: number[] = [];
    const renew: TokenRenewal = async () => {
      renewals.push(now);
      return tokenSet(++issued, now);
    };
    const store = new MemoryCredentialStore({ now: () => now });
    const make = (extra: Partial<TokenLifecycleOptions> = {}) =>
      new TokenLifecycle({
        store,
        renew,
        now: () => now,
        leaseTtlMs: 5_000,
        leasePollMs: 100,
        sleep: async (ms) => {
          now += ms;
        },
        ...extra,
      });
    return {
      store,
      renewals,
      make,
      advance: (ms: number) => {
        now += ms;
      },
      now: () => now,
    };
  }

  it("waits for a lease held by a crashed process to expire, then refreshes", async () => {
    const world = fakeWorld();
    const lc = world.make();
    await lc.adopt("c1", tokenSet(0, world.now()));
    world.advance(2 * HOUR);
    await world.store.tryAcquireLease("c1", "crashed-process", 5_000);
    const start = world.now();
    const grant = await lc.current("c1");
    expect(grant.accessToken).toBe("00D000000000001!token-1");
    expect(world.renewals.length).toBe(1);
    expect(world.now() - start).toBeGreaterThanOrEqual(5_000);
  });

  it("does not refresh again when the lease holder wrote new credentials meanwhile", async () => {
    const world = fakeWorld();
    const lc = world.make();
    await lc.adopt("c1", tokenSet(0, world.now()));
    world.advance(2 * HOUR);
    await world.store.tryAcquireLease("c1", "other-process", 5_000);
    const creds = await world.store.read("c1");
    if (!creds) throw new Error("adopted credentials missing");
    await world.store.write(
      "c1",
      { ...creds, accessToken: "00D000000000001!from-other", issuedAt: world.now(), obtainedAt: world.now() },
      "other-process",
    );
    const grant = await lc.current("c1");
    expect(grant.accessToken).toBe("00D000000000001!from-other");
    expect(world.renewals.length).toBe(0);
  });

  it("does not mistake a grant another process rotated meanwhile for a dead one", async () => {
    const world = fakeWorld();
    const rec = recorder();
    const lc = world.make({
      hooks: rec.hooks,
      renew: async () => {
        // This call outlived the lease; another process took it and rotated the refresh token.
        world.advance(6_000);
        expect(await world.store.tryAcquireLease("c1", "other-process", 5_000)).toBe(true);
        const creds = await world.store.read("c1");
        if (!creds) throw new Error("adopted credentials missing");
        const rotated = { ...creds, accessToken: "00D000000000001!rotated", refreshToken: "5Aep-new" };
        expect(await world.store.write("c1", { ...rotated, obtainedAt: world.now() }, "other-process")).toBe("won");
        throw new OAuthFailure("invalid_grant", "expired access/refresh token", 400);
      },
    });
    await lc.adopt("c1", tokenSet(0, world.now()));
    world.advance(2 * HOUR);
    expect((await lc.current("c1")).accessToken).toBe("00D000000000001!rotated");
    expect(rec.count("terminal")).toBe(0);
    expect((await world.store.read("c1"))?.needsReauth).toBeUndefined();
  });

  it("loses its write when its lease was taken over during the token call, and uses the winner's tokens", async () => {
    const world = fakeWorld();
    let issued = 0;
    const lc = world.make({
      renew: async () => {
        // The token call (and introspection) outlast the 5 s lease: another process takes it over
        // and stores the tokens it obtained.
        world.advance(6_000);
        expect(await world.store.tryAcquireLease("c1", "other-process", 5_000)).toBe(true);
        const creds = await world.store.read("c1");
        if (!creds) throw new Error("adopted credentials missing");
        const theirs = { ...creds, accessToken: "00D000000000001!winner", obtainedAt: world.now() };
        expect(await world.store.write("c1", theirs, "other-process")).toBe("won");
        return tokenSet(++issued, world.now());
      },
    });
    await lc.adopt("c1", tokenSet(0, world.now()));
    world.advance(2 * HOUR);
    const grant = await lc.current("c1");
    expect(grant.accessToken).toBe("00D000000000001!winner");
    expect((await world.store.read("c1"))?.accessToken).toBe("00D000000000001!winner");
    // The lifecycle remembers the winner's token too: the next caller gets it without a token call.
    expect((await lc.current("c1")).accessToken).toBe("00D000000000001!winner");
    expect(issued).toBe(1);
  });

  it("rejects callers of an unknown connection", async () => {
    const world = fakeWorld();
    await expect(world.make().current("missing")).rejects.toBeInstanceOf(UnknownConnectionError);
  });

  it("keeps going when a hook throws", async () => {
    const world = fakeWorld();
    const errors: unknown[] = [];
    const lc = world.make({
      hooks: {
        onRefreshed: () => {
          throw new Error("webhook down");
        },
        onHookError: (e) => void errors.push(e),
      },
    });
    await lc.adopt("c1", tokenSet(0, world.now()));
    world.advance(2 * HOUR);
    expect((await lc.current("c1")).accessToken).toBe("00D000000000001!token-1");
    expect(errors.length).toBe(1);
  });
});
