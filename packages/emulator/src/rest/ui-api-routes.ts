import { ApiError, notFound } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import type { SchemaView } from "../org/visibility.ts";
import type { FieldDef, FieldType, ObjectDef } from "../schema/types.ts";
import { apiVersion } from "./discovery-routes.ts";
import { pathObject } from "./path-object.ts";

const rest = { kind: "rest", auth: "api" } as const;
/** The org has no record types of its own: every object has only the master one, under this id. */
export const MASTER_RECORD_TYPE_ID = "012000000000000AAA";

const DATA_TYPES: Record<FieldType, string> = {
  id: "String",
  string: "String",
  textarea: "TextArea",
  boolean: "Boolean",
  int: "Int",
  double: "Double",
  currency: "Currency",
  percent: "Percent",
  date: "Date",
  datetime: "DateTime",
  picklist: "Picklist",
  multipicklist: "MultiPicklist",
  reference: "Reference",
  email: "Email",
  phone: "Phone",
  url: "Url",
  address: "Address",
  location: "Location",
  base64: "Base64",
  encryptedstring: "EncryptedString",
};

function fieldInfo(view: SchemaView, def: ObjectDef, f: FieldDef) {
  return {
    apiName: f.name,
    calculated: f.calculated,
    compound: f.components !== null,
    compoundFieldName: f.compoundFieldName,
    controllerName: null,
    controllingFields: [],
    createable: f.createable && view.canEdit(def, f),
    custom: f.custom,
    dataType: DATA_TYPES[f.type],
    externalId: f.externalId,
    filterable: f.filterable,
    label: f.label,
    length: f.length,
    nameField: f.nameField,
    precision: f.precision,
    reference: f.type === "reference",
    referenceToInfos: f.referenceTo.map((apiName) => ({ apiName, nameFields: ["Name"] })),
    relationshipName: f.relationshipName,
    required: !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== "boolean",
    scale: f.scale,
    sortable: f.sortable,
    unique: f.unique,
    updateable: f.updateable && view.canEdit(def, f),
  };
}

function objectInfo(view: SchemaView, def: ObjectDef) {
  const fields = view.fields(def);
  return {
    apiName: def.name,
    childRelationships: def.childRelationships.map((c) => ({
      childObjectApiName: c.childSObject,
      fieldName: c.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: c.relationshipName,
    })),
    createable: def.createable,
    custom: def.custom,
    defaultRecordTypeId: MASTER_RECORD_TYPE_ID,
    deletable: def.deletable,
    dependentFields: {},
    fields: Object.fromEntries(fields.map((f) => [f.name, fieldInfo(view, def, f)])),
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    nameFields: fields.filter((f) => f.nameField).map((f) => f.name),
    queryable: def.queryable,
    recordTypeInfos: {
      [MASTER_RECORD_TYPE_ID]: {
        available: true,
        defaultRecordTypeMapping: true,
        master: true,
        name: "Master",
        recordTypeId: MASTER_RECORD_TYPE_ID,
      },
    },
    searchable: def.searchable,
    updateable: def.updateable,
  };
}

function picklistValues(version: string, def: ObjectDef, f: FieldDef) {
  const active = f.picklistValues.filter((p) => p.active);
  const fallback = active.find((p) => p.defaultValue);
  return {
    controllerValues: {},
    defaultValue: fallback ? { attributes: null, label: fallback.label, validFor: [], value: fallback.value } : null,
    url: `/services/data/v${version}/ui-api/object-info/${def.name}/picklist-values/${MASTER_RECORD_TYPE_ID}/${f.name}`,
    values: active.map((p) => ({ attributes: null, label: p.label, validFor: [], value: p.value })),
  };
}

function masterRecordType(recordTypeId: string): void {
  const id = recordTypeId.length === 15 ? `${recordTypeId}AAA` : recordTypeId;
  if (id !== MASTER_RECORD_TYPE_ID)
    throw new ApiError(
      404,
      "NOT_FOUND",
      `The record type ${recordTypeId} is not available; this org has only the master record type ${MASTER_RECORD_TYPE_ID}.`,
    );
}

/**
 * The reads of the User Interface API that clients use for schema and picklists: object info,
 * and the picklist values of an object (every field, or one) for its record type.
 */
export function registerUiApiRoutes(router: Router): void {
  const base = "/services/data/:version/ui-api/object-info/:object";
  router.add("GET", base, rest, (ctx) => {
    const { view, def } = pathObject(ctx);
    return json(objectInfo(view, def));
  });
  router.add("GET", `${base}/picklist-values/:recordTypeId`, rest, (ctx) => {
    const { view, def } = pathObject(ctx);
    masterRecordType(ctx.params.recordTypeId!);
    const version = apiVersion(ctx.params.version);
    const fields = view.fields(def).filter((f) => f.type === "picklist" || f.type === "multipicklist");
    return json({
      picklistFieldValues: Object.fromEntries(fields.map((f) => [f.name, picklistValues(version, def, f)])),
    });
  });
  router.add("GET", `${base}/picklist-values/:recordTypeId/:field`, rest, (ctx) => {
    const { view, def } = pathObject(ctx);
    masterRecordType(ctx.params.recordTypeId!);
    const f = view.field(def, ctx.params.field!);
    if (!f || (f.type !== "picklist" && f.type !== "multipicklist")) throw notFound();
    return json(picklistValues(apiVersion(ctx.params.version), def, f));
  });
}
