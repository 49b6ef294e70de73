import {
  buildOrg,
  DEMO,
  DEMO_SEED,
  type Org,
  type OrgAdmin,
  type RunningEmulator,
  startEmulator,
} from "@forcelink/emulator";
import { completeAuthorize, startDemoOrg as startEmulatedDemoOrg } from "@forcelink/emulator/testing";
import {
  authorizeUrl,
  createOAuthState,
  createPkcePair,
  emulatorHosts,
  exchangeCode,
  parseAuthorizeCallback,
  type SalesforceHosts,
  type TokenSet,
} from "../../src/index.ts";

/** The demo app's registration, as a builder would enter it in Forcelink. */
export const APP = { clientId: DEMO.app.clientId, clientSecret: DEMO.app.clientSecret };
export const CALLBACK = "http://localhost:1717/OauthRedirect";
export const USERS = DEMO;

export interface DemoOrg {
  org: Org;
  admin: OrgAdmin;
  emulator: RunningEmulator;
  /** Salesforce's hosts mapped onto the emulator: the only place the tests differ from production. */
  hosts: SalesforceHosts;
  appId: string;
  close(): Promise<void>;
}

export interface DemoOrgOptions {
  /** Generated records, for suites that read data. */
  records?: boolean;
  /** Serve the Pub/Sub API too (TLS with the emulator's own certificate), keepalives this often. */
  pubsub?: { keepaliveSeconds: number };
}

/** The emulator's demo org on free ports; generated records only when a suite reads data. */
export async function startDemoOrg(options: DemoOrgOptions = {}): Promise<DemoOrg> {
  const generate: Record<string, number> = options.records ? { Account: 50, Contact: 450 } : {};
  const { org, admin, emulator } = options.pubsub
    ? await withPubSub(generate, options.pubsub.keepaliveSeconds)
    : await startEmulatedDemoOrg({ generate });
  const app = org.appByClientId(APP.clientId);
  if (!app) throw new Error("the demo seed lost its app");
  return { org, admin, emulator, hosts: emulatorHosts(emulator.urls), appId: app.id, close: () => emulator.close() };
}

/** The demo org built as the emulator's own test support builds it, served with the Pub/Sub API. */
async function withPubSub(generate: Record<string, number>, keepaliveSeconds: number) {
  const { org, admin } = buildOrg({ ...DEMO_SEED, generate });
  const emulator = await startEmulator({ org, port: 0, pubsub: { port: 0, tls: true, keepaliveSeconds } });
  return { org, admin, emulator };
}

/** A customer connecting through the real web-server flow: authorize page, login, consent, code exchange. */
export async function connectUser(
  demo: DemoOrg,
  user: { username: string; password: string } = USERS.integration,
  scopes = ["api", "refresh_token"],
): Promise<TokenSet> {
  const pkce = createPkcePair();
  const state = createOAuthState();
  const loginUrl = demo.hosts.productionLoginUrl;
  const url = authorizeUrl({
    loginUrl,
    clientId: APP.clientId,
    redirectUri: CALLBACK,
    scopes,
    state,
    codeChallenge: pkce.challenge,
  });
  const { location } = await completeAuthorize(url, user.username, user.password);
  const callback = parseAuthorizeCallback(location, state);
  if (!callback.ok) throw callback.failure;
  return exchangeCode({ loginUrl, ...APP, code: callback.code, redirectUri: CALLBACK, codeVerifier: pkce.verifier });
}

/** Calls the emulator answered for one endpoint pattern, e.g. "POST /services/oauth2/token". */
export function calls(org: Org, endpoint: string): number {
  return org.counters.snapshot().byEndpoint[endpoint] ?? 0;
}

export const TOKEN_CALLS = "POST /services/oauth2/token";
export const INTROSPECT_CALLS = "POST /services/oauth2/introspect";
