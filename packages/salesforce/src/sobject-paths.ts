/**
 * REST paths for sObjects. Names and ids are checked before they reach a path: a value like
 * `..` or `Account/../../` must not walk to another resource with the connection's token.
 */

const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function apiName(name: string, what = "name"): string {
  if (!API_NAME.test(name)) throw new TypeError(`not a Salesforce API ${what}: "${name.slice(0, 80)}"`);
  return name;
}

export function recordId(id: string): string {
  if (!RECORD_ID.test(id)) throw new TypeError(`not a Salesforce record id: "${id.slice(0, 40)}"`);
  return id;
}

/** An external id value as one path segment. */
export function externalIdValue(value: string): string {
  if (value === "" || value === "." || value === "..")
    throw new TypeError("an external id value cannot be empty, '.' or '..'");
  return encodeURIComponent(value);
}

export const sobjectPaths = {
  global: (data: string) => `${data}/sobjects`,
  collection: (data: string, object: string) => `${data}/sobjects/${apiName(object, "object name")}`,
  describe: (data: string, object: string) => `${data}/sobjects/${apiName(object, "object name")}/describe`,
  record: (data: string, object: string, id: string) =>
    `${data}/sobjects/${apiName(object, "object name")}/${recordId(id)}`,
  byExternalId: (data: string, object: string, field: string, value: string) =>
    `${data}/sobjects/${apiName(object, "object name")}/${apiName(field, "field name")}/${externalIdValue(value)}`,
};
