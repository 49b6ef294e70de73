import { OrgAdmin } from "../org/admin.ts";
import { Org, type OrgOptions } from "../org/org.ts";
import { SYSTEM_PERMISSIONS, type SystemPermission } from "../schema/setup-objects.ts";

export const STANDARD_DATA_OBJECTS = ["Account", "Contact", "Lead", "Opportunity", "Case"];

const ADMIN_PERMISSIONS = SYSTEM_PERMISSIONS.filter((p) => p !== "ApiUserOnly" && p !== "UseAnyApiClient");
const STANDARD_USER_PERMISSIONS: SystemPermission[] = ["ApiEnabled"];

/**
 * A fresh org with what every Salesforce org has: the user licenses, the standard profiles with
 * their object and field permissions, and one System Administrator.
 */
export function createBaseOrg(options: OrgOptions & { adminUsername?: string; adminPassword?: string } = {}): {
  org: Org;
  admin: OrgAdmin;
} {
  const org = new Org(options);
  const admin = new OrgAdmin(org);
  admin.license("Salesforce", "SFDC");
  admin.license("Salesforce Platform", "AUL");
  admin.license("Salesforce Integration", "SFDC_INTEGRATION");
  admin.license("Chatter Free", "CHATTER");

  admin.profile("System Administrator", "Salesforce", ADMIN_PERMISSIONS);
  admin.profile("Standard User", "Salesforce", STANDARD_USER_PERMISSIONS);
  admin.profile("Standard Platform User", "Salesforce Platform", STANDARD_USER_PERMISSIONS);
  admin.profile("Minimum Access - API Only Integrations", "Salesforce Integration", ["ApiEnabled", "ApiUserOnly"]);

  for (const objectName of STANDARD_DATA_OBJECTS) grantFullAccess(admin, "System Administrator", objectName);
  for (const objectName of STANDARD_DATA_OBJECTS) {
    admin.setObjectPermissions("Standard User", objectName, ["Read", "Create", "Edit", "Delete"]);
    admin.setFieldPermissions("Standard User", `${objectName}.*`, "edit");
  }
  for (const objectName of ["Account", "Contact"]) {
    admin.setObjectPermissions("Standard Platform User", objectName, ["Read", "Create", "Edit", "Delete"]);
    admin.setFieldPermissions("Standard Platform User", `${objectName}.*`, "edit");
  }

  admin.user({
    username: options.adminUsername ?? `admin@${org.myDomain}.example`,
    password: options.adminPassword ?? "admin-password-1",
    profile: "System Administrator",
    firstName: "Ada",
    lastName: "Admin",
  });
  return { org, admin };
}

export function grantFullAccess(admin: OrgAdmin, holder: string, objectName: string): void {
  admin.setObjectPermissions(holder, objectName, [
    "Read",
    "Create",
    "Edit",
    "Delete",
    "ViewAllRecords",
    "ModifyAllRecords",
    "ViewAllFields",
  ]);
  admin.setFieldPermissions(holder, `${objectName}.*`, "edit");
}
