import type { FieldDef, FieldType, ObjectAccess, ObjectDef, PicklistValue } from "./types.ts";

type FieldOptions = Partial<Omit<FieldDef, "name" | "type">>;

const LENGTHS: Partial<Record<FieldType, number>> = {
  id: 18,
  string: 255,
  textarea: 32000,
  reference: 18,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  encryptedstring: 175,
};

function humanize(name: string): string {
  return name
    .replace(/__c$/, "")
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2");
}

/** A field with Salesforce's defaults for a plain, optional, writable custom-or-standard field. */
export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const custom = name.endsWith("__c");
  const textual = !["boolean", "address", "location", "base64", "textarea", "multipicklist"].includes(type);
  const numeric = ["int", "double", "currency", "percent"].includes(type);
  return {
    name,
    label: options.label ?? humanize(name),
    type,
    length: LENGTHS[type] ?? 0,
    precision: numeric ? 18 : 0,
    scale: type === "currency" ? 2 : 0,
    nillable: type !== "boolean",
    createable: true,
    updateable: true,
    defaultedOnCreate: type === "boolean",
    calculated: false,
    calculatedFormula: null,
    autoNumber: false,
    unique: false,
    externalId: false,
    idLookup: false,
    nameField: false,
    custom,
    compoundFieldName: null,
    components: null,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    restrictedPicklist: false,
    filterable: type !== "textarea" && type !== "address" && type !== "location",
    sortable: textual || numeric || type === "boolean" || type === "date" || type === "datetime",
    groupable: textual || type === "boolean" || type === "date",
    aggregatable: textual || numeric || type === "date" || type === "datetime",
    permissionable: true,
    ...options,
  };
}

/** A system-maintained field: read-only, never in field-level security. */
export function systemField(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return field(name, type, {
    nillable: false,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
    permissionable: false,
    ...options,
  });
}

export function reference(name: string, referenceTo: string, relationshipName: string, options: FieldOptions = {}) {
  return field(name, "reference", { referenceTo: [referenceTo], relationshipName, ...options });
}

export function picklist(name: string, values: string[], options: FieldOptions = {}): FieldDef {
  const picklistValues: PicklistValue[] = values.map((value) => ({
    value,
    label: value,
    active: true,
    defaultValue: false,
  }));
  return field(name, "picklist", { picklistValues, ...options });
}

/** The audit fields every record carries. */
export function auditFields(): FieldDef[] {
  return [
    systemField("Id", "id", { idLookup: true, groupable: true }),
    systemField("IsDeleted", "boolean"),
    systemField("CreatedDate", "datetime"),
    systemField("CreatedById", "reference", { referenceTo: ["User"], relationshipName: "CreatedBy" }),
    systemField("LastModifiedDate", "datetime"),
    systemField("LastModifiedById", "reference", { referenceTo: ["User"], relationshipName: "LastModifiedBy" }),
    systemField("SystemModstamp", "datetime"),
  ];
}

/** An address compound field and its components, named with a prefix such as Billing or Mailing. */
export function addressFields(prefix: string): FieldDef[] {
  const compound = `${prefix}Address`;
  const parts: Array<[string, string, FieldType]> = [
    ["street", `${prefix}Street`, "textarea"],
    ["city", `${prefix}City`, "string"],
    ["state", `${prefix}State`, "string"],
    ["postalCode", `${prefix}PostalCode`, "string"],
    ["country", `${prefix}Country`, "string"],
    ["latitude", `${prefix}Latitude`, "double"],
    ["longitude", `${prefix}Longitude`, "double"],
    ["geocodeAccuracy", `${prefix}GeocodeAccuracy`, "picklist"],
  ];
  const components: Record<string, string> = {};
  const fields: FieldDef[] = [];
  for (const [key, name, type] of parts) {
    components[key] = name;
    fields.push(
      field(name, type, {
        compoundFieldName: compound,
        length: type === "string" ? (key === "postalCode" ? 20 : 80) : type === "textarea" ? 255 : 0,
        precision: type === "double" ? 18 : 0,
        scale: type === "double" ? 15 : 0,
      }),
    );
  }
  fields.unshift(
    field(compound, "address", {
      createable: false,
      updateable: false,
      components,
      filterable: false,
      sortable: false,
      groupable: false,
      aggregatable: false,
    }),
  );
  return fields;
}

export interface ObjectOptions {
  label?: string;
  labelPlural?: string;
  access?: ObjectAccess;
  tooling?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  replicateable?: boolean;
  bulkQueryable?: boolean;
  auditFields?: boolean;
}

export function defineObject(
  name: string,
  keyPrefix: string,
  fields: FieldDef[],
  options: ObjectOptions = {},
): ObjectDef {
  const writable = options.access === undefined || options.access === "data";
  const all = options.auditFields === false ? fields : [...auditFields(), ...fields];
  const label = options.label ?? humanize(name);
  return {
    name,
    label,
    labelPlural: options.labelPlural ?? `${label}s`,
    keyPrefix,
    custom: name.endsWith("__c"),
    access: options.access ?? "data",
    tooling: options.tooling ?? false,
    createable: options.createable ?? writable,
    updateable: options.updateable ?? writable,
    deletable: options.deletable ?? writable,
    queryable: true,
    replicateable: options.replicateable ?? writable,
    searchable: writable,
    undeletable: writable,
    triggerable: writable,
    bulkQueryable: options.bulkQueryable ?? writable,
    fields: all,
    fieldMap: new Map(all.map((f) => [f.name.toLowerCase(), f])),
    childRelationships: [],
  };
}

/** Adds fields to an object (custom fields from a seed), keeping the lookup map in step. */
export function addFields(def: ObjectDef, fields: FieldDef[]): void {
  for (const f of fields) {
    if (def.fieldMap.has(f.name.toLowerCase())) continue;
    def.fields.push(f);
    def.fieldMap.set(f.name.toLowerCase(), f);
  }
}
