import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { CredentialStore, ReauthReason, StoredCredentials } from "./credential-store.ts";
import { OAuthFailure } from "./oauth/oauth-failure.ts";
import type { TokenSet } from "./oauth/token-set.ts";
import { backoffDelay } from "./retry.ts";
import { dueForRefresh, type ExpiryRules, learnedSessionTimeout } from "./token-expiry.ts";
import type { AccessGrant, TokenProvider } from "./token-provider.ts";
import type { Introspector, TokenRenewal } from "./token-renewal.ts";

export interface RefreshedInfo {
  instanceUrl: string;
  instanceUrlChanged: boolean;
  refreshTokenRotated: boolean;
  scopes: string[];
}

export interface TransientFailureInfo {
  error: string;
  description: string;
  status: number;
  /** Consecutive failed refresh rounds, across processes. */
  failures: number;
  since: number;
  nextAttemptAt: number;
}

/** Reports, never decisions: a hook that throws does not change what the lifecycle does. */
export interface LifecycleHooks {
  onRefreshed?(connectionId: string, info: RefreshedInfo): void | Promise<void>;
  /** Once per dead grant, in whichever process found it: the connection needs the customer. */
  onTerminalFailure?(connectionId: string, reason: ReauthReason): void | Promise<void>;
  onTransientFailure?(connectionId: string, info: TransientFailureInfo): void | Promise<void>;
  /** Once, by the refresh that succeeds after transient failures. */
  onRecovered?(connectionId: string, info: { failingSince: number; failures: number }): void | Promise<void>;
  /** The app itself is misconfigured (wrong secret, flow disabled): no retry until it is fixed. */
  onConfigurationFailure?(connectionId: string, failure: OAuthFailure): void | Promise<void>;
  onHookError?(error: unknown): void;
}

export interface TokenLifecycleOptions {
  store: CredentialStore;
  renew: TokenRenewal;
  /** Given when the app may introspect its tokens: learns the session timeout once per token. */
  introspect?: Introspector;
  hooks?: LifecycleHooks;
  now?: () => number;
  /** Assumed session timeout when introspection cannot tell; default 2 h (Salesforce's default). */
  sessionTimeoutMs?: number;
  /** Refresh this long before the estimated expiry; default 5 min. */
  refreshMarginMs?: number;
  /** How long one process may hold a connection's refresh lease; default 60 s, above a token call's timeout. */
  leaseTtlMs?: number;
  /** How often a process waiting for another's refresh looks at the store; default 100 ms. */
  leasePollMs?: number;
  /** Token calls per refresh round before the round counts as failed; default 3. */
  refreshAttempts?: number;
  /** Backoff between the attempts of one round. */
  attemptBackoff?: { baseDelayMs: number; maxDelayMs: number };
  /** Backoff between failed rounds, shared through the store. */
  roundBackoff?: { baseDelayMs: number; maxDelayMs: number };
  /** How long an app misconfiguration is believed before the next try; default 60 s. */
  configurationCooldownMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Names this process in lease owners (a host name, a worker id). */
  processName?: string;
}

/** No credentials exist for the connection: it was never connected or has been deleted. */
export class UnknownConnectionError extends Error {
  override readonly name = "UnknownConnectionError";
  readonly connectionId: string;
  constructor(connectionId: string) {
    super(`no credentials are stored for connection ${connectionId}`);
    this.connectionId = connectionId;
  }
}

interface ConnectionState {
  creds: StoredCredentials;
  lastUsedAt?: number;
  /** Access tokens Salesforce answered 401 for. */
  rejected: Set<string>;
  /** No refresh before this (a transient or configuration failure is cooling down). */
  retryNotBefore?: number;
  lastFailure?: OAuthFailure;
}

/**
 * Keeps each connection's access token alive, with storage injected.
 *
 * - Expiry is learned without `expires_in`: introspection once per new token when the app may,
 *   otherwise an assumed session timeout, slid forward by use. Tokens are refreshed ahead of
 *   that estimate, and a 401 from the API is the backstop.
 * - One refresh per connection at a time: callers in this process share one promise; processes
 *   share a lease in the store, and whoever wins it re-reads the credentials first, because the
 *   previous holder may have refreshed already.
 * - `invalid_grant` and kin are terminal: recorded in the store, reported once, never retried.
 *   Network errors and 5xx are transient: backoff, reported, and recovery reported once.
 */
export class TokenLifecycle {
  private readonly store: CredentialStore;
  private readonly options: TokenLifecycleOptions;
  private readonly rules: ExpiryRules;
  private readonly processName: string;
  private readonly states = new Map<string, ConnectionState>();
  private readonly loading = new Map<string, Promise<ConnectionState>>();
  private readonly inflight = new Map<string, Promise<StoredCredentials>>();

  constructor(options: TokenLifecycleOptions) {
    this.options = options;
    this.store = options.store;
    this.rules = {
      defaultSessionTimeoutMs: options.sessionTimeoutMs ?? 2 * 3_600_000,
      refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
    };
    this.processName = options.processName ?? `pid${process.pid}`;
  }

  /** The seam the API client uses for one connection. */
  tokenProvider(connectionId: string): TokenProvider {
    return {
      current: () => this.current(connectionId),
      currentNow: () => this.currentNow(connectionId),
      refreshAfterRejection: (rejected) => this.refreshAfterRejection(connectionId, rejected),
    };
  }

  /** A token to call with now: the cached one, or a refreshed one when it is about to expire. */
  async current(connectionId: string): Promise<AccessGrant> {
    const state = await this.state(connectionId);
    if (state.creds.needsReauth) throw reauthFailure(state.creds.needsReauth);
    const now = this.now();
    const usable = !state.rejected.has(state.creds.accessToken);
    if (usable && !dueForRefresh(state.creds, state.lastUsedAt, now, this.rules)) return this.use(state);
    if (state.retryNotBefore !== undefined && now < state.retryNotBefore) {
      // Refreshing is cooling down; the old token may well still work, and a 401 will tell.
      if (usable) return this.use(state);
      throw state.lastFailure ?? new OAuthFailure("temporarily_unavailable", "refresh is backing off", 0);
    }
    try {
      return this.use(this.remember(connectionId, await this.refresh(connectionId, state.creds.accessToken)));
    } catch (error) {
      if (usable && error instanceof OAuthFailure && error.kind !== "terminal") return this.use(state);
      throw error;
    }
  }

  /** current()'s answer when it needs no waiting: a known, usable token not due for refresh; otherwise undefined. */
  currentNow(connectionId: string): AccessGrant | undefined {
    const state = this.states.get(connectionId);
    if (!state || state.creds.needsReauth || state.rejected.has(state.creds.accessToken)) return undefined;
    if (dueForRefresh(state.creds, state.lastUsedAt, this.now(), this.rules)) return undefined;
    return this.use(state);
  }

  /**
   * After Salesforce answered 401 for `rejectedToken`: a token another caller already obtained
   * if there is one, otherwise a refresh. Called once per request, never in a loop.
   */
  async refreshAfterRejection(connectionId: string, rejectedToken: string): Promise<AccessGrant> {
    const state = await this.state(connectionId);
    state.rejected.add(rejectedToken);
    if (state.creds.needsReauth) throw reauthFailure(state.creds.needsReauth);
    if (!state.rejected.has(state.creds.accessToken)) return this.use(state);
    if (state.retryNotBefore !== undefined && this.now() < state.retryNotBefore) {
      // Another process may have succeeded meanwhile: one read is cheap, a token call is not.
      const stored = await this.store.read(connectionId);
      if (stored && !stored.needsReauth && !state.rejected.has(stored.accessToken))
        return this.use(this.remember(connectionId, stored));
      throw state.lastFailure ?? new OAuthFailure("temporarily_unavailable", "refresh is backing off", 0);
    }
    return this.use(this.remember(connectionId, await this.refresh(connectionId, rejectedToken)));
  }

  /**
   * Stores the tokens of a new (or renewed) connection, e.g. from the connect callback. Takes the
   * lease, so a refresh still running elsewhere with the old grant cannot overwrite them.
   */
  async adopt(connectionId: string, tokens: TokenSet): Promise<void> {
    const owner = this.owner();
    const deadline = this.now() + 3 * this.leaseTtl;
    while (!(await this.store.tryAcquireLease(connectionId, owner, this.leaseTtl))) {
      if (this.now() > deadline)
        throw new OAuthFailure("temporarily_unavailable", "the connection's refresh lease stayed taken", 0);
      await this.sleep(this.options.leasePollMs ?? 100);
    }
    try {
      const creds = await this.withLearnedTimeout(credentialsFrom(tokens, this.now()));
      // Lost only when introspection outlasted the lease and another process took it: these
      // tokens are newer than anything it holds, so take the lease back and write them again.
      while ((await this.store.write(connectionId, creds, owner)) === "lost") {
        if (this.now() > deadline)
          throw new OAuthFailure("temporarily_unavailable", "the connection's refresh lease stayed taken", 0);
        await this.sleep(this.options.leasePollMs ?? 100);
        await this.store.tryAcquireLease(connectionId, owner, this.leaseTtl);
      }
      this.remember(connectionId, creds);
    } finally {
      await this.store.releaseLease(connectionId, owner);
    }
  }

  /** Drops what this process remembers about a connection (after it is deleted elsewhere). */
  forget(connectionId: string): void {
    this.states.delete(connectionId);
  }

  // ---- refresh: single flight in the process, lease across processes

  private refresh(connectionId: string, viewToken: string): Promise<StoredCredentials> {
    const running = this.inflight.get(connectionId);
    if (running) return running;
    const promise = this.refreshAcrossProcesses(connectionId, viewToken).finally(() =>
      this.inflight.delete(connectionId),
    );
    this.inflight.set(connectionId, promise);
    return promise;
  }

  private async refreshAcrossProcesses(connectionId: string, viewToken: string): Promise<StoredCredentials> {
    const owner = this.owner();
    const startedAt = this.now();
    const deadline = startedAt + 3 * this.leaseTtl;
    for (;;) {
      if (await this.store.tryAcquireLease(connectionId, owner, this.leaseTtl)) {
        try {
          return await this.refreshUnderLease(connectionId, owner, viewToken);
        } finally {
          await this.store.releaseLease(connectionId, owner);
        }
      }
      // Another process is refreshing: wait for what it writes, or for its lease to lapse.
      await this.sleep(this.options.leasePollMs ?? 100);
      const stored = await this.store.read(connectionId);
      if (!stored) throw new UnknownConnectionError(connectionId);
      const settled = this.settledByOthers(connectionId, stored, viewToken, startedAt);
      if (settled) return settled;
      if (this.now() > deadline)
        throw new OAuthFailure("temporarily_unavailable", "another process held the refresh lease too long", 0);
    }
  }

  /** What the store says another process concluded since we started waiting, if anything. */
  private settledByOthers(
    connectionId: string,
    stored: StoredCredentials,
    viewToken: string,
    since: number,
  ): StoredCredentials | undefined {
    if (stored.needsReauth) {
      this.remember(connectionId, stored);
      throw reauthFailure(stored.needsReauth);
    }
    if (stored.accessToken !== viewToken && this.freshFromStore(connectionId, stored))
      return this.remember(connectionId, stored).creds;
    const failing = stored.refreshFailing;
    if (failing && failing.lastAt >= since) {
      const state = this.remember(connectionId, stored);
      state.retryNotBefore = failing.nextAttemptAt;
      state.lastFailure = new OAuthFailure(failing.error, failing.description, 0);
      throw state.lastFailure;
    }
    return undefined;
  }

  private async refreshUnderLease(connectionId: string, owner: string, viewToken: string): Promise<StoredCredentials> {
    const creds = await this.store.read(connectionId);
    if (!creds) throw new UnknownConnectionError(connectionId);
    if (creds.needsReauth) {
      this.remember(connectionId, creds);
      throw reauthFailure(creds.needsReauth);
    }
    // The previous lease holder may have refreshed while we waited for the lease.
    if (creds.accessToken !== viewToken && this.freshFromStore(connectionId, creds))
      return this.remember(connectionId, creds).creds;
    const failing = creds.refreshFailing;
    if (failing && this.now() < failing.nextAttemptAt) {
      const state = this.remember(connectionId, creds);
      state.retryNotBefore = failing.nextAttemptAt;
      state.lastFailure = new OAuthFailure(failing.error, failing.description, 0);
      throw state.lastFailure;
    }

    const attempts = this.options.refreshAttempts ?? 3;
    let tokens: TokenSet | undefined;
    let failure: OAuthFailure | undefined;
    let leaseLost = false;
    for (let attempt = 1; attempt <= attempts && !tokens && !leaseLost; attempt++) {
      try {
        tokens = await this.options.renew(creds);
      } catch (error) {
        if (!(error instanceof OAuthFailure)) throw error;
        failure = error;
        if (error.kind === "terminal") return this.terminalUnlessSuperseded(connectionId, owner, creds, error);
        if (error.kind === "configuration") return this.coolDownConfiguration(connectionId, creds, error);
        if (attempt < attempts) {
          await this.sleep(
            backoffDelay(attempt, this.options.attemptBackoff ?? { baseDelayMs: 200, maxDelayMs: 2_000 }, this.random),
          );
          // Keep the lease through the wait; if it lapsed to someone else, let them carry on.
          leaseLost = !(await this.store.tryAcquireLease(connectionId, owner, this.leaseTtl));
        }
      }
    }
    if (!tokens) {
      const last = failure ?? new OAuthFailure("temporarily_unavailable", "refresh lease lost", 0);
      if (leaseLost) throw last;
      return this.recordTransientFailure(connectionId, owner, creds, last);
    }

    const next = await this.withLearnedTimeout({
      ...credentialsFrom(tokens, this.now()),
      // Salesforce returns a refresh token on refresh only when it rotates them.
      refreshToken: tokens.refreshToken ?? creds.refreshToken,
      scopes: tokens.scopes.length > 0 ? tokens.scopes : creds.scopes,
      version: creds.version,
    });
    // The token call and the introspection may outlast the lease: then the new holder's tokens win.
    if ((await this.store.write(connectionId, next, owner)) === "lost") return this.winnersCredentials(connectionId);
    this.remember(connectionId, next);
    await this.report((h) =>
      h.onRefreshed?.(connectionId, {
        instanceUrl: next.instanceUrl,
        instanceUrlChanged: next.instanceUrl !== creds.instanceUrl,
        refreshTokenRotated: tokens.refreshToken !== undefined && tokens.refreshToken !== creds.refreshToken,
        scopes: next.scopes,
      }),
    );
    if (failing)
      await this.report((h) =>
        h.onRecovered?.(connectionId, { failingSince: failing.since, failures: failing.failures }),
      );
    return next;
  }

  /**
   * A refused grant is dead, unless another process replaced it meanwhile: with rotation on, a
   * refresh that outlived its lease redeems a token the new holder already rotated away.
   */
  private async terminalUnlessSuperseded(
    connectionId: string,
    owner: string,
    creds: StoredCredentials,
    failure: OAuthFailure,
  ): Promise<StoredCredentials> {
    const stored = await this.store.read(connectionId);
    if (
      stored &&
      !stored.needsReauth &&
      (stored.refreshToken !== creds.refreshToken || stored.accessToken !== creds.accessToken)
    )
      return this.remember(connectionId, stored).creds;
    return this.markNeedsReauth(connectionId, owner, creds, failure);
  }

  private async markNeedsReauth(
    connectionId: string,
    owner: string,
    creds: StoredCredentials,
    failure: OAuthFailure,
  ): Promise<StoredCredentials> {
    const reason: ReauthReason = {
      error: failure.error,
      reason: failure.reason,
      description: failure.description,
      at: this.now(),
    };
    if (failure.checklistItem) reason.checklistItem = failure.checklistItem;
    if (failure.remedy) reason.remedy = failure.remedy;
    const { refreshFailing: _cleared, ...rest } = creds;
    const dead: StoredCredentials = { ...rest, needsReauth: reason };
    // Another process replaced the grant meanwhile: its verdict stands, not this refusal.
    if ((await this.store.write(connectionId, dead, owner)) === "lost") return this.winnersCredentials(connectionId);
    this.remember(connectionId, dead);
    await this.report((h) => h.onTerminalFailure?.(connectionId, reason));
    throw failure;
  }

  /**
   * After a lost write: the credentials the lease's new holder stored, never our own. A winner
   * that found the grant dead, or that has written nothing usable yet, is reported as such.
   */
  private async winnersCredentials(connectionId: string): Promise<StoredCredentials> {
    const stored = await this.store.read(connectionId);
    if (!stored) throw new UnknownConnectionError(connectionId);
    const state = this.remember(connectionId, stored);
    if (stored.needsReauth) throw reauthFailure(stored.needsReauth);
    if (state.rejected.has(stored.accessToken))
      throw new OAuthFailure("temporarily_unavailable", "another process is refreshing the connection", 0);
    return stored;
  }

  private async coolDownConfiguration(
    connectionId: string,
    creds: StoredCredentials,
    failure: OAuthFailure,
  ): Promise<never> {
    const state = this.remember(connectionId, creds);
    state.retryNotBefore = this.now() + (this.options.configurationCooldownMs ?? 60_000);
    state.lastFailure = failure;
    await this.report((h) => h.onConfigurationFailure?.(connectionId, failure));
    throw failure;
  }

  private async recordTransientFailure(
    connectionId: string,
    owner: string,
    creds: StoredCredentials,
    failure: OAuthFailure,
  ): Promise<StoredCredentials> {
    const now = this.now();
    const failures = (creds.refreshFailing?.failures ?? 0) + 1;
    const nextAttemptAt =
      now +
      backoffDelay(failures, this.options.roundBackoff ?? { baseDelayMs: 5_000, maxDelayMs: 300_000 }, this.random);
    const refreshFailing = {
      since: creds.refreshFailing?.since ?? now,
      failures,
      lastAt: now,
      nextAttemptAt,
      error: failure.error,
      description: failure.description,
    };
    const next: StoredCredentials = { ...creds, refreshFailing };
    if ((await this.store.write(connectionId, next, owner)) === "lost") return this.winnersCredentials(connectionId);
    const state = this.remember(connectionId, next);
    state.retryNotBefore = nextAttemptAt;
    state.lastFailure = failure;
    await this.report((h) =>
      h.onTransientFailure?.(connectionId, {
        error: failure.error,
        description: failure.description,
        status: failure.status,
        failures,
        since: refreshFailing.since,
        nextAttemptAt,
      }),
    );
    throw failure;
  }

  // ---- what this process remembers

  private async state(connectionId: string): Promise<ConnectionState> {
    const known = this.states.get(connectionId);
    // A connection marked dead is re-read: the customer may have reconnected through another process.
    if (known && !known.creds.needsReauth) return known;
    const loading = this.loading.get(connectionId);
    if (loading) return loading;
    const promise = this.load(connectionId).finally(() => this.loading.delete(connectionId));
    this.loading.set(connectionId, promise);
    return promise;
  }

  private async load(connectionId: string): Promise<ConnectionState> {
    const stored = await this.store.read(connectionId);
    if (!stored) throw new UnknownConnectionError(connectionId);
    // Tokens stored without a learned timeout (written before this process saw them) are
    // introspected once here, in memory only: writing would race a refresh elsewhere.
    const creds = stored.needsReauth ? stored : await this.withLearnedTimeout(stored);
    return this.remember(connectionId, creds);
  }

  private remember(connectionId: string, creds: StoredCredentials): ConnectionState {
    const known = this.states.get(connectionId);
    if (known && known.creds.accessToken === creds.accessToken) {
      known.creds = { ...creds, sessionTimeoutMs: creds.sessionTimeoutMs ?? known.creds.sessionTimeoutMs };
      if (!creds.refreshFailing) {
        known.retryNotBefore = undefined;
        known.lastFailure = undefined;
      }
      return known;
    }
    const state: ConnectionState = { creds, rejected: new Set(known ? [...known.rejected].slice(-4) : []) };
    this.states.set(connectionId, state);
    return state;
  }

  private use(state: ConnectionState): AccessGrant {
    state.lastUsedAt = this.now();
    return { accessToken: state.creds.accessToken, instanceUrl: state.creds.instanceUrl };
  }

  /** Credentials another process wrote count as fresh unless they are themselves near expiry. */
  private freshFromStore(connectionId: string, creds: StoredCredentials): boolean {
    return (
      !dueForRefresh(creds, undefined, this.now(), this.rules) &&
      !this.states.get(connectionId)?.rejected.has(creds.accessToken)
    );
  }

  private async withLearnedTimeout(creds: StoredCredentials): Promise<StoredCredentials> {
    if (!this.options.introspect || creds.sessionTimeoutMs !== undefined) return creds;
    try {
      const info = await this.options.introspect(creds);
      const timeout = info.active ? learnedSessionTimeout(creds.issuedAt, info.expiresAt) : undefined;
      return timeout === undefined ? creds : { ...creds, sessionTimeoutMs: timeout };
    } catch {
      // Introspection only sharpens the estimate; without it the assumed timeout holds.
      return creds;
    }
  }

  private async report(call: (hooks: LifecycleHooks) => void | Promise<void> | undefined): Promise<void> {
    const hooks = this.options.hooks;
    if (!hooks) return;
    try {
      await call(hooks);
    } catch (error) {
      hooks.onHookError?.(error);
    }
  }

  private owner(): string {
    return `${this.processName}:${randomUUID()}`;
  }

  private get leaseTtl(): number {
    return this.options.leaseTtlMs ?? 60_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private random = (): number => (this.options.random ?? Math.random)();

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : delay(ms);
  }
}

/** What a token answer gives to keep: the credentials a store holds for a connection. */
export function credentialsFrom(tokens: TokenSet, now: number): StoredCredentials {
  const creds: StoredCredentials = {
    accessToken: tokens.accessToken,
    instanceUrl: tokens.instanceUrl,
    identityUrl: tokens.identityUrl,
    orgId: tokens.orgId,
    userId: tokens.userId,
    scopes: tokens.scopes,
    issuedAt: tokens.issuedAt,
    obtainedAt: now,
  };
  if (tokens.refreshToken) creds.refreshToken = tokens.refreshToken;
  return creds;
}

function reauthFailure(reason: ReauthReason): OAuthFailure {
  return new OAuthFailure(reason.error, reason.description, 400);
}
