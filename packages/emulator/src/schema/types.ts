export type FieldType =
  | "id"
  | "string"
  | "textarea"
  | "boolean"
  | "int"
  | "double"
  | "currency"
  | "percent"
  | "date"
  | "datetime"
  | "picklist"
  | "multipicklist"
  | "reference"
  | "email"
  | "phone"
  | "url"
  | "address"
  | "location"
  | "base64"
  | "encryptedstring";

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  calculated: boolean;
  calculatedFormula: string | null;
  autoNumber: boolean;
  unique: boolean;
  externalId: boolean;
  idLookup: boolean;
  nameField: boolean;
  custom: boolean;
  /** The compound field this one is a component of (BillingCity belongs to BillingAddress). */
  compoundFieldName: string | null;
  /** For a compound field: the component field names, by the key they take in the compound value. */
  components: Record<string, string> | null;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  filterable: boolean;
  sortable: boolean;
  groupable: boolean;
  aggregatable: boolean;
  /** False for required and system fields: they never get FieldPermissions rows. */
  permissionable: boolean;
  /** Present on formula fields: computes the value from the stored record. */
  formula?: (record: Record<string, unknown>) => unknown;
  defaultValue?: unknown;
}

/** How reading an object is authorised. */
export type ObjectAccess =
  /** ObjectPermissions and field-level security apply. */
  | "data"
  /** Readable with View Setup and Configuration (or Modify All Data); FLS does not apply. */
  | "setup"
  /** Readable by every API user. */
  | "public";

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string;
  cascadeDelete: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  access: ObjectAccess;
  /** Lives in the Tooling API rather than the data API. */
  tooling: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  replicateable: boolean;
  searchable: boolean;
  undeletable: boolean;
  triggerable: boolean;
  /** Bulk API 2.0 can query it. */
  bulkQueryable: boolean;
  fields: FieldDef[];
  fieldMap: Map<string, FieldDef>;
  childRelationships: ChildRelationship[];
}

export function fieldOf(def: ObjectDef, name: string): FieldDef | undefined {
  return def.fieldMap.get(name.toLowerCase());
}
