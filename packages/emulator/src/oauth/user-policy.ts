import type { HostRole } from "../http/context.ts";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { SystemPermission } from "../schema/setup-objects.ts";

/**
 * Sandbox users exist only behind test.salesforce.com and production users only behind
 * login.salesforce.com; My Domain knows its own org either way.
 */
export function hostServesOrg(role: HostRole, isSandbox: boolean): boolean {
  if (role === "mydomain") return true;
  return isSandbox ? role === "test" : role === "login";
}

export function isPreauthorized(app: ConnectedApp, permissionSetIds: ReadonlySet<string>): boolean {
  return app.preauthorizedPermissionSetIds.some((id) => permissionSetIds.has(id));
}

export type AppAccess = "ok" | "not_installed" | "not_admin_approved";

/**
 * Whether a user may authorize an app. Since Sept 2025 an app no admin installed needs Approve
 * Uninstalled Connected Apps, or Use Any API Client where API Access Control is on.
 */
export function appAccess(
  app: ConnectedApp,
  user: { system: ReadonlySet<SystemPermission>; permissionSetIds: ReadonlySet<string> },
  apiAccessControl: boolean,
): AppAccess {
  if (!app.installed) {
    const allowed =
      user.system.has("CanApproveUninstalledApps") || (apiAccessControl && user.system.has("UseAnyApiClient"));
    if (!allowed) return "not_installed";
  }
  if (app.permittedUsers === "admin_approved" && !isPreauthorized(app, user.permissionSetIds))
    return "not_admin_approved";
  return "ok";
}

/**
 * The app's IP relaxation: "enforce" refuses callers outside the trusted ranges everywhere,
 * "relax_refresh" still lets them redeem refresh tokens, "relax" never refuses.
 */
export function ipAllowed(app: ConnectedApp, clientIpTrusted: boolean, step: "login" | "refresh"): boolean {
  if (clientIpTrusted || app.ipRelaxation === "relax") return true;
  return app.ipRelaxation === "relax_refresh" && step === "refresh";
}
