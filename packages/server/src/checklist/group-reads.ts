import type { ChecklistNeeds } from "./needs.ts";
import { chunks, merge, path, quote, str } from "./org-reads.ts";
import {
  OBJECT_PERMISSION_COLUMNS,
  type ObjectPermissionColumn,
  type PermissionSetFacts,
  type Query,
  type Reading,
} from "./org-snapshot.ts";

/**
 * What one permission set group of the user turns off through its muting permission set: the
 * object permissions and field permissions muted, for the objects and fields the integration
 * declares.
 */
export interface GroupMute {
  groupLabel: string;
  mutingName: string;
  /** Lower-cased object name to the permissions muted on it. */
  objects: Record<string, ObjectPermissionColumn[]>;
  /** Lower-cased `Object.Field` to what is muted on it. */
  fields: Record<string, { read: boolean; edit: boolean }>;
}

const IDS_PER_QUERY = 200;

/**
 * Reads, only when the user holds a permission set group, the group's muting permission sets and
 * what they mute on the declared objects and fields: a permission a group's sets grant but its
 * muting set turns off is explained by naming both. Three or four queries, none without groups.
 */
export async function readGroupMutes(
  query: Query,
  needs: ChecklistNeeds,
  permissionSets: Reading<PermissionSetFacts[]>,
): Promise<Reading<GroupMute[]> | null> {
  if (!permissionSets.ok) return null;
  const groupIds = [...new Set(permissionSets.value.flatMap((ps) => (ps.groupId ? [ps.groupId] : [])))];
  if (groupIds.length === 0) return null;
  const components = merge(
    await Promise.all(
      chunks(groupIds, IDS_PER_QUERY).map((ids) =>
        query(
          "SELECT PermissionSetGroupId, PermissionSetGroup.MasterLabel, PermissionSetId FROM PermissionSetGroupComponent " +
            `WHERE PermissionSetGroupId IN (${ids.map(quote).join(", ")})`,
          (r) => ({
            groupLabel: str(path(r, "PermissionSetGroup", "MasterLabel")) ?? String(r.PermissionSetGroupId),
            memberId: String(r.PermissionSetId),
          }),
        ),
      ),
    ),
  );
  if (!components.ok) return components;
  // Muting permission sets have their own key prefix; permission sets are 0PS.
  const mutings = components.value.filter((c) => c.memberId.startsWith("0QM"));
  if (mutings.length === 0) return { ok: true, value: [] };
  const mutingIds = mutings.map((m) => quote(m.memberId)).join(", ");
  const names = await query(`SELECT Id, DeveloperName FROM MutingPermissionSet WHERE Id IN (${mutingIds})`, (r) => [
    String(r.Id),
    String(r.DeveloperName ?? r.Id),
  ]);
  if (!names.ok) return names;
  const mutes = new Map<string, GroupMute>(
    mutings.map((m) => [
      m.memberId,
      {
        groupLabel: m.groupLabel,
        mutingName: new Map(names.value as Array<[string, string]>).get(m.memberId) ?? m.memberId,
        objects: {},
        fields: {},
      },
    ]),
  );
  if (needs.objects.length === 0) return { ok: true, value: [...mutes.values()] };
  const objectNames = needs.objects.map((o) => quote(o.name)).join(", ");
  const columns = OBJECT_PERMISSION_COLUMNS.map((p) => `Permissions${p}`).join(", ");
  const objects = await query(
    `SELECT ParentId, SobjectType, ${columns} FROM ObjectPermissions WHERE ParentId IN (${mutingIds}) AND SobjectType IN (${objectNames})`,
    (r) => ({ parentId: String(r.ParentId), object: String(r.SobjectType).toLowerCase(), row: r }),
  );
  if (!objects.ok) return objects;
  for (const { parentId, object, row } of objects.value) {
    const mute = mutes.get(parentId);
    if (mute) mute.objects[object] = OBJECT_PERMISSION_COLUMNS.filter((p) => row[`Permissions${p}`] === true);
  }
  if (needs.fields.length > 0) {
    const fields = await query(
      `SELECT ParentId, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId IN (${mutingIds}) ` +
        `AND Field IN (${needs.fields.map((f) => quote(f.path)).join(", ")})`,
      (r) => ({ parentId: String(r.ParentId), field: String(r.Field).toLowerCase(), r }),
    );
    if (!fields.ok) return fields;
    for (const { parentId, field, r } of fields.value) {
      const mute = mutes.get(parentId);
      if (mute) mute.fields[field] = { read: r.PermissionsRead === true, edit: r.PermissionsEdit === true };
    }
  }
  return { ok: true, value: [...mutes.values()] };
}
