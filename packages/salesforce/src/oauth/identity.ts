import { isLoginOrigin, SALESFORCE_HOSTS, type SalesforceHosts } from "../hosts.ts";
import { jsonOrFailure, type OAuthCallOptions, oauthCall, oauthEndpoint } from "./oauth-transport.ts";

/** The identity service's answer, with the fields Forcelink uses named and the rest kept raw. */
export interface Identity {
  identityUrl: string;
  orgId: string;
  userId: string;
  username: string;
  displayName?: string;
  email?: string;
  active?: boolean;
  userType?: string;
  language?: string;
  locale?: string;
  /** REST, SOAP and other endpoints of the org; `{version}` left in unless a version was asked for. */
  urls: Record<string, string>;
  isAppInstalled?: boolean;
  raw: Record<string, unknown>;
}

export interface FetchIdentityInput {
  /** The token answer's `id`. */
  identityUrl: string;
  accessToken: string;
  /** Fill `{version}` in the urls: "latest" or "67.0". */
  version?: string;
  /** Which hosts may receive the token; defaults to Salesforce's. */
  hosts?: SalesforceHosts;
}

/**
 * GET the identity URL. It lives on a login host, not the instance, so the token is sent only
 * when that host is Salesforce's (or the mapped one): a tampered `id` must not leak it.
 */
export async function fetchIdentity(input: FetchIdentityInput, options?: OAuthCallOptions): Promise<Identity> {
  const url = new URL(input.identityUrl);
  if (!isLoginOrigin(input.hosts ?? SALESFORCE_HOSTS, url))
    throw new TypeError(`refusing to send a token to ${url.origin}: not a Salesforce login host`);
  url.searchParams.set("format", "json");
  if (input.version) url.searchParams.set("version", input.version);
  const body = jsonOrFailure(await oauthCall("GET", url.toString(), { bearer: input.accessToken }, options));
  const identity: Identity = {
    identityUrl: str(body.id) ?? input.identityUrl,
    orgId: str(body.organization_id) ?? "",
    userId: str(body.user_id) ?? "",
    username: str(body.username) ?? "",
    urls: stringRecord(body.urls),
    raw: body,
  };
  assign(identity, "displayName", str(body.display_name));
  assign(identity, "email", str(body.email));
  assign(identity, "active", typeof body.active === "boolean" ? body.active : undefined);
  assign(identity, "userType", str(body.user_type));
  assign(identity, "language", str(body.language));
  assign(identity, "locale", str(body.locale));
  assign(identity, "isAppInstalled", typeof body.is_app_installed === "boolean" ? body.is_app_installed : undefined);
  return identity;
}

export interface UserInfoInput {
  /** A login host or the org's My Domain. */
  baseUrl: string;
  accessToken: string;
}

/** GET /services/oauth2/userinfo: the OpenID Connect claims of the token's user, as Salesforce names them. */
export async function userinfo(input: UserInfoInput, options?: OAuthCallOptions): Promise<Record<string, unknown>> {
  return jsonOrFailure(
    await oauthCall(
      "GET",
      oauthEndpoint(input.baseUrl, "/services/oauth2/userinfo"),
      { bearer: input.accessToken },
      options,
    ),
  );
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function stringRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object") return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function assign<K extends keyof Identity>(target: Identity, key: K, value: Identity[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
