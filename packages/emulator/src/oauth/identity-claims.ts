import { formatDateTime } from "../clock.ts";
import type { Org } from "../org/org.ts";
import type { StoredRecord } from "../store/record-store.ts";

/** The `urls` of an identity response; `{version}` stays literal unless a version was asked for. */
export function identityUrls(
  myDomain: string,
  orgId15: string,
  userId: string,
  version: string | null,
): Record<string, string> {
  const v = version ?? "{version}";
  const data = `${myDomain}/services/data/v${v}`;
  return {
    enterprise: `${myDomain}/services/Soap/c/${v}/${orgId15}`,
    metadata: `${myDomain}/services/Soap/m/${v}/${orgId15}`,
    partner: `${myDomain}/services/Soap/u/${v}/${orgId15}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${myDomain}/services/Soap/T/${v}/${orgId15}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${myDomain}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: myDomain,
  };
}

/**
 * Salesforce's `utcOffset`: the zone's standard offset in milliseconds, daylight saving left out
 * (the smaller of January's and July's offsets, which also holds south of the equator).
 */
export function utcOffsetMs(timeZone: string, atMs: number): number {
  const year = new Date(atMs).getUTCFullYear();
  return Math.min(offsetAt(timeZone, Date.UTC(year, 0, 1)), offsetAt(timeZone, Date.UTC(year, 6, 1)));
}

function offsetAt(timeZone: string, atMs: number): number {
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(atMs));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - atMs;
  } catch {
    return 0;
  }
}

function photos(myDomain: string) {
  return { picture: `${myDomain}/profilephoto/005/F`, thumbnail: `${myDomain}/profilephoto/005/T` };
}

function nickname(user: StoredRecord): string {
  return String(user.Username).split("@")[0];
}

/** The identity service's body (GET /id/<org>/<user>). */
export function identityBody(
  org: Org,
  user: StoredRecord,
  appInstalled: boolean,
  version: string | null,
): Record<string, unknown> {
  const myDomain = org.urls.myDomain;
  const timeZone = String(user.TimeZoneSidKey ?? "America/Los_Angeles");
  return {
    id: org.identityUrl(user.Id),
    asserted_user: true,
    user_id: user.Id,
    organization_id: org.organizationId,
    username: user.Username,
    nick_name: nickname(user),
    display_name: user.Name,
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName ?? null,
    last_name: user.LastName,
    timezone: timeZone,
    photos: photos(myDomain),
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: null,
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: identityUrls(myDomain, org.orgId15, user.Id, version),
    active: user.IsActive === true,
    user_type: "STANDARD",
    language: user.LanguageLocaleKey ?? "en_US",
    locale: user.LocaleSidKey ?? "en_US",
    utcOffset: utcOffsetMs(timeZone, org.clock.now()),
    last_modified_date: formatDateTime(Number(user.LastModifiedDate ?? org.clock.now())),
    is_app_installed: appInstalled,
  };
}

/** The OpenID Connect userinfo claims (GET /services/oauth2/userinfo). */
export function userinfoBody(
  org: Org,
  user: StoredRecord,
  appInstalled: boolean,
  integrationUser: boolean,
): Record<string, unknown> {
  const myDomain = org.urls.myDomain;
  const timeZone = String(user.TimeZoneSidKey ?? "America/Los_Angeles");
  const updated = new Date(Number(user.LastModifiedDate ?? org.clock.now())).toISOString().slice(0, 19);
  return {
    sub: org.identityUrl(user.Id),
    user_id: user.Id,
    organization_id: org.organizationId,
    preferred_username: user.Username,
    nickname: nickname(user),
    name: user.Name,
    email: user.Email,
    email_verified: true,
    given_name: user.FirstName ?? null,
    family_name: user.LastName,
    zoneinfo: timeZone,
    photos: photos(myDomain),
    profile: `${myDomain}/${user.Id}`,
    picture: photos(myDomain).picture,
    address: {},
    is_salesforce_integration_user: integrationUser,
    urls: identityUrls(myDomain, org.orgId15, user.Id, null),
    active: user.IsActive === true,
    user_type: "STANDARD",
    language: user.LanguageLocaleKey ?? "en_US",
    locale: user.LocaleSidKey ?? "en_US",
    utcOffset: utcOffsetMs(timeZone, org.clock.now()),
    updated_at: `${updated}Z`,
    is_app_installed: appInstalled,
  };
}
