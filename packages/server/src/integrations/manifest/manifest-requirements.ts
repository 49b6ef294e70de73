import type { ObjectRequirement, RequirementAccess, Requirements } from "../../provider-apps/requirements.ts";
import type { WriteOperationName } from "./manifest-rules.ts";
import type { Manifest } from "./manifest-schema.ts";
import { writesFields } from "./writes-input-schema.ts";

/** The object access each write operation needs: an upsert may create or update. */
const ACCESS_OF: Record<WriteOperationName, RequirementAccess[]> = {
  insert: ["create"],
  update: ["edit"],
  upsert: ["create", "edit"],
  delete: ["delete"],
};

/**
 * What the pre-install checklist must verify for a manifest: read access to each object read, with
 * its listed fields; create, edit and delete access to each object written, as its operations
 * need, with the fields its writes set (which must be editable: `writeFields`). One entry per
 * object (names ignore case), so an object both read and written is asked both.
 */
export function manifestRequirements(manifest: Manifest): Requirements {
  const byName = new Map<string, ObjectRequirement>();
  for (const object of manifest.objects) {
    const access: RequirementAccess[] = object.subscribe ? ["read", "subscribe"] : ["read"];
    byName.set(
      object.name.toLowerCase(),
      object.fields === "all"
        ? { name: object.name, access }
        : { name: object.name, access, fields: [...object.fields] },
    );
  }
  for (const written of manifest.writes?.objects ?? []) {
    const key = written.name.toLowerCase();
    const entry = byName.get(key) ?? { name: written.name, access: [] };
    for (const access of written.operations.flatMap((o) => ACCESS_OF[o]))
      if (!entry.access.includes(access)) entry.access.push(access);
    const writeFields = writesFields(written.operations) ? written.fields : [];
    const fields = entry.fields ?? [];
    for (const f of writeFields) if (!fields.some((x) => x.toLowerCase() === f.toLowerCase())) fields.push(f);
    byName.set(key, {
      ...entry,
      ...(fields.length > 0 ? { fields } : {}),
      writeFields: [...(entry.writeFields ?? []), ...writeFields],
    });
  }
  return { objects: [...byName.values()] };
}
