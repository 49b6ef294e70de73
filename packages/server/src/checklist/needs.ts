import type { Requirements } from "../provider-apps/requirements.ts";

/** Object permissions as ObjectPermissions names them (`Permissions<Name>`). */
export type ObjectPermissionName = "Read" | "Create" | "Edit" | "Delete" | "ViewAllRecords" | "ViewAllFields";

export interface ObjectNeed {
  name: string;
  read: boolean;
  /** Any of create, edit or delete: declared fields must be editable. */
  write: boolean;
  subscribe: boolean;
  /** The object permissions the declared access needs, in a stable order. */
  permissions: ObjectPermissionName[];
  /** Permissions that only widen what a read sees (every record, every field): a note, not a need. */
  widening: ObjectPermissionName[];
}

export interface FieldNeed {
  object: string;
  field: string;
  /** `Object.Field`, as FieldPermissions.Field spells it. */
  path: string;
  read: boolean;
  write: boolean;
}

export interface ChecklistNeeds {
  objects: ObjectNeed[];
  fields: FieldNeed[];
  subscribes: boolean;
}

const ORDER: ObjectPermissionName[] = ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ViewAllFields"];

/**
 * What the declared requirements ask of the org. Reading needs Read; View All Records and View
 * All Fields only widen what it sees (records not shared with the user, fields without their own
 * grant), so they are asked as a note. `create`, `edit` and `delete` need Create, Edit and Delete
 * each (`write` means all three); subscribing needs Read and View All Records (Change Data Capture
 * sends change events only for objects the subscriber holds View All Records on). Declared fields
 * are read by any object access and written by any of create, edit or write (a delete writes no
 * field); when the requirement says which fields are written (`writeFields`, from a manifest's
 * writes), only those are.
 */
export function needsFrom(requirements: Requirements): ChecklistNeeds {
  const objects: ObjectNeed[] = [];
  const fields: FieldNeed[] = [];
  for (const o of requirements.objects) {
    const read = o.access.includes("read");
    const all = o.access.includes("write");
    const create = all || o.access.includes("create");
    const edit = all || o.access.includes("edit");
    const del = all || o.access.includes("delete");
    const subscribe = o.access.includes("subscribe");
    const wanted = new Set<ObjectPermissionName>(["Read"]);
    const widening = new Set<ObjectPermissionName>();
    if (read) for (const p of ["ViewAllRecords", "ViewAllFields"] as const) widening.add(p);
    if (create) wanted.add("Create");
    if (edit) wanted.add("Edit");
    if (del) wanted.add("Delete");
    if (subscribe) wanted.add("ViewAllRecords");
    const write = create || edit || del;
    const writesFields = create || edit;
    objects.push({
      name: o.name,
      read,
      write,
      subscribe,
      permissions: ORDER.filter((p) => wanted.has(p)),
      widening: ORDER.filter((p) => widening.has(p) && !wanted.has(p)),
    });
    const written = o.writeFields ? new Set(o.writeFields.map((f) => f.toLowerCase())) : undefined;
    const seen = new Set<string>();
    for (const f of [...(o.fields ?? []), ...(o.writeFields ?? [])]) {
      if (seen.has(f.toLowerCase())) continue;
      seen.add(f.toLowerCase());
      const write = writesFields && (written ? written.has(f.toLowerCase()) : true);
      fields.push({ object: o.name, field: f, path: `${o.name}.${f}`, read: true, write });
    }
  }
  return { objects, fields, subscribes: objects.some((o) => o.subscribe) };
}

/** The Change Data Capture entity of an object: Account → AccountChangeEvent, Foo__c → Foo__ChangeEvent. */
export function changeEventName(objectName: string): string {
  return objectName.endsWith("__c") ? `${objectName.slice(0, -3)}__ChangeEvent` : `${objectName}ChangeEvent`;
}
