import type { Platform } from "../platform/platform.ts";
import { Problem } from "../remedies/problem.ts";
import { installedIntegrations } from "./integration-store.ts";
import {
  lookupFieldOf,
  type Manifest,
  type ManifestWriteObject,
  type WriteOperationName,
} from "./manifest/manifest.ts";

/** A write as the manifest's strictness judges it: what it does to which object, setting which fields. */
export interface WriteIntent {
  object: string;
  operation: WriteOperationName;
  /**
   * The names the records set: their keys, or CSV columns. Id is not a written field; a parent
   * reference (`Account: {Ext_Id__c: …}`, or the column `Account.Ext_Id__c`) sets the lookup field
   * (AccountId), which is what a manifest lists.
   */
  fields: readonly string[];
  /** The upsert's external id field, which the records set too. */
  externalIdField?: string;
}

/**
 * Whether the integrations installed on a connection let a write through: undefined when they do,
 * or the refusal (a 422 `write_not_declared`) naming the manifest and what it declares. Only an
 * integration whose manifest says `writes: {strict: true}` refuses anything; then the write must be
 * declared whole (object, operation, every field) by one installed integration's manifest.
 */
export async function writeAllowed(
  platform: Pick<Platform, "db" | "sealer">,
  connectionId: string,
  intent: WriteIntent,
): Promise<Problem | undefined> {
  const installed = await installedIntegrations(platform, connectionId);
  return judgeWrite(
    installed.map((i) => i.integration.manifest),
    intent,
  );
}

/**
 * The same judgement for a write whose fields are known only once its records have been read (a
 * streamed body): the installed manifests are read now, and the rule answers for the fields later.
 */
export async function writeRule(
  platform: Pick<Platform, "db" | "sealer">,
  connectionId: string,
  write: Omit<WriteIntent, "fields">,
): Promise<(fields: Iterable<string>) => Problem | undefined> {
  const manifests = (await installedIntegrations(platform, connectionId)).map((i) => i.integration.manifest);
  return (fields) => judgeWrite(manifests, { ...write, fields: [...fields] });
}

/** The pure judgement behind `writeAllowed`, over the installed integrations' manifests. */
export function judgeWrite(manifests: readonly Manifest[], intent: WriteIntent): Problem | undefined {
  const strict = manifests.filter((m) => m.writes?.strict === true);
  if (strict.length === 0) return undefined;
  if (manifests.some((m) => m.writes && outside(m, intent).length === 0)) return undefined;
  // The strict manifest that declares the object says most about how to fix the write.
  const named = strict.find((m) => declarationOf(m, intent.object)) ?? strict[0];
  return refusal(named, intent);
}

function declarationOf(manifest: Manifest, object: string): ManifestWriteObject | undefined {
  return manifest.writes?.objects.find((o) => o.name.toLowerCase() === object.toLowerCase());
}

/** What the write does that the manifest does not declare, one sentence part each; empty when declared. */
function outside(manifest: Manifest, intent: WriteIntent): string[] {
  const declared = declarationOf(manifest, intent.object);
  if (!declared) {
    const others = manifest.writes?.objects.map((o) => o.name) ?? [];
    return [`it declares no writes to ${intent.object}${others.length > 0 ? ` (only to ${others.join(", ")})` : ""}`];
  }
  const gaps: string[] = [];
  if (!declared.operations.includes(intent.operation))
    gaps.push(`it declares ${declared.operations.join(", ")} on ${declared.name}, not ${intent.operation}`);
  const byField = declared.externalIdField;
  if (
    intent.operation === "upsert" &&
    byField &&
    intent.externalIdField &&
    byField.toLowerCase() !== intent.externalIdField.toLowerCase()
  )
    gaps.push(`it declares upserts on ${declared.name} by ${byField}, not by ${intent.externalIdField}`);
  const undeclared = undeclaredFields(declared, intent);
  if (undeclared.length > 0)
    gaps.push(
      `it declares no field ${undeclared.join(", ")} on ${declared.name} (${
        declared.fields.length > 0 ? `it declares ${declared.fields.join(", ")}` : "it declares no field"
      })`,
    );
  return gaps;
}

/** The fields the write sets that the declaration does not list; a delete sets none. */
function undeclaredFields(declared: ManifestWriteObject, intent: WriteIntent): string[] {
  if (intent.operation === "delete") return [];
  const listed = new Set(declared.fields.map((f) => f.toLowerCase()));
  const named = [...intent.fields, ...(intent.externalIdField ? [intent.externalIdField] : [])];
  const undeclared: string[] = [];
  for (const field of named) {
    const relation = field.includes(".") ? field.slice(0, field.indexOf(".")) : field;
    const key = relation.toLowerCase();
    if (key === "id" || key === "attributes" || listed.has(key) || listed.has(lookupFieldOf(relation).toLowerCase()))
      continue;
    if (!undeclared.some((u) => u.toLowerCase() === key)) undeclared.push(relation);
  }
  return undeclared;
}

function refusal(manifest: Manifest, intent: WriteIntent): Problem {
  const declared = declarationOf(manifest, intent.object);
  const gaps = outside(manifest, intent);
  return new Problem(
    "unprocessable",
    "write_not_declared",
    `This ${intent.operation} on ${intent.object} is outside the writes the integration '${manifest.name}' declares, and its manifest refuses undeclared writes (writes.strict: true): ${gaps.join("; ")}.`,
    {
      remedy: `Write only what the manifest of '${manifest.name}' declares under writes.objects, or declare this write there and upload the manifest again (POST /v1/integrations).`,
      details: {
        integration: manifest.name,
        object: intent.object,
        operation: intent.operation,
        ...(declared && intent.operation !== "delete" ? { undeclaredFields: undeclaredFields(declared, intent) } : {}),
        declared: declared ?? null,
      },
    },
  );
}
