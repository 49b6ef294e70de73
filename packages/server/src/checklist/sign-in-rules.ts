import { type Facts, PLATFORM_EXCLUDED } from "./facts.ts";
import type { AppFacts } from "./org-snapshot.ts";
import { NOT_APPLICABLE, type Outcome, unknown, unknownWithSteps } from "./outcome.ts";

/**
 * The rules about how the connection signs in and keeps its sessions: the API's availability,
 * the user's license, the app's installation and policies.
 */

export function apiAccessEdition(f: Facts): Outcome {
  const api = f.snapshot.api;
  const edition = f.snapshot.organization.ok ? f.snapshot.organization.value.organizationType : undefined;
  if (api.ok) return { verdict: "pass", evidence: { apiAnswered: true, edition } };
  if (api.code === "API_DISABLED_FOR_ORG")
    return {
      verdict: "fail",
      evidence: { apiAnswered: false, error: api.code, message: api.message },
      remedy: { mode: "edition-without-api" },
    };
  if (api.code === "API_CURRENTLY_DISABLED")
    return {
      verdict: "pass",
      evidence: {
        apiAnswered: false,
        error: api.code,
        note: "Salesforce refused the user, not the org: the edition has the API.",
      },
    };
  return unknown(api);
}

export function apiEnabledPermission(f: Facts): Outcome {
  const api = f.snapshot.api;
  if (api.ok) {
    const flag = f.system("ApiEnabled");
    return {
      verdict: "pass",
      evidence: { apiAnswered: true, PermissionsApiEnabled: flag.ok ? flag.value : undefined },
    };
  }
  if (api.code === "API_CURRENTLY_DISABLED")
    return { verdict: "fail", evidence: { apiAnswered: false, error: api.code, message: api.message } };
  return unknown(api);
}

export function userLicense(f: Facts): Outcome {
  const user = f.snapshot.user;
  if (!user.ok) return unknown(user);
  const license = user.value.licenseName;
  const evidence = {
    license,
    licenseKey: user.value.licenseKey,
    profile: user.value.profileName,
    flow: f.context.flow,
  };
  if (!license) return unknown({ code: "NOT_READABLE", message: "the user's license could not be read" }, evidence);
  if (license === "Salesforce") return { verdict: "pass", evidence };
  if (license === "Salesforce Platform") {
    const excluded = f.needs.objects.filter((o) => PLATFORM_EXCLUDED.has(o.name.toLowerCase())).map((o) => o.name);
    if (excluded.length === 0)
      return {
        verdict: "warn",
        evidence,
        reason:
          "A Salesforce Platform license covers the objects declared today, but not CRM objects (Leads, Opportunities, Cases) if the integration needs them later.",
        remedy: { mode: "platform-license", values: { objects: "CRM objects such as Leads, Opportunities and Cases" } },
      };
    return {
      verdict: "fail",
      evidence: { ...evidence, objectsOutsideLicense: excluded },
      remedy: { mode: "platform-license", values: { objects: excluded } },
    };
  }
  if (license === "Salesforce Integration") {
    if (f.context.flow === "web_server") return { verdict: "fail", evidence, remedy: { mode: "api-only-interactive" } };
    return { verdict: "pass", evidence };
  }
  return { verdict: "fail", evidence, remedy: { mode: "license-not-supported", values: { license } } };
}

export function appInstalledOrApproved(f: Facts): Outcome {
  const observed = f.observed("app-installed-or-approve-uninstalled");
  const app = f.snapshot.connectedApp;
  let installed: boolean | undefined = f.context.appInstalled;
  if (app?.ok) installed = app.value !== null;
  const approve = f.system("CanApproveUninstalledApps");
  const useAny = f.snapshot.useAnyApiClient;
  const accessControl = useAny.ok ? true : useAny.code === "INVALID_FIELD" ? false : undefined;
  const evidence = {
    installed,
    PermissionsCanApproveUninstalledApps: approve.ok ? approve.value : undefined,
    apiAccessControl: accessControl,
    PermissionsUseAnyApiClient: useAny.ok ? useAny.value : undefined,
    ...(observed ? { observed } : {}),
  };
  const permission = accessControl ? "Use Any API Client" : "Approve Uninstalled Connected Apps";
  if (observed) return { verdict: "fail", evidence, remedy: { mode: "not-installed", values: { permission } } };
  if (installed === true) return { verdict: "pass", evidence };
  if ((approve.ok && approve.value) || (useAny.ok && useAny.value)) return { verdict: "pass", evidence };
  if (installed === false) {
    if (!approve.ok) return unknown(approve, evidence);
    return { verdict: "fail", evidence, remedy: { mode: "not-installed", values: { permission } } };
  }
  const why = app && !app.ok ? app : { code: "NOT_KNOWN", message: "the app's name in Salesforce was not given" };
  return unknown(why, evidence);
}

export function refreshTokenPolicy(f: Facts): Outcome {
  if (f.context.flow !== "web_server")
    return NOT_APPLICABLE(`the ${f.context.flow} flow gets new tokens from its own credentials, not a refresh token`);
  if (f.context.hasRefreshToken === false)
    return { verdict: "fail", evidence: { hasRefreshToken: false }, remedy: { mode: "no-refresh-token" } };
  const observed = f.observed("refresh-token-policy");
  const probe = f.snapshot.refreshProbe;
  const app = f.snapshot.connectedApp;
  const policy = app?.ok && app.value ? app.value : undefined;
  const evidence: Record<string, unknown> = {
    OptionsRefreshTokenValidityMetric: policy?.refreshTokenValidityMetric,
    RefreshTokenValidityPeriod: policy?.refreshTokenValidityPeriod,
    refreshTokenIntrospection: probe ?? "not attempted",
    ...(observed ? { observed } : {}),
  };
  if (observed)
    return { verdict: "fail", evidence, reason: refusedTokenReason(policy), remedy: { mode: "policy-expires" } };
  if (policy?.refreshTokenValidityMetric)
    return {
      verdict: "warn",
      evidence,
      reason: `Refresh tokens expire after ${hours(policy.refreshTokenValidityPeriod)} unused: a connection left idle that long must be connected again.`,
      remedy: { mode: "policy-expires" },
    };
  if (policy && policy.refreshTokenValidityPeriod !== null)
    return { verdict: "fail", evidence, remedy: { mode: "policy-expires" } };
  if (probe?.ok) {
    if (policy) return { verdict: "pass", evidence };
    return unknown(
      app && !app.ok
        ? app
        : {
            code: "NOT_INSTALLED",
            message:
              "the app is not installed, so its policy cannot be read; Salesforce reports the refresh token as usable today",
          },
      evidence,
    );
  }
  // Nothing here needs the connected user to read more: the admin can simply make sure of the policy.
  return unknownWithSteps(
    "policy-expires",
    {
      code: "UNDECIDED",
      message: policy
        ? "the policy reads as 'valid until revoked', which 'expire immediately' also reads as, and the refresh token was not introspected"
        : "the app's policy could not be read and the refresh token could not be introspected",
    },
    evidence,
  );
}

export function permittedUsers(f: Facts): Outcome {
  const observed = f.observed("permitted-users");
  const app = f.snapshot.connectedApp;
  if (observed) return { verdict: "fail", evidence: { observed }, remedy: { mode: "not-pre-authorized" } };
  if (!app) return unknown({ code: "NOT_KNOWN", message: "the app's name in Salesforce was not given" });
  if (!app.ok) return unknown(app);
  if (app.value === null)
    return unknown({
      code: "NOT_INSTALLED",
      message: "the app is not installed in the org, so its policies cannot be read",
    });
  const evidence: Record<string, unknown> = { OptionsAllowAdminApprovedUsersOnly: app.value.adminApprovedOnly };
  if (!app.value.adminApprovedOnly) return { verdict: "pass", evidence };
  const grants = f.snapshot.appGrants;
  if (!grants.ok) return unknown(grants, evidence);
  const appId = app.value.id.slice(0, 15);
  const via = grants.value.filter((g) => g.setupEntityId.slice(0, 15) === appId).map((g) => f.holderName(g.parentId));
  evidence.preAuthorizedThrough = via;
  if (via.length > 0) return { verdict: "pass", evidence };
  return { verdict: "fail", evidence, remedy: { mode: "not-pre-authorized" } };
}

export function ipRelaxation(f: Facts): Outcome {
  const observed = f.observed("ip-relaxation");
  if (observed)
    return {
      verdict: "fail",
      evidence: { observed },
      remedy: { mode: "ip-restricted", values: { observed: `${observed.code}: ${observed.message}` } },
    };
  return {
    verdict: "unknown",
    evidence: { readableThroughApi: false },
    reason: "Salesforce does not expose a connected app's IP relaxation through the API.",
    remedy: { mode: "cannot-read" },
  };
}

/** A High Assurance requirement refuses every session the integration holds. */
export function sessionSecurityLevel(f: Facts): Outcome {
  const api = f.snapshot.api;
  const app = f.snapshot.connectedApp;
  const policy = app?.ok && app.value ? app.value.highAssuranceRequired : undefined;
  const refused = !api.ok && api.checklistItem === "session-security-level" ? api : undefined;
  const observed = f.observed("session-security-level") ?? refused;
  const evidence: Record<string, unknown> = {
    OptionsHasSessionLevelPolicy: policy,
    ...(observed ? { observed: { code: observed.code, message: observed.message } } : {}),
  };
  if (observed || policy === true) return { verdict: "fail", evidence, remedy: { mode: "high-assurance-required" } };
  // The API took this session: nothing demands more of it.
  if (api.ok) return { verdict: "pass", evidence };
  return unknown(api, evidence);
}

const ASSUMED_SESSION = "two hours";

/** Whether Forcelink learns each session's expiry from introspection, or assumes two hours. */
export function sessionExpiry(f: Facts): Outcome {
  const probe = f.snapshot.accessProbe;
  if (!probe)
    return unknownWithSteps("expiry-assumed", {
      code: "NOT_INTROSPECTED",
      message: "the access token was not introspected",
    });
  if (probe.ok && probe.expiresAt !== null)
    return {
      verdict: "pass",
      evidence: { expiry: "introspected", expiresAt: new Date(probe.expiresAt).toISOString() },
      reason: "Salesforce tells Forcelink when each session ends, so it renews sessions just in time.",
    };
  return {
    verdict: "warn",
    evidence: {
      expiry: "assumed",
      assumedSession: ASSUMED_SESSION,
      ...(probe.ok ? {} : { introspection: { code: probe.code, message: probe.message } }),
    },
    reason: `Introspection did not give the session's expiry, so Forcelink assumes a session of ${ASSUMED_SESSION} and renews one early or when Salesforce ends it.`,
    remedy: { mode: "expiry-assumed" },
  };
}

/**
 * Salesforce refuses an expired and a revoked refresh token alike: what the policy reads says
 * which is likelier, and where it cannot tell, the reason names both.
 */
function refusedTokenReason(policy: AppFacts | undefined): string {
  if (policy?.refreshTokenValidityMetric)
    return `Salesforce no longer accepts the refresh token: the app's policy ends refresh tokens unused for ${hours(policy.refreshTokenValidityPeriod)}.`;
  if (policy && policy.refreshTokenValidityPeriod !== null)
    return `Salesforce no longer accepts the refresh token: the app's policy ends refresh tokens ${hours(policy.refreshTokenValidityPeriod)} after they are issued.`;
  if (policy)
    return "Salesforce no longer accepts the refresh token although the policy reads 'valid until revoked': either the policy is 'expire immediately' (which reads the same), or the token was revoked (by an admin, by the user, or by a sixth connection of the user to the app).";
  return "Salesforce no longer accepts the refresh token: the app's policy expired it, or someone revoked it.";
}

function hours(n: number | null): string {
  if (n === null) return "some hours";
  return `${n} hour${n === 1 ? "" : "s"}`;
}
