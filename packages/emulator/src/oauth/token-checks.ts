import type { ConnectedApp } from "../org/connected-app.ts";
import type { Org } from "../org/org.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { tokenErrors } from "./oauth-errors.ts";
import { ipAllowed, isPreauthorized } from "./user-policy.ts";

/** The checks every grant that yields a user session makes on that user, in Salesforce's order. */
export function checkUserMayGetToken(
  org: Org,
  app: ConnectedApp,
  user: StoredRecord,
  options: { step: "login" | "refresh"; adminApproval: boolean },
): void {
  if (user.IsActive !== true) throw tokenErrors.inactiveUser();
  if (options.adminApproval && app.permittedUsers === "admin_approved") {
    if (!isPreauthorized(app, org.userAccess(user.Id).permissionSetIds)) throw tokenErrors.notAdminApproved();
  }
  if (!ipAllowed(app, org.settings.clientIpTrusted, options.step)) {
    throw tokenErrors.ipRestricted(org.settings.ipRestrictedDescription);
  }
}
