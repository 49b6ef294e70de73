import type { ChecklistItemId } from "@forcelink/salesforce";

/**
 * The one catalogue of what Forcelink tells people about a Salesforce failure, keyed by the error
 * table's reason ids (`oauth.app_not_installed`…) and by checklist item ids. The library's error
 * table is the only code that reads Salesforce's message text; everything here starts from the
 * reason it found. Three audiences read it: the customer on the connect page (`forCustomer`),
 * the builder calling the API (`forBuilder`), and the checklist's runtime pointers
 * (`RUNTIME_REMEDY_OF_CHECK`, `ITEMS_OUTSIDE_CHECKLIST`).
 */

/** What a failed connection attempt means for the customer, and what their admin must change. */
export interface CustomerExplanation {
  /** Stable code for the session's error; the OAuth error itself when absent. */
  code?: string;
  title: string;
  message: string;
  steps: string[];
  /** The builder, not the customer, has to fix it (the app's settings in Salesforce or Forcelink). */
  builderProblem?: boolean;
  /** Salesforce's own words tell the customer which of several causes it was: quote them. */
  quotesSalesforce?: boolean;
}

const ADMIN_APPROVED: CustomerExplanation = {
  code: "not_admin_approved",
  title: "Your user is not approved for this app",
  message: "The app only lets users an admin approved connect, and yours isn't one of them.",
  steps: [
    'Your Salesforce admin opens Setup → Quick Find "Manage Connected Apps" (or "External Client App Manager") → this app.',
    "Under Profiles or Permission Sets, choose Manage and add your profile or a permission set assigned to you.",
    'Or, under Edit Policies, set Permitted Users to "All users may self-authorize".',
    "Then connect again.",
  ],
};

const APP_NOT_SET_UP: CustomerExplanation = {
  title: "The app is not set up correctly",
  message:
    "Salesforce did not accept the app's credentials or callback URL. This is for the app's builder to fix; nothing is wrong with your org.",
  steps: [
    "The builder checks the consumer key and secret, and that the callback URL shown in Forcelink is pasted in the app's OAuth settings in Salesforce.",
  ],
  builderProblem: true,
};

const CODE_REJECTED: CustomerExplanation = {
  code: "code_rejected",
  title: "Salesforce could not verify the sign-in",
  message:
    "Salesforce did not accept this sign-in's one-time code: it was used already, is too old, or does not belong to this sign-in.",
  quotesSalesforce: true,
  steps: ["Connect again from the start."],
};

const FOR_CUSTOMER: Record<string, CustomerExplanation> = {
  "oauth.access_denied": {
    title: "Access was not approved",
    message: "The Salesforce approval page was declined, so no connection was made.",
    steps: [
      "Connect again and choose Allow on the Salesforce approval page.",
      "If your admin blocks the app, ask them to allow it for your user.",
    ],
  },
  "oauth.user_not_admin_approved": ADMIN_APPROVED,
  "oauth.user_not_approved": ADMIN_APPROVED,
  "oauth.app_not_installed": {
    code: "app_not_installed",
    title: "The app must be installed in your org",
    message: "Salesforce only lets users approve apps an admin installed, unless they hold a special permission.",
    steps: [
      'Your admin installs the app: Setup → Quick Find "Connected Apps OAuth Usage" → the app → Install.',
      'Or your admin gives you "Approve Uninstalled Connected Apps" ("Use Any API Client" where API Access Control is on) in a permission set assigned to you.',
      "Then connect again.",
    ],
  },
  "oauth.ip_restricted": {
    code: "ip_restricted",
    title: "Salesforce refused the login from this network or at this time",
    message: "The org restricts logins by IP address or login hours, and this app does not relax them.",
    steps: [
      'Your admin opens Setup → "Manage Connected Apps" → the app → Edit Policies.',
      "Set IP Relaxation to \"Relax IP restrictions\", or add the server's IP range to your profile's Login IP Ranges.",
      "Check the profile's Login Hours allow access now, then connect again.",
    ],
  },
  "oauth.scope_not_allowed": {
    title: "The app asks for access Salesforce does not allow it",
    message: "Salesforce refused one of the OAuth scopes the app requested.",
    steps: [
      "The app's builder adds the missing OAuth scopes (api, refresh_token) to the app in Salesforce, or removes them here.",
    ],
    builderProblem: true,
  },
  "oauth.consumer_key_unknown": {
    ...APP_NOT_SET_UP,
    steps: [
      "The builder checks the consumer key: a key copied wrong is the most common cause.",
      "A new app's key takes a few minutes (up to 10) to work in Salesforce: wait and try again.",
      "If it still fails, the builder gives the Salesforce user who owns the app a password without special characters (letters and digits only), a cause field reports tie to this error.",
    ],
  },
  "oauth.consumer_secret_wrong": APP_NOT_SET_UP,
  "oauth.redirect_uri_mismatch": APP_NOT_SET_UP,
  "oauth.flow_not_enabled": APP_NOT_SET_UP,
  "oauth.code_verifier_invalid": CODE_REJECTED,
  "oauth.code_invalid": CODE_REJECTED,
  "oauth.user_inactive": {
    code: "inactive_user",
    title: "Your user or org is inactive",
    message: "Salesforce reports your user as inactive or frozen; such users cannot connect.",
    steps: ["Ask your Salesforce admin to activate it (or unfreeze your user), then connect again."],
  },
  "oauth.org_inactive": {
    code: "inactive_org",
    title: "Your user or org is inactive",
    message: "Salesforce reports your org as locked, suspended or expired.",
    steps: ["Ask your Salesforce admin to activate it, then connect again."],
  },
};

/** The reason ids the connect page explains in its own words. */
export const CUSTOMER_REASONS: readonly string[] = Object.keys(FOR_CUSTOMER);

/** The customer's explanation of a reason id, or undefined when only the generic one fits. */
export function forCustomer(reason: string): CustomerExplanation | undefined {
  return FOR_CUSTOMER[reason];
}

/**
 * What the builder is told when Salesforce refuses a connection the server makes itself (client
 * credentials, JWT bearer): there the builder holds the org's settings, so the steps are theirs.
 * Reasons without an entry use the error table's own remedy.
 */
const FOR_BUILDER: Record<string, string> = {
  "oauth.client_credentials_wrong_domain":
    "The client-credentials flow works only on the org's My Domain (https://<name>.my.salesforce.com), never on login.salesforce.com or test.salesforce.com: pass the org's My Domain.",
  "oauth.client_credentials_user_missing":
    'In Salesforce, open the app\'s policies (Setup → Manage Connected Apps or External Client App Manager → the app → Edit Policies), tick "Enable Client Credentials Flow" and choose a Run As user (an API-only integration user is best).',
  "oauth.user_not_approved":
    'The user must approve the app once, or an admin must pre-authorize them: set Permitted Users to "Admin approved users are pre-authorized" and add the user\'s profile or permission set to the app.',
  "oauth.jwt_audience_invalid":
    "The JWT audience must be the environment's login host: choose environment production or sandbox to match the org.",
};

/** The reason ids the server-side flows explain in their own words. */
export const BUILDER_REASONS: readonly string[] = Object.keys(FOR_BUILDER);

export function forBuilder(reason: string): string | undefined {
  return FOR_BUILDER[reason];
}

/**
 * Which of a check's remedies applies to a failure met at runtime: the check's own steps (in the
 * checklist's definitions), chosen by check id.
 */
export const RUNTIME_REMEDY_OF_CHECK: Partial<Record<ChecklistItemId, string>> = {
  "api-access-edition": "edition-without-api",
  "api-enabled-permission": "permission-missing",
  "user-license": "license-not-supported",
  "app-installed-or-approve-uninstalled": "not-installed",
  "refresh-token-policy": "policy-expires",
  "session-security-level": "high-assurance-required",
  "permitted-users": "not-pre-authorized",
  "ip-relaxation": "ip-restricted",
  "object-access": "permissions-missing",
  "field-level-security": "fields-hidden",
  "field-editable": "fields-read-only",
  "subscription-permissions": "permissions-missing",
  "cdc-allocation": "allocation-used",
  "daily-api-quota": "quota-low",
};

/** Items of the error table the checklist cannot verify through the API, with a title of their own. */
export const ITEMS_OUTSIDE_CHECKLIST: Partial<Record<ChecklistItemId, string>> = {
  "record-access": "The connected user can reach the records involved (sharing)",
  "oauth-scopes": "The app and the connection carry the OAuth scopes the integration needs",
  "client-credentials-user": "The app's client credentials flow runs as an enabled user",
  "user-active": "The connected user is active and can sign in",
};
