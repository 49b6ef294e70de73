import { exchangeCode, fetchIdentity, OAuthFailure, type TokenSet } from "@forcelink/salesforce";
import { type ConnectFailure, explainConnectFailure } from "../connect/callback-errors.ts";
import { callbackUrl } from "../connect/callback-url.ts";
import {
  AUTHORIZE_TTL_MS,
  type ConnectSessionRow,
  claimState,
  completeSession,
  failSession,
  sessionByState,
} from "../connect/connect-session-store.ts";
import type { Platform } from "../platform/platform.ts";
import { getProviderAppForProject, openProviderAppSecrets } from "../provider-apps/provider-app-store.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { type ConnectionRow, findConnection, insertConnection } from "./connection-store.ts";

/**
 * What Salesforce's redirect back to the OAuth callback came to. The route only renders it:
 * - `unmatched`: the answer belongs to no sign-in in progress; nothing about any connection is told.
 * - `failed`: the sign-in belonged to `session` and failed (the session is marked failed).
 * - `connected`: a connection was made or renewed; or, with `completedBefore`, this is a reload of
 *   a callback that already completed, and nothing was run again.
 */
export type ConnectOutcome =
  | { kind: "unmatched"; status: 400 | 410; title: string; message: string }
  | { kind: "failed"; status: number; session: ConnectSessionRow; failure: ConnectFailure }
  | {
      kind: "connected";
      session: ConnectSessionRow;
      connection: ConnectionRow;
      appName: string;
      username: string | null;
      renewed: boolean;
      offlineAccess: boolean;
      /** The result page's "Check again" token: minted once, so a reload has none. */
      checklistToken: string | null;
      completedBefore: boolean;
    };

export interface CallbackLog {
  error(details: object, message: string): void;
}

type Query = Record<string, string | string[] | undefined>;

const unmatched = (status: 400 | 410, title: string, message: string): ConnectOutcome => ({
  kind: "unmatched",
  status,
  title,
  message,
});

/** Refusals by Salesforce or the customer's admin: the request was understood and not allowed. */
const REFUSED = new Set([
  "access_denied",
  "not_admin_approved",
  "app_not_installed",
  "ip_restricted",
  "inactive_user",
  "inactive_org",
]);

/** The HTTP status of a failed sign-in's page. */
export function failureStatus(code: string): number {
  if (code === "expired" || code === "connection_gone") return 410;
  if (code === "different_org") return 409;
  if (code === "salesforce_unreachable") return 502;
  return REFUSED.has(code) ? 403 : 400;
}

/**
 * The OAuth callback: matches Salesforce's answer to its sign-in by the state (once), exchanges
 * the code, and stores (or renews) the connection. A reload of a completed callback finds the same
 * session and shows its result again without a second exchange.
 */
export async function completeConnect(platform: Platform, log: CallbackLog, query: Query): Promise<ConnectOutcome> {
  if (Array.isArray(query.state))
    return unmatched(
      400,
      "This sign-in response is not valid",
      "It carries 'state' more than once, which Salesforce never sends.",
    );
  const state = query.state;
  if (!state)
    return unmatched(
      400,
      "This sign-in response is incomplete",
      "Salesforce's answer carries no state, so it can't be matched to a connect link.",
    );
  const session = await sessionByState(platform, state);
  if (!session)
    return unmatched(
      400,
      "This sign-in response was already used or is not valid",
      "The state in the answer does not match any sign-in in progress (it was used once already, or altered).",
    );
  if (session.status === "completed") return completedBefore(platform, session);
  const repeated = Object.entries(query).find(([, v]) => Array.isArray(v));
  if (repeated) {
    await failSession(platform, session.id, {
      code: "invalid_callback",
      message: `'${repeated[0]}' came more than once`,
    });
    return unmatched(
      400,
      "This sign-in response is not valid",
      `It carries '${repeated[0]}' more than once, which Salesforce never sends.`,
    );
  }
  const q = query as Record<string, string | undefined>;
  const startedAt = session.startedAt?.getTime() ?? 0;
  if (platform.clock.nowMs() - startedAt > AUTHORIZE_TTL_MS || session.expiresAt.getTime() < platform.clock.nowMs()) {
    return fail(platform, session, {
      code: "expired",
      title: "The sign-in took too long",
      message: "Connect links and sign-ins expire for safety.",
      steps: ["Ask the app you came from for a new connect link."],
    });
  }
  if (!(await claimState(platform, session.id, state)))
    return unmatched(400, "This sign-in response was already used", "Each Salesforce answer can be used once.");
  try {
    return await exchangeAndStore(platform, log, session, q);
  } catch (e) {
    // Whatever went wrong, the session must not stay "exchanging" for ever.
    log.error({ err: e }, "the OAuth callback failed");
    await failSession(platform, session.id, { code: "internal_error", message: "The connection could not be saved." });
    throw e;
  }
}

type Failed = Extract<ConnectOutcome, { kind: "failed" }>;

async function fail(platform: Platform, session: ConnectSessionRow, failure: ConnectFailure): Promise<Failed> {
  await failSession(platform, session.id, { code: failure.code, message: failure.title });
  return { kind: "failed", status: failureStatus(failure.code), session, failure };
}

/** A reload of the result page: the same result while its "Check again" hour lasts, told from the store. */
async function completedBefore(platform: Platform, session: ConnectSessionRow): Promise<ConnectOutcome> {
  const fresh = (session.checklistTokenExpiresAt?.getTime() ?? 0) > platform.clock.nowMs();
  const connection = session.connectionId
    ? await findConnection(platform, session.projectId, session.connectionId)
    : undefined;
  const appRow = await getProviderAppForProject(platform, session.projectId, session.providerAppId);
  if (!fresh || !connection || !appRow)
    return unmatched(
      410,
      "This sign-in is complete",
      "It was completed earlier; this page no longer shows its result. You can close this window.",
    );
  return {
    kind: "connected",
    session,
    connection,
    appName: appRow.name,
    username: connection.username,
    renewed: connection.createdAt.getTime() < session.createdAt.getTime(),
    offlineAccess: connection.refreshTokenSealed !== null,
    checklistToken: null,
    completedBefore: true,
  };
}

async function exchangeAndStore(
  platform: Platform,
  log: CallbackLog,
  session: ConnectSessionRow,
  q: Record<string, string | undefined>,
): Promise<ConnectOutcome> {
  const appRow = await getProviderAppForProject(platform, session.projectId, session.providerAppId);
  if (!appRow)
    return fail(platform, session, {
      code: "connection_gone",
      title: "This connect link is no longer valid",
      message: "The app it was made for was removed.",
      steps: ["Ask the app you came from for a new connect link."],
    });
  if (q.error) return fail(platform, session, explainConnectFailure(q.error, q.error_description));
  if (!q.code)
    return fail(
      platform,
      session,
      explainConnectFailure("invalid_request", "Salesforce's answer has neither a code nor an error."),
    );
  let tokens: TokenSet;
  try {
    const secrets = await openProviderAppSecrets(platform, appRow);
    tokens = await exchangeCode({
      loginUrl: session.loginUrl!,
      clientId: appRow.clientId,
      clientSecret: secrets.clientSecret,
      code: q.code,
      redirectUri: callbackUrl(platform),
      codeVerifier: session.codeVerifierSealed ? platform.sealer.open(session.codeVerifierSealed) : undefined,
    });
  } catch (e) {
    if (e instanceof OAuthFailure) return fail(platform, session, explainConnectFailure(e.error, e.description));
    log.error({ err: e }, "token exchange failed");
    return fail(platform, session, {
      ...explainConnectFailure("server_error", "Salesforce could not be reached to finish the sign-in."),
      code: "salesforce_unreachable",
    });
  }
  const username = await fetchIdentity({
    identityUrl: tokens.identityUrl,
    accessToken: tokens.accessToken,
    hosts: platform.hosts,
  })
    .then((identity) => identity.username)
    .catch(() => null);
  const made = session.connectionId
    ? await renewConnection(platform, session, tokens)
    : await newConnection(platform, session, tokens, username);
  if (made.kind !== "connected") return made;
  return { ...made, appName: appRow.name, username };
}

/** A connection made or renewed, before the app's name and the user's are added. */
type Stored = Omit<Extract<ConnectOutcome, { kind: "connected" }>, "appName" | "username"> | Failed;

/** Reconnect: the same connection, with the new tokens, when the customer signed in to the same org. */
async function renewConnection(platform: Platform, session: ConnectSessionRow, tokens: TokenSet): Promise<Stored> {
  const existing = await findConnection(platform, session.projectId, session.connectionId!);
  if (!existing)
    return fail(platform, session, explainConnectFailure("connection_gone", "The connection to renew was deleted."));
  if (existing.orgId !== tokens.orgId) {
    return fail(platform, session, {
      code: "different_org",
      title: "That is a different Salesforce org",
      message: `This link renews the connection to org ${existing.orgId}, but you signed in to org ${tokens.orgId}.`,
      steps: [
        "Connect again and sign in to the org that was connected before (check Production, Sandbox or My Domain).",
      ],
    });
  }
  // The lease-taking adopt keeps a refresh still running elsewhere from overwriting the new tokens.
  await (await platform.tokens.lifecycleFor(existing)).adopt(existing.id, tokens);
  const { checklistToken } = await completeSession(platform, session.id, existing.id);
  await emitEvent(platform, session.projectId, "connection.recovered", {
    connectionId: existing.id,
    endUserId: existing.endUserId,
    via: "reconnect",
  });
  await platform.activity.record({
    projectId: session.projectId,
    connectionId: existing.id,
    kind: "reconnect",
    level: "info",
    message: `Authorized again by ${existing.username ?? tokens.userId} through the connect pages`,
    details: { orgId: tokens.orgId, userId: tokens.userId, offlineAccess: Boolean(tokens.refreshToken) },
  });
  // The row as adopted: the checklist signs in with the new tokens.
  const renewed = (await findConnection(platform, session.projectId, existing.id)) ?? existing;
  return {
    kind: "connected",
    session,
    connection: renewed,
    renewed: true,
    offlineAccess: Boolean(tokens.refreshToken),
    checklistToken,
    completedBefore: false,
  };
}

async function newConnection(
  platform: Platform,
  session: ConnectSessionRow,
  tokens: TokenSet,
  username: string | null,
): Promise<Stored> {
  const connection = await insertConnection(platform, {
    projectId: session.projectId,
    providerAppId: session.providerAppId,
    endUserId: session.endUserId,
    environment: (session.environment as "production" | "sandbox" | "mydomain") ?? "production",
    authFlow: "web_server",
    loginUrl: session.loginUrl!,
    tokens,
    username,
  });
  const { checklistToken } = await completeSession(platform, session.id, connection.id);
  await emitEvent(platform, session.projectId, "connection.created", {
    connectionId: connection.id,
    endUserId: connection.endUserId,
    providerAppId: connection.providerAppId,
    orgId: connection.orgId,
    environment: connection.environment,
    offlineAccess: Boolean(tokens.refreshToken),
  });
  await platform.activity.record({
    projectId: session.projectId,
    connectionId: connection.id,
    kind: "connect",
    level: "info",
    message: `Connected org ${connection.orgId} as ${username ?? connection.userId} through the connect pages`,
    details: {
      endUserId: connection.endUserId,
      orgId: connection.orgId,
      userId: connection.userId,
      username,
      environment: connection.environment,
      authFlow: connection.authFlow,
      scopes: connection.scopes,
      offlineAccess: Boolean(tokens.refreshToken),
    },
  });
  return {
    kind: "connected",
    session,
    connection,
    renewed: false,
    offlineAccess: Boolean(tokens.refreshToken),
    checklistToken,
    completedBefore: false,
  };
}
