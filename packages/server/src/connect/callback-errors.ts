/** What a failed connection attempt means for the customer, and what their admin must change. */
export interface ConnectFailure {
  code: string;
  title: string;
  message: string;
  steps: string[];
  /** The builder, not the customer, has to fix it (the app's settings in Salesforce or Forcelink). */
  builderProblem?: boolean;
}

const ADMIN_APPROVED = [
  'Your Salesforce admin opens Setup → Quick Find "Manage Connected Apps" (or "External Client App Manager") → this app.',
  "Under Profiles or Permission Sets, choose Manage and add your profile or a permission set assigned to you.",
  'Or, under Edit Policies, set Permitted Users to "All users may self-authorize".',
  "Then connect again.",
];

/** Table from Salesforce's OAuth error (on the callback or at the code exchange) to an explanation. */
export function explainConnectFailure(error: string, description = ""): ConnectFailure {
  const d = description.toLowerCase();
  if (error === "access_denied") {
    return {
      code: error,
      title: "Access was not approved",
      message: "The Salesforce approval page was declined, so no connection was made.",
      steps: [
        "Connect again and choose Allow on the Salesforce approval page.",
        "If your admin blocks the app, ask them to allow it for your user.",
      ],
    };
  }
  if (error === "invalid_app_access" || d.includes("not admin approved")) {
    return {
      code: "not_admin_approved",
      title: "Your user is not approved for this app",
      message: "The app only lets users an admin approved connect, and yours isn't one of them.",
      steps: ADMIN_APPROVED,
    };
  }
  if (d.includes("must be installed")) {
    return {
      code: "app_not_installed",
      title: "The app must be installed in your org",
      message: "Salesforce only lets users approve apps an admin installed, unless they hold a special permission.",
      steps: [
        'Your admin installs the app: Setup → Quick Find "Connected Apps OAuth Usage" → the app → Install.',
        'Or your admin gives you "Approve Uninstalled Connected Apps" ("Use Any API Client" where API Access Control is on) in a permission set assigned to you.',
        "Then connect again.",
      ],
    };
  }
  if (d.includes("ip restricted") || d.includes("login hours")) {
    return {
      code: "ip_restricted",
      title: "Salesforce refused the login from this network or at this time",
      message: "The org restricts logins by IP address or login hours, and this app does not relax them.",
      steps: [
        'Your admin opens Setup → "Manage Connected Apps" → the app → Edit Policies.',
        "Set IP Relaxation to \"Relax IP restrictions\", or add the server's IP range to your profile's Login IP Ranges.",
        "Check the profile's Login Hours allow access now, then connect again.",
      ],
    };
  }
  if (error === "invalid_scope") {
    return {
      code: error,
      title: "The app asks for access Salesforce does not allow it",
      message: "Salesforce refused one of the OAuth scopes the app requested.",
      steps: [
        "The app's builder adds the missing OAuth scopes (api, refresh_token) to the app in Salesforce, or removes them here.",
      ],
      builderProblem: true,
    };
  }
  if (
    error === "invalid_client" ||
    error === "invalid_client_id" ||
    error === "redirect_uri_mismatch" ||
    error === "unsupported_grant_type"
  ) {
    return {
      code: error,
      title: "The app is not set up correctly",
      message:
        "Salesforce did not accept the app's credentials or callback URL. This is for the app's builder to fix; nothing is wrong with your org.",
      steps: [
        "The builder checks the consumer key and secret, and that the callback URL shown in Forcelink is pasted in the app's OAuth settings in Salesforce.",
      ],
      builderProblem: true,
    };
  }
  if (error === "invalid_grant") {
    if (d.includes("verifier") || d.includes("authorization code")) {
      return {
        code: "code_rejected",
        title: "Salesforce could not verify the sign-in",
        message: `Salesforce did not accept this sign-in's one-time code${description ? ` ("${description}")` : ""}: it was used already, is too old, or does not belong to this sign-in.`,
        steps: ["Connect again from the start."],
      };
    }
    if (d.includes("inactive") || d.includes("frozen")) {
      return {
        code: "inactive_user",
        title: "Your Salesforce user is inactive",
        message: "Deactivated or frozen users cannot connect.",
        steps: ["Ask your admin to activate or unfreeze your user, then connect again."],
      };
    }
  }
  if (error === "inactive_user" || error === "inactive_org") {
    return {
      code: error,
      title: "Your user or org is inactive",
      message: description || "Salesforce reports the user or org as inactive.",
      steps: ["Ask your Salesforce admin to activate it, then connect again."],
    };
  }
  return {
    code: error || "unknown_error",
    title: "Salesforce could not complete the connection",
    message: description ? `Salesforce said: ${description}` : "Salesforce returned an error without a description.",
    steps: ["Connect again. If it keeps failing, send this message to the app's builder."],
  };
}
