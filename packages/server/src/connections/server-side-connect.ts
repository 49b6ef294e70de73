import {
  clientCredentialsToken,
  fetchIdentity,
  jwtBearerToken,
  loginUrlFor,
  OAuthFailure,
  parseMyDomain,
  type TokenSet,
} from "@forcelink/salesforce";
import { HttpError } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { openProviderAppSecrets, type ProviderAppRow } from "../provider-apps/provider-app-store.ts";
import { emitEvent } from "../webhooks/emit.ts";
import type { JwtGrant } from "./connection-grant.ts";
import { type ConnectionRow, type Environment, insertConnection } from "./connection-store.ts";

export type ServerSideRequest =
  | { flow: "client_credentials"; myDomain: string; endUserId: string }
  | { flow: "jwt_bearer"; environment: Environment; myDomain?: string; username?: string; endUserId: string };

/** Salesforce's refusals of a server-side flow, explained for the builder. */
function explain(failure: OAuthFailure): HttpError {
  const d = failure.description.toLowerCase();
  const remedy = d.includes("not supported on this domain")
    ? "The client-credentials flow works only on the org's My Domain (https://<name>.my.salesforce.com), never on login.salesforce.com or test.salesforce.com: pass the org's My Domain."
    : d.includes("no client credentials user")
      ? 'In Salesforce, open the app\'s policies (Setup → Manage Connected Apps or External Client App Manager → the app → Edit Policies), tick "Enable Client Credentials Flow" and choose a Run As user (an API-only integration user is best).'
      : d.includes("hasn't approved")
        ? 'The user must approve the app once, or an admin must pre-authorize them: set Permitted Users to "Admin approved users are pre-authorized" and add the user\'s profile or permission set to the app.'
        : d.includes("audience")
          ? "The JWT audience must be the environment's login host: choose environment production or sandbox to match the org."
          : failure.kind === "configuration"
            ? "Check the provider app's consumer key and secret against the app in Salesforce."
            : undefined;
  return new HttpError(
    failure.kind === "transient" ? 502 : 400,
    `salesforce_${failure.error}`,
    `Salesforce refused the ${failure.error === "invalid_grant" ? "grant" : "request"}: ${failure.description || failure.error}`,
    { remedy },
  );
}

/** Client credentials or JWT bearer: a connection made by the server, without a browser. */
export async function connectServerSide(
  platform: Platform,
  projectId: string,
  app: ProviderAppRow,
  req: ServerSideRequest,
): Promise<ConnectionRow> {
  const secrets = await openProviderAppSecrets(platform, app);
  let tokens: TokenSet;
  let loginUrl: string;
  let environment: Environment;
  let username: string | null = null;
  let grant: JwtGrant | null = null;
  try {
    if (req.flow === "client_credentials") {
      if (!app.clientCredentialsEnabled) {
        throw new HttpError(
          400,
          "client_credentials_disabled",
          "This provider app does not have the client-credentials flow enabled.",
          {
            remedy: "PATCH the provider app with clientCredentials.enabled = true once it is enabled in Salesforce.",
          },
        );
      }
      const domain = parseMyDomain(req.myDomain);
      if (!domain.ok)
        throw new HttpError(400, "invalid_my_domain", domain.refusal.message, { remedy: domain.refusal.fix });
      loginUrl = platform.hosts.myDomainUrl(domain.domain.name);
      environment = "mydomain";
      tokens = await clientCredentialsToken({
        myDomainUrl: loginUrl,
        clientId: app.clientId,
        clientSecret: secrets.clientSecret,
      });
    } else {
      if (!secrets.jwtPrivateKey || !(req.username ?? app.jwtUsername)) {
        throw new HttpError(400, "jwt_not_configured", "This provider app has no JWT signing key and username.", {
          remedy:
            "PATCH the provider app with jwt: {username, privateKey}, the key whose certificate is uploaded to the app in Salesforce.",
        });
      }
      username = req.username ?? app.jwtUsername;
      let tokenBaseUrl: string | undefined;
      if (req.myDomain) {
        const domain = parseMyDomain(req.myDomain);
        if (!domain.ok)
          throw new HttpError(400, "invalid_my_domain", domain.refusal.message, { remedy: domain.refusal.fix });
        tokenBaseUrl = platform.hosts.myDomainUrl(domain.domain.name);
      }
      const audience = loginUrlFor(platform.hosts, req.environment === "sandbox" ? "sandbox" : "production");
      loginUrl = tokenBaseUrl ?? audience;
      environment = req.myDomain ? "mydomain" : req.environment;
      // Kept with the connection: its renewals repeat exactly this call.
      grant = { flow: "jwt_bearer", audience, tokenHost: loginUrl, subject: username! };
      tokens = await jwtBearerToken({
        loginUrl: audience,
        tokenBaseUrl: loginUrl,
        clientId: app.clientId,
        username: grant.subject,
        privateKey: secrets.jwtPrivateKey,
      });
    }
  } catch (e) {
    if (e instanceof OAuthFailure) throw explain(e);
    throw e;
  }
  username ??= await fetchIdentity({
    identityUrl: tokens.identityUrl,
    accessToken: tokens.accessToken,
    hosts: platform.hosts,
  })
    .then((i) => i.username)
    .catch(() => null);
  const connection = await insertConnection(platform, {
    projectId,
    providerAppId: app.id,
    endUserId: req.endUserId,
    environment,
    authFlow: req.flow,
    loginUrl,
    tokens,
    username,
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
  return connection;
}
