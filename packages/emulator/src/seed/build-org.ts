import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  addValidationRule,
  applyOrgPatch,
  applyPermissionChange,
  applyPermissionSetGroup,
  assignGroups,
  insertRawRecords,
} from "../control/apply.ts";
import { applyObjectSpec } from "../control/custom-schema.ts";
import { parseSpec, type SeedSpec, SpecError, seedSpec } from "../control/specs.ts";
import type { OrgAdmin } from "../org/admin.ts";
import type { Org } from "../org/org.ts";
import { createBaseOrg } from "./base-org.ts";
import { generateRecords } from "./generator.ts";

/** Reads a seed file (YAML or JSON) and checks it against the seed format. */
export function readSeedFile(path: string): SeedSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SpecError(`cannot read seed file ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SpecError(
      `seed file ${path} is not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(e as Error).message}`,
    );
  }
  return parseSpec(seedSpec, data ?? {}, `seed file ${path}`);
}

/** Builds an org from a seed: the base org every Salesforce org has, then the seed's additions. */
export function buildOrg(seed: SeedSpec, extraRecords?: number): { org: Org; admin: OrgAdmin; adminId: string } {
  const parsed = parseSpec(seedSpec, seed, "seed");
  const { org, admin } = createBaseOrg({
    name: parsed.org?.name,
    edition: parsed.org?.edition,
    isSandbox: parsed.org?.isSandbox,
    myDomain: parsed.org?.myDomain,
    dailyApiLimit: parsed.org?.dailyApiLimit,
    adminUsername: parsed.admin?.username,
    adminPassword: parsed.admin?.password,
  });
  const adminId = org.store.tableOrThrow("User").live().next().value!.Id;
  if (parsed.org) {
    const { dailyApiLimit: _limit, ...patch } = parsed.org;
    applyOrgPatch(org, patch, adminId);
  }
  for (const o of parsed.objects ?? []) applyObjectSpec(org, admin, { ...o, fields: o.fields ?? [] });
  for (const p of parsed.profiles ?? []) {
    const { name, license, ...change } = p;
    admin.profile(name, license);
    applyPermissionChange(admin, name, change);
  }
  for (const ps of parsed.permissionSets ?? []) {
    const { name, label, ...change } = ps;
    admin.permissionSet(name, [], label ?? name);
    applyPermissionChange(admin, name, change);
  }
  for (const [holder, change] of Object.entries(parsed.permissions ?? {})) applyPermissionChange(admin, holder, change);
  for (const g of parsed.permissionSetGroups ?? []) applyPermissionSetGroup(admin, g);
  for (const u of parsed.users ?? []) assignGroups(admin, admin.user(u).Id, u.permissionSetGroups);
  for (const a of parsed.apps ?? []) admin.app(a);
  for (const rule of parsed.validationRules ?? []) addValidationRule(org, rule);
  for (const [objectName, rows] of Object.entries(parsed.records ?? {}))
    insertRawRecords(org, objectName, rows, adminId);
  const generate = { ...parsed.generate };
  if (extraRecords !== undefined) {
    for (const name of ["Account", "Contact", "Lead", "Opportunity", "Case"]) generate[name] = extraRecords;
  }
  for (const [objectName, count] of Object.entries(generate)) {
    if (!org.objectDef(objectName)) throw new SpecError(`generate: unknown object '${objectName}'`);
    generateRecords(org, objectName, count);
  }
  if (parsed.faults) org.faults.configure(parsed.faults);
  if (parsed.quota?.limit) org.apiUsage.limit = parsed.quota.limit;
  if (parsed.quota?.used !== undefined) org.apiUsage.setUsed(parsed.quota.used);
  return { org, admin, adminId };
}
