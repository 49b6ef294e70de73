/*
 * How a remedy's steps are written out: the templates' placeholders, and the words used where a
 * run found nothing more specific. Shared by the checklist's verdicts and runtime explanations.
 */

/** The system permissions the subscription-permissions check asks for, with their names in Setup. */
export const SUBSCRIPTION_PERMISSIONS = [
  { name: "ViewSetup", label: "View Setup and Configuration" },
  { name: "ViewRoles", label: "View Roles and Role Hierarchy" },
  { name: "ManageCustomPermissions", label: "Manage Custom Permissions" },
  { name: "CustomizeApplication", label: "Customize Application" },
  { name: "ModifyMetadata", label: "Modify Metadata Through Metadata API Functions" },
  { name: "ManageNamedCredentials", label: "Manage Named Credentials" },
] as const;

/** Fills `{name}` placeholders; a step that is only a list placeholder becomes one step per item. */
export function fill(step: string, values: Record<string, string | string[]>): string[] {
  const whole = /^\{(\w+)\}$/.exec(step);
  if (whole && Array.isArray(values[whole[1]])) return values[whole[1]] as string[];
  return [
    step.replace(/\{(\w+)\}/g, (m, key: string) => {
      const v = values[key];
      if (v === undefined) return m;
      return Array.isArray(v) ? v.join(", ") : v;
    }),
  ];
}

/** Words for placeholders a verdict did not fill (an "unknown" shows the check's first remedy). */
export const GENERIC_NAMES: Record<string, string> = {
  edition: "shown there",
  objects: "the objects the integration declares",
  fields: "the fields the integration declares",
  missing:
    "the permissions the integration declares (Read, View All Records, View All Fields to read; Create, Edit, Delete to write)",
  permissions: SUBSCRIPTION_PERMISSIONS.map((p) => p.label).join(", "),
  permission: "Approve Uninstalled Connected Apps (or Use Any API Client where API Access Control is on)",
  license: "not Salesforce",
  selected: "some",
  allocation: "the number",
  needed: "the integration's objects",
  used: "some",
  max: "its",
  observed: "seen while connecting",
};
