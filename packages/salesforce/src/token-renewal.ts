import type { StoredCredentials } from "./credential-store.ts";
import { isLoginOrigin, SALESFORCE_HOSTS, type SalesforceHosts } from "./hosts.ts";
import { OAuthFailure } from "./oauth/oauth-failure.ts";
import type { OAuthCallOptions } from "./oauth/oauth-transport.ts";
import { clientCredentialsToken, refreshAccessToken } from "./oauth/token-grants.ts";
import { type Introspection, introspectToken } from "./oauth/token-info.ts";
import type { TokenSet } from "./oauth/token-set.ts";

/** How a connection gets its next access token: its grant, replayed. */
export type TokenRenewal = (credentials: StoredCredentials) => Promise<TokenSet>;

/** Learns about an access token; given only when the app may introspect. */
export type Introspector = (credentials: StoredCredentials) => Promise<Introspection>;

export interface AppCredentials {
  clientId: string;
  clientSecret?: string;
  call?: OAuthCallOptions;
}

/**
 * Renewal by refresh token. The token is redeemed on the login host the identity URL names
 * (login or test, or their mapping): that host serves the org whatever its My Domain is called
 * today, while an old instance URL may no longer answer after a migration. An identity URL off
 * the login hosts falls back on the instance URL rather than receive the secret.
 */
export function renewWithRefreshToken(
  app: AppCredentials & { hosts?: SalesforceHosts; baseUrl?: (credentials: StoredCredentials) => string },
): TokenRenewal {
  return (credentials) => {
    if (!credentials.refreshToken)
      return Promise.reject(
        new OAuthFailure("invalid_grant", "no refresh token: the refresh_token scope was not granted", 0),
      );
    const baseUrl = app.baseUrl ? app.baseUrl(credentials) : refreshHost(credentials, app.hosts ?? SALESFORCE_HOSTS);
    return refreshAccessToken(
      { baseUrl, clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: credentials.refreshToken },
      app.call,
    );
  };
}

/** Where a refresh token is redeemed: the identity URL's login host, else the instance. */
export function refreshHost(
  credentials: Pick<StoredCredentials, "identityUrl" | "instanceUrl">,
  hosts: SalesforceHosts,
): string {
  return isLoginOrigin(hosts, credentials.identityUrl)
    ? new URL(credentials.identityUrl).origin
    : credentials.instanceUrl;
}

/** Renewal by the client-credentials grant, on the org's My Domain. */
export function renewWithClientCredentials(app: AppCredentials & { clientSecret: string }): TokenRenewal {
  return (credentials) =>
    clientCredentialsToken(
      { myDomainUrl: credentials.instanceUrl, clientId: app.clientId, clientSecret: app.clientSecret },
      app.call,
    );
}

/** Introspection as the app itself, on the org's My Domain. */
export function introspectAsApp(app: AppCredentials & { clientSecret: string }): Introspector {
  return (credentials) =>
    introspectToken(
      {
        baseUrl: credentials.instanceUrl,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        token: credentials.accessToken,
        tokenTypeHint: "access_token",
      },
      app.call,
    );
}
