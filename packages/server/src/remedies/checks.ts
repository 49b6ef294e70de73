import type { ChecklistItemId } from "@forcelink/salesforce";

/**
 * The pre-install checklist as data: what each check looks at, why it matters, how it is
 * verified, and what the customer's admin clicks to fix it. Remedy steps may name
 * `{placeholders}` that the evaluation fills with what it found (objects, fields, permissions).
 */

/** Ids the error table does not know yet; they are proposed for `ChecklistItemId`. */
export type NewCheckId =
  | "user-license"
  | "field-editable"
  | "subscription-permissions"
  | "cdc-allocation"
  | "session-expiry";

export type CheckId =
  | Extract<
      ChecklistItemId,
      | "api-access-edition"
      | "api-enabled-permission"
      | "app-installed-or-approve-uninstalled"
      | "refresh-token-policy"
      | "permitted-users"
      | "ip-relaxation"
      | "object-access"
      | "field-level-security"
      | "daily-api-quota"
      | "session-security-level"
    >
  | NewCheckId;

export interface CheckDefinition {
  id: CheckId;
  title: string;
  why: string;
  howVerified: string;
  /** Step-by-step remedies, one list per way the check can go wrong. Every step is an action. */
  remedies: Record<string, readonly string[]>;
  /**
   * What a remedy is about, said once above its steps (it becomes the result's `reason` when the
   * verdict has none of its own); never numbered as a step.
   */
  headings?: Record<string, string>;
}

const SETUP = "Sign in to Salesforce as an administrator and open Setup (the gear icon, top right, then Setup).";

const QUOTA_STEPS = [
  SETUP,
  "Type 'Company Information' in Quick Find and open it; API Requests, Last 24 Hours shows how many requests the org used.",
  "Find the integrations using most requests (Quick Find 'API Usage' in the Lightning Usage reports, or the 'API Usage Last 7 Days' report) and slow them down, or buy more API calls from Salesforce.",
];

export const CHECKS: readonly CheckDefinition[] = [
  {
    id: "api-access-edition",
    title: "The org's edition includes API access",
    why: "Everything the integration does goes through the Salesforce API. Some editions (Professional without the API add-on, Essentials, Group) refuse every API call.",
    howVerified:
      "One call to the API's version root as the connected user: API_DISABLED_FOR_ORG means the edition has no API; otherwise Organization.OrganizationType is read for the record.",
    remedies: {
      "edition-without-api": [
        SETUP,
        "Type 'Company Information' in Quick Find and open it; the Organization Edition field shows the org's edition.",
        "Ask your Salesforce account executive for the API add-on, or move to Enterprise, Unlimited, Performance or Developer Edition.",
        "Once the API is on, run this checklist again.",
      ],
    },
  },
  {
    id: "api-enabled-permission",
    title: "The connected user has the API Enabled permission",
    why: "Without API Enabled, Salesforce answers API_CURRENTLY_DISABLED to every call this user makes, even in an edition that has the API.",
    howVerified:
      "The first API call as the connected user (API_CURRENTLY_DISABLED means the permission is off), then UserPermissionAccess.PermissionsApiEnabled, which already unites the profile and every assigned permission set.",
    remedies: {
      "permission-missing": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open Permission Sets; click the set you use for this integration (or New to make one).",
        "Click System Permissions, then Edit.",
        "Tick 'API Enabled' and click Save.",
        "If the set is new: click Manage Assignments, then Add Assignment, pick {user} and click Assign.",
      ],
    },
  },
  {
    id: "user-license",
    title: "The connected user's license allows what the integration does",
    why: "The Salesforce Platform license has no access to CRM objects such as Leads, Opportunities and Cases, whatever the permissions say. An API-only integration user cannot sign in through the browser, so it only works with server-side flows.",
    howVerified:
      "User → Profile → UserLicense.Name for the connected user, compared with the objects the integration declares and the way the connection signs in.",
    remedies: {
      "platform-license": [
        SETUP,
        "Type 'Users' in Quick Find and open Users; click Edit next to {user}.",
        "Under User License pick 'Salesforce' (a Salesforce Platform license cannot see {objects}).",
        "Pick a Profile that goes with the Salesforce license (for example Standard User, or your integration profile cloned from it) and click Save.",
        "Alternatively, connect with a different user who already holds a Salesforce license.",
      ],
      "api-only-interactive": [
        "Connect with a user who holds a Salesforce license, or ask the integration's builder for a server-side (client credentials or JWT) connection that runs as this user.",
      ],
      "license-not-supported": [
        SETUP,
        "Type 'Users' in Quick Find and open Users; click Edit next to {user}.",
        "Under User License pick 'Salesforce', choose a matching Profile, and click Save (the current license, {license}, has no API access to business data).",
      ],
    },
    headings: {
      "api-only-interactive":
        "The user {user} holds the Salesforce Integration (API only) license, which cannot sign in through the browser sign-in this connection uses.",
    },
  },
  {
    id: "app-installed-or-approve-uninstalled",
    title: "The app is installed in the org, or the user may use uninstalled apps",
    why: "Since September 2025 Salesforce refuses sign-ins through a connected app nobody installed in the org, unless the user holds Approve Uninstalled Connected Apps (or Use Any API Client where API Access Control is on).",
    howVerified:
      "ConnectedApplication has a row only for apps installed in the org; UserPermissionAccess gives PermissionsCanApproveUninstalledApps and, where the column exists (only with API Access Control on), PermissionsUseAnyApiClient.",
    remedies: {
      "not-installed": [
        SETUP,
        "Either install the app: type 'Connected Apps OAuth Usage' in Quick Find, find {app} in the list and click Install, then confirm.",
        "Or let the connected user approve it: type 'Permission Sets' in Quick Find, open the set assigned to {user}, click System Permissions, then Edit.",
        "Tick '{permission}' and click Save.",
      ],
    },
  },
  {
    id: "refresh-token-policy",
    title: "The app's refresh tokens stay valid until revoked",
    why: "The integration works while nobody is signed in by trading its refresh token for new access tokens. A policy that expires refresh tokens disconnects it, and someone has to connect again by hand.",
    howVerified:
      "ConnectedApplication.OptionsRefreshTokenValidityMetric and RefreshTokenValidityPeriod, whether the connection received a refresh token, and an introspection of that refresh token as the app (the 'expire immediately' policy looks like 'until revoked' in those fields, but its tokens introspect as inactive).",
    remedies: {
      "policy-expires": [
        SETUP,
        "Type 'Connected Apps OAuth Usage' in Quick Find (or 'Manage Connected Apps'), find {app} and click Manage App Policies (or Edit Policies).",
        "In the OAuth Policies section, under Refresh Token Policy, choose 'Refresh token is valid until revoked'.",
        "Click Save, then connect once more so the connection gets a refresh token under the new policy.",
      ],
      "no-refresh-token": [
        "Ask the integration's builder to add the 'refresh_token' (Perform requests at any time) scope to the app and to the scopes it requests.",
        "Then connect again.",
      ],
    },
    headings: {
      "no-refresh-token": "The connection holds no refresh token, so it stops working when the current session ends.",
    },
  },
  {
    id: "permitted-users",
    title: "The connected user is allowed to use the app",
    why: "An app set to 'Admin approved users are pre-authorized' lets in only users whose profile or permission set is listed on it; everyone else is refused at sign-in and at every refresh.",
    howVerified:
      "ConnectedApplication.OptionsAllowAdminApprovedUsersOnly, and SetupEntityAccess rows linking the app to the profile or permission sets assigned to the user.",
    remedies: {
      "not-pre-authorized": [
        SETUP,
        "Type 'Connected Apps OAuth Usage' in Quick Find (or 'Manage Connected Apps'), find {app} and click Manage App Policies.",
        "Either, in the OAuth Policies section, set Permitted Users to 'All users may self-authorize' and click Save.",
        "Or keep 'Admin approved users are pre-authorized': on the app's page scroll to Profiles (click Manage Profiles) or Permission Sets (click Manage Permission Sets), tick {profile} or a set assigned to {user}, and click Save.",
      ],
    },
  },
  {
    id: "ip-relaxation",
    title: "The app does not refuse the integration's IP addresses",
    why: "When the app enforces IP restrictions, Salesforce refuses sign-ins and refreshes from addresses outside the org's trusted ranges, which includes the servers the integration runs on.",
    howVerified:
      "Salesforce does not expose this policy through the API, so the check stays undecided until a sign-in or refresh is refused as 'IP restricted', which turns it into a failure.",
    remedies: {
      "cannot-read": [
        SETUP,
        "Type 'Connected Apps OAuth Usage' in Quick Find (or 'Manage Connected Apps'), find {app} and click Manage App Policies (or Edit Policies).",
        "In the OAuth Policies section, set IP Relaxation to 'Relax IP restrictions' and click Save.",
      ],
      "ip-restricted": [
        SETUP,
        "Type 'Connected Apps OAuth Usage' in Quick Find (or 'Manage Connected Apps'), find {app} and click Manage App Policies (or Edit Policies).",
        "In the OAuth Policies section, set IP Relaxation to 'Relax IP restrictions' and click Save.",
        "If the user's profile limits Login IP Ranges or Login Hours, widen them: Setup, Quick Find 'Profiles', open {profile}, then Login IP Ranges.",
      ],
    },
    headings: {
      "cannot-read": "Salesforce keeps this setting out of the API, so it has to be checked by hand.",
      "ip-restricted": "Salesforce refused this connection as 'IP restricted' ({observed}).",
    },
  },
  {
    id: "object-access",
    title: "The connected user can read and write the objects the integration declares",
    why: "Objects the user cannot read are invisible to the API (INVALID_TYPE); without Create, Edit or Delete, writes are refused; change events arrive only for objects the user holds View All Records on. For reading, View All Records and View All Fields only widen what the user sees, so their absence is a note, not a failure.",
    howVerified:
      "One SOQL query over ObjectPermissions for every declared object, limited to the permission sets assigned to the user (the profile's included), united as Salesforce does (a permission set group counts through its aggregate permission set), plus View All Data / Modify All Data from UserPermissionAccess. When a group's muting permission set turns a needed permission off, the remedy names the group and the muting set. A declared object no permission set in the org mentions is reported as missing from the org.",
    remedies: {
      "permissions-missing": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click Object Settings; for each object in the steps below, click its name, then Edit.",
        "{missing}",
        "Click Save after each object.",
        "{muted}",
      ],
      "objects-absent": [
        "Install the package that brings {absent}, or ask the integration's builder whether the name is right; the org has no such object.",
        "{muted}",
      ],
      "permissions-and-objects": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click Object Settings; for each object in the steps below, click its name, then Edit.",
        "{missing}",
        "Click Save after each object.",
        "Install the package that brings {absent}, or ask the integration's builder whether the name is right; the org has no such object.",
        "{muted}",
      ],
      "permissions-muted": [
        SETUP,
        "{muted}",
        "Salesforce recalculates the group after the change (its Status returns to Updated); run the checklist again then.",
      ],
    },
    headings: {
      "objects-absent": "The org has no object named {absent}.",
    },
  },
  {
    id: "field-level-security",
    title: "The connected user can see every field the integration reads or writes",
    why: "Fields hidden by field-level security are absent from the API: queries that name them fail with INVALID_FIELD and writes to them are refused.",
    howVerified:
      "One SOQL query over FieldPermissions for every declared field, limited to the user's permission sets; fields Salesforce marks not permissionable (from describe) count as visible when the object is readable; View All Fields counts too.",
    remedies: {
      "fields-hidden": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click Object Settings, click the object, then Edit.",
        "Under Field Permissions tick Read Access for: {fields}. For fields the integration writes, tick Edit Access too.",
        "Click Save.",
        "A field missing from that list does not exist in the org: install the package that brings it, or create it (Quick Find 'Object Manager', the object, Fields & Relationships, New), then grant access as above.",
      ],
    },
  },
  {
    id: "field-editable",
    title: "The connected user can edit every field the integration writes",
    why: "A field the user can see but not edit is refused on insert and update (INVALID_FIELD_FOR_INSERT_UPDATE), so those writes fail record by record.",
    howVerified:
      "The same FieldPermissions query (PermissionsEdit), and describe for fields that are not permissionable or are computed (formulas can never be written).",
    remedies: {
      "fields-read-only": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click Object Settings, click the object, then Edit.",
        "Under Field Permissions tick Edit Access for: {fields}.",
        "Click Save.",
      ],
      "fields-computed": ["Ask the integration's builder to stop declaring {computed} as written."],
      "fields-read-only-and-computed": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click Object Settings, click the object, then Edit.",
        "Under Field Permissions tick Edit Access for: {fields}.",
        "Click Save.",
        "Ask the integration's builder to stop declaring {computed} as written.",
      ],
    },
    headings: {
      "fields-computed":
        "Salesforce computes these fields (formula or system fields) and never lets them be written: {computed}.",
      "fields-read-only-and-computed":
        "The user may not edit {fields}, and Salesforce computes {computed} (formula or system fields), which can never be written.",
    },
  },
  {
    id: "subscription-permissions",
    title: "The connected user holds the permissions change subscriptions need",
    why: "Forcelink subscribes by selecting each declared object for Change Data Capture through the Tooling API (PlatformEventChannelMember: reading it needs View Setup and Configuration, selecting an entity needs Customize Application) and then receives change events, which Salesforce sends only for objects the user holds View All Records on (View All Data for objects without that permission, such as Task and Event; View All Users for User).",
    howVerified:
      "UserPermissionAccess (the user's effective system permissions): View Setup and Configuration and Customize Application (Modify All Data stands for it), plus View All Data or View All Users where a subscribed object needs them. View All Records on each subscribed object is part of the object-access check.",
    remedies: {
      "permissions-missing": [
        SETUP,
        "Type 'Permission Sets' in Quick Find and open the set you use for this integration (assigned to {user}).",
        "Click System Permissions, then Edit.",
        "Tick: {permissions}.",
        "Click Save (Salesforce may tick a few permissions these depend on; keep them).",
      ],
    },
  },
  {
    id: "cdc-allocation",
    title: "Change Data Capture has room for the objects the integration subscribes to",
    why: "An org may select only a limited number of objects for Change Data Capture (5 unless an add-on was bought); past that, the integration cannot receive changes for its objects. Objects already selected need no new room.",
    howVerified:
      "One Tooling query over PlatformEventChannelMember (the objects already selected) compared with the declared subscriptions. The allocation is the one given to Forcelink, and never less than what the org has already selected.",
    remedies: {
      "allocation-used": [
        SETUP,
        "Type 'Change Data Capture' in Quick Find and open it.",
        "Move entities you no longer need from Selected Entities back to Available Entities, so that {needed} fit, and click Save.",
        "Or ask your Salesforce account executive for more Change Data Capture entities.",
      ],
    },
    headings: {
      "allocation-used":
        "The org has selected {selected} of the {allocation} entities it may select for Change Data Capture, and the integration needs room for {needed}.",
    },
  },
  {
    id: "daily-api-quota",
    title: "The org has daily API requests left",
    why: "Salesforce counts API requests over a rolling 24 hours per org; when they run out every integration in the org is refused until the window frees requests.",
    howVerified:
      "The Sforce-Limit-Info header (api-usage=used/max) on the checklist's first API call; a REQUEST_LIMIT_EXCEEDED answer to that call means none are left.",
    remedies: {
      "quota-low": QUOTA_STEPS,
      "quota-exhausted": QUOTA_STEPS,
    },
    headings: {
      "quota-low": "The org has used {used} of its {max} daily API requests.",
      "quota-exhausted":
        "The org has used all of its daily API requests ({observed}); Salesforce refuses every API call until the rolling 24 hours free some.",
    },
  },
  {
    id: "session-security-level",
    title: "The app does not require a High Assurance session",
    why: "An app (or the user's profile) may require a High Assurance session, which only an interactive sign-in with identity verification gives. The sessions an integration holds are standard, so Salesforce refuses them (INSUFFICIENT_ACCESS) on every call.",
    howVerified:
      "ConnectedApplication.OptionsHasSessionLevelPolicy for the app, and the API's answer to the checklist's first call (a refusal naming the session's security level).",
    remedies: {
      "high-assurance-required": [
        SETUP,
        "Type 'Manage Connected Apps' in Quick Find (or 'Connected Apps OAuth Usage'), find {app} and click Edit Policies.",
        "Under Session Policies, set Session Level Policy to None (untick 'High assurance session required') and click Save.",
        "If the user's profile requires it instead: type 'Profiles' in Quick Find, open {profile}, then Session Settings, and set Session Security Level Required at Login to None.",
        "Check Setup, Quick Find 'Identity Verification', Session Security Level Policies too: keep them for people signing in, not for the integration's user.",
      ],
    },
  },
  {
    id: "session-expiry",
    title: "Forcelink knows when each session of the connection ends",
    why: "Salesforce does not say when an access token expires. When the app may introspect the connection's tokens, Forcelink learns each session's real expiry and renews just in time; otherwise it assumes a two-hour session and renews when Salesforce refuses one.",
    howVerified:
      "An introspection of the connection's access token as the app: an answer with `exp` gives the real expiry.",
    remedies: {
      "expiry-assumed": [
        "Ask the integration's builder to tick 'Introspect All Tokens' in the app's OAuth settings (App Manager, the app, Edit, API (Enable OAuth Settings)).",
        "Nothing breaks meanwhile: Forcelink renews a session when Salesforce ends it.",
      ],
    },
  },
];

/** The steps an "unknown" gives, by what kept the checklist from reading: the cause, not a guess. */
export const UNREADABLE_STEPS: Record<UnreadableCause, readonly string[]> = {
  closed: [
    "To let the checklist check for you: open Setup, type 'Permission Sets' in Quick Find, open the set assigned to {user}, click System Permissions, then Edit, tick 'View Setup and Configuration', Save, and run the checklist again.",
  ],
  quota: [
    "Wait until the org has daily API requests free again (see the daily-api-quota check), then run the checklist again.",
  ],
  "api-refused": [
    "Fix what the API access checks (api-access-edition, api-enabled-permission) report, then run the checklist again.",
  ],
  "session-level": ["Fix what the session-security-level check reports, then run the checklist again."],
  "not-installed": [
    "Install the app in the org (see the app-installed-or-approve-uninstalled check), then run the checklist again to read its policies.",
  ],
  "app-not-named": [
    "Ask the integration's builder to name the provider app in Forcelink exactly as the app is named in Salesforce, then run the checklist again.",
  ],
  other: ["Run the checklist again; if it stays undecided, check it by hand."],
};

export type UnreadableCause =
  | "closed"
  | "quota"
  | "api-refused"
  | "session-level"
  | "not-installed"
  | "app-not-named"
  | "other";

/** Which cause a refusal code stands for. */
export function unreadableCause(code: string, checklistItem?: string): UnreadableCause {
  if (code === "REQUEST_LIMIT_EXCEEDED" || checklistItem === "daily-api-quota") return "quota";
  if (checklistItem === "session-security-level") return "session-level";
  if (code === "API_DISABLED_FOR_ORG" || code === "API_CURRENTLY_DISABLED") return "api-refused";
  if (code === "NOT_INSTALLED") return "not-installed";
  if (code === "NOT_KNOWN") return "app-not-named";
  if (["INSUFFICIENT_ACCESS", "INVALID_TYPE", "INVALID_FIELD", "NO_ROWS", "NOT_FOUND"].includes(code)) return "closed";
  return "other";
}

const BY_ID = new Map(CHECKS.map((c) => [c.id, c]));

export function checkDefinition(id: CheckId): CheckDefinition {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`no check '${id}'`);
  return def;
}

export const CHECK_IDS: readonly CheckId[] = CHECKS.map((c) => c.id);
