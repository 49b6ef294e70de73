import { hasObjectPermission } from "../org/permissions.ts";
import type { SchemaView } from "../org/visibility.ts";
import type { FieldDef, FieldType, ObjectDef } from "../schema/types.ts";

const SOAP_TYPES: Record<FieldType, string> = {
  id: "tns:ID",
  reference: "tns:ID",
  string: "xsd:string",
  textarea: "xsd:string",
  picklist: "xsd:string",
  multipicklist: "xsd:string",
  email: "xsd:string",
  phone: "xsd:string",
  url: "xsd:string",
  encryptedstring: "xsd:string",
  boolean: "xsd:boolean",
  int: "xsd:int",
  double: "xsd:double",
  currency: "xsd:double",
  percent: "xsd:double",
  date: "xsd:date",
  datetime: "xsd:dateTime",
  address: "urn:address",
  location: "urn:location",
  base64: "xsd:base64Binary",
};

function sobjectUrls(version: string, def: ObjectDef) {
  const base = `/services/data/v${version}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

/** The per-object summary of describeGlobal and of GET /sobjects/{T}, as this user sees it. */
export function objectSummary(view: SchemaView, def: ObjectDef, version: string) {
  const can = (p: "Create" | "Edit" | "Delete") => hasObjectPermission(view.access, def, p);
  return {
    activateable: false,
    createable: def.createable && can("Create"),
    custom: def.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: def.deletable && can("Delete"),
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: def.access === "data",
    mergeable: false,
    mruEnabled: def.access === "data",
    name: def.name,
    queryable: def.queryable,
    replicateable: def.replicateable,
    retrieveable: true,
    searchable: def.searchable,
    triggerable: def.triggerable,
    undeletable: def.undeletable && can("Delete"),
    updateable: def.updateable && can("Edit"),
    urls: sobjectUrls(version, def),
  };
}

export function describeGlobal(view: SchemaView, version: string, api: "data" | "tooling" = "data") {
  return {
    encoding: "UTF-8",
    maxBatchSize: 200,
    sobjects: view.objects(api).map((def) => objectSummary(view, def, version)),
  };
}

/** One field's describe, with createable/updateable narrowed by field-level security. */
export function describeField(view: SchemaView, def: ObjectDef, f: FieldDef) {
  const editable = view.canEdit(def, f);
  const textual = f.length > 0;
  return {
    aggregatable: f.aggregatable,
    autoNumber: f.autoNumber,
    byteLength: textual ? f.length * 3 : 0,
    calculated: f.calculated,
    calculatedFormula: f.calculatedFormula,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: f.compoundFieldName,
    controllerName: null,
    createable: f.createable && editable,
    custom: f.custom,
    defaultValue: f.defaultValue ?? null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === "int" ? 9 : 0,
    externalId: f.externalId,
    filterable: f.filterable,
    groupable: f.groupable,
    htmlFormatted: false,
    idLookup: f.idLookup,
    inlineHelpText: null,
    label: f.label,
    length: f.length,
    name: f.name,
    nameField: f.nameField,
    namePointing: false,
    nillable: f.nillable,
    permissionable: f.permissionable,
    picklistValues: f.picklistValues.map((p) => ({ ...p, validFor: null })),
    polymorphicForeignKey: false,
    precision: f.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    soapType: SOAP_TYPES[f.type],
    sortable: f.sortable,
    type: f.type,
    unique: f.unique,
    updateable: f.updateable && editable,
    writeRequiresMasterRead: false,
  };
}

export function describeObject(view: SchemaView, def: ObjectDef, version: string) {
  const urls = sobjectUrls(version, def);
  return {
    ...objectSummary(view, def, version),
    actionOverrides: [],
    childRelationships: def.childRelationships
      .filter((c) => view.object(c.childSObject) !== undefined)
      .map((c) => ({
        ...c,
        deprecatedAndHidden: false,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        restrictedDelete: false,
      })),
    compactLayoutable: def.access === "data",
    fields: view.fields(def).map((f) => describeField(view, def, f)),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos:
      def.access === "data"
        ? [
            {
              active: true,
              available: true,
              defaultRecordTypeMapping: true,
              developerName: "Master",
              master: true,
              name: "Master",
              recordTypeId: "012000000000000AAA",
              urls: { layout: `${urls.sobject}/describe/layouts/012000000000000AAA` },
            },
          ]
        : [],
    searchLayoutable: def.access === "data",
    supportedScopes: [{ label: "All", name: "everything" }],
    urls: {
      ...urls,
      uiDetailTemplate: null,
      uiEditTemplate: null,
      uiNewRecord: null,
      layouts: `${urls.sobject}/describe/layouts`,
    },
  };
}
