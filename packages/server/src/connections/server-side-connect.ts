import {
  clientCredentialsToken,
  fetchIdentity,
  jwtBearerToken,
  loginUrlFor,
  OAuthFailure,
  parseMyDomain,
  type TokenSet,
} from "@forcelink/salesforce";
import type { Platform } from "../platform/platform.ts";
import {
  openProviderAppSecrets,
  type ProviderAppRow,
  type ProviderAppSecrets,
} from "../provider-apps/provider-app-store.ts";
import { Problem } from "../remedies/problem.ts";
import { forBuilder } from "../remedies/remedy-catalogue.ts";
import { emitEvent } from "../webhooks/emit.ts";
import type { JwtGrant } from "./connection-grant.ts";
import { type ConnectionRow, type Environment, insertConnection } from "./connection-store.ts";

export type ServerSideRequest =
  | { flow: "client_credentials"; myDomain: string; endUserId: string }
  | { flow: "jwt_bearer"; environment: Environment; myDomain?: string; username?: string; endUserId: string };

/**
 * Salesforce's refusal of a server-side flow, for the builder: here the builder holds the org's
 * settings, so even what the connect page would ask of the customer is theirs to fix (400). A
 * refusal that may pass is left to the one HTTP mapping.
 */
function explain(failure: OAuthFailure): Problem | OAuthFailure {
  if (failure.kind === "transient") return failure;
  return new Problem(
    "bad-input",
    `salesforce_${failure.error}`,
    `Salesforce refused the ${failure.error === "invalid_grant" ? "grant" : "request"}: ${failure.description || failure.error}`,
    {
      remedy:
        forBuilder(failure.reason) ??
        failure.remedy ??
        "Check the provider app's consumer key and secret against the app in Salesforce.",
      details: { reason: failure.reason },
    },
  );
}

/** What a server-side flow's token call yields, ready to be stored as a connection. */
interface ServerSideTokens {
  tokens: TokenSet;
  loginUrl: string;
  environment: Environment;
  username: string | null;
  grant: JwtGrant | null;
}

function myDomainUrl(platform: Platform, myDomain: string): string {
  const domain = parseMyDomain(myDomain);
  if (!domain.ok)
    throw new Problem("bad-input", "invalid_my_domain", domain.refusal.message, { remedy: domain.refusal.fix });
  return platform.hosts.myDomainUrl(domain.domain.name);
}

async function clientCredentialsTokens(
  platform: Platform,
  app: ProviderAppRow,
  secrets: ProviderAppSecrets,
  req: Extract<ServerSideRequest, { flow: "client_credentials" }>,
): Promise<ServerSideTokens> {
  if (!app.clientCredentialsEnabled) {
    throw new Problem(
      "bad-input",
      "client_credentials_disabled",
      "This provider app does not have the client-credentials flow enabled.",
      {
        remedy: "PATCH the provider app with clientCredentials.enabled = true once it is enabled in Salesforce.",
      },
    );
  }
  const loginUrl = myDomainUrl(platform, req.myDomain);
  const tokens = await clientCredentialsToken({
    myDomainUrl: loginUrl,
    clientId: app.clientId,
    clientSecret: secrets.clientSecret,
  });
  return { tokens, loginUrl, environment: "mydomain", username: null, grant: null };
}

async function jwtBearerTokens(
  platform: Platform,
  app: ProviderAppRow,
  secrets: ProviderAppSecrets,
  req: Extract<ServerSideRequest, { flow: "jwt_bearer" }>,
): Promise<ServerSideTokens> {
  const username = req.username ?? app.jwtUsername;
  if (!secrets.jwtPrivateKey || !username) {
    throw new Problem("bad-input", "jwt_not_configured", "This provider app has no JWT signing key and username.", {
      remedy:
        "PATCH the provider app with jwt: {username, privateKey}, the key whose certificate is uploaded to the app in Salesforce.",
    });
  }
  const tokenBaseUrl = req.myDomain ? myDomainUrl(platform, req.myDomain) : undefined;
  const audience = loginUrlFor(platform.hosts, req.environment === "sandbox" ? "sandbox" : "production");
  const loginUrl = tokenBaseUrl ?? audience;
  const environment = req.myDomain ? "mydomain" : req.environment;
  // Kept with the connection: its renewals repeat exactly this call.
  const grant: JwtGrant = { flow: "jwt_bearer", audience, tokenHost: loginUrl, subject: username };
  const tokens = await jwtBearerToken({
    loginUrl: audience,
    tokenBaseUrl: loginUrl,
    clientId: app.clientId,
    username: grant.subject,
    privateKey: secrets.jwtPrivateKey,
  });
  return { tokens, loginUrl, environment, username, grant };
}

async function serverSideTokens(
  platform: Platform,
  app: ProviderAppRow,
  req: ServerSideRequest,
): Promise<ServerSideTokens> {
  const secrets = await openProviderAppSecrets(platform, app);
  try {
    return req.flow === "client_credentials"
      ? await clientCredentialsTokens(platform, app, secrets, req)
      : await jwtBearerTokens(platform, app, secrets, req);
  } catch (e) {
    if (e instanceof OAuthFailure) throw explain(e);
    throw e;
  }
}

/** The username the token belongs to, when the flow itself did not name one; unknown is no failure. */
function identityUsername(platform: Platform, tokens: TokenSet): Promise<string | null> {
  return fetchIdentity({ identityUrl: tokens.identityUrl, accessToken: tokens.accessToken, hosts: platform.hosts })
    .then((i) => i.username)
    .catch(() => null);
}

/** Client credentials or JWT bearer: a connection made by the server, without a browser. */
export async function connectServerSide(
  platform: Platform,
  projectId: string,
  app: ProviderAppRow,
  req: ServerSideRequest,
): Promise<ConnectionRow> {
  const { tokens, loginUrl, environment, grant, username } = await serverSideTokens(platform, app, req);
  const connection = await insertConnection(platform, {
    projectId,
    providerAppId: app.id,
    endUserId: req.endUserId,
    environment,
    authFlow: req.flow,
    loginUrl,
    tokens,
    username: username ?? (await identityUsername(platform, tokens)),
    grant,
  });
  await emitEvent(platform, projectId, "connection.created", {
    connectionId: connection.id,
    endUserId: connection.endUserId,
    providerAppId: app.id,
    orgId: connection.orgId,
    environment,
    authFlow: req.flow,
  });
  await platform.activity.record({
    projectId,
    connectionId: connection.id,
    kind: "connect",
    level: "info",
    message: `Connected org ${connection.orgId} as ${connection.username ?? connection.userId} with the ${req.flow} flow`,
    details: {
      endUserId: connection.endUserId,
      orgId: connection.orgId,
      userId: connection.userId,
      username: connection.username,
      environment,
      authFlow: req.flow,
      scopes: connection.scopes,
    },
  });
  return connection;
}
