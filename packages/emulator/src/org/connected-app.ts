/** How long refresh tokens issued to an app stay valid, as set on the app's OAuth policies. */
export type RefreshTokenPolicy =
  | { type: "until_revoked" }
  | { type: "immediately" }
  /** Expire this many seconds after issue. */
  | { type: "lifetime"; seconds: number }
  /** Expire when unused for this many seconds. */
  | { type: "idle"; seconds: number };

export type IpRelaxation = "enforce" | "relax" | "relax_refresh";

/** A Connected App or External Client App as the org knows it: the consumer side and its policies. */
export interface ConnectedApp {
  /** The ConnectedApplication record id (0H4…). */
  id: string;
  name: string;
  kind: "ConnectedApp" | "ExternalClientApp";
  clientId: string;
  clientSecret: string;
  callbackUrls: string[];
  /** Scopes the app may request. */
  scopes: string[];
  pkceRequired: boolean;
  /** Whether the web-server flow must send the consumer secret (apps with PKCE may turn it off). */
  requireSecretForWebServerFlow: boolean;
  requireSecretForRefresh: boolean;
  /** Installed in the org by an admin; uninstalled apps need Approve Uninstalled Connected Apps. */
  installed: boolean;
  permittedUsers: "all_self_authorize" | "admin_approved";
  /** Permission set ids (profile-owned ones included) pre-authorized for an admin-approved app. */
  preauthorizedPermissionSetIds: string[];
  refreshTokenPolicy: RefreshTokenPolicy;
  rotateRefreshTokens: boolean;
  ipRelaxation: IpRelaxation;
  clientCredentialsEnabled: boolean;
  /** Username of the client-credentials run-as user. */
  clientCredentialsUser: string | null;
  /** PEM certificate or public key that JWT bearer assertions are checked against. */
  jwtCertificate: string | null;
  introspectAllTokens: boolean;
  /**
   * The app's session policy "High assurance session required". Salesforce does not carry a
   * High Assurance level into access tokens, so every API call with a token of this app is refused.
   */
  highAssuranceRequired: boolean;
}

export function defaultApp(
  partial: Partial<ConnectedApp> & Pick<ConnectedApp, "id" | "name" | "clientId" | "clientSecret">,
): ConnectedApp {
  return {
    kind: "ConnectedApp",
    callbackUrls: [],
    scopes: ["api", "refresh_token", "offline_access", "id", "openid", "profile", "email", "web", "full"],
    pkceRequired: false,
    requireSecretForWebServerFlow: true,
    requireSecretForRefresh: true,
    installed: true,
    permittedUsers: "all_self_authorize",
    preauthorizedPermissionSetIds: [],
    refreshTokenPolicy: { type: "until_revoked" },
    rotateRefreshTokens: false,
    ipRelaxation: "relax",
    clientCredentialsEnabled: false,
    clientCredentialsUser: null,
    jwtCertificate: null,
    introspectAllTokens: false,
    highAssuranceRequired: false,
    ...partial,
  };
}

/** The read-only ConnectedApplication record Salesforce exposes to SOQL for this app. */
export function connectedApplicationRecord(app: ConnectedApp): Record<string, unknown> {
  const policy = app.refreshTokenPolicy;
  return {
    Name: app.name,
    OptionsAllowAdminApprovedUsersOnly: app.permittedUsers === "admin_approved",
    OptionsRefreshTokenValidityMetric: policy.type === "idle",
    RefreshTokenValidityPeriod:
      policy.type === "lifetime" || policy.type === "idle" ? Math.max(1, Math.round(policy.seconds / 3600)) : null,
    OptionsHasSessionLevelPolicy: app.highAssuranceRequired,
    OptionsFullContentPushNotifications: false,
    StartUrl: null,
    MobileStartUrl: null,
    PinLength: null,
    MobileSessionTimeout: null,
    NamedUserUvidTimeout: null,
  };
}
