import { DmlError, type DmlErrorBody } from "../dml/dml-error.ts";
import { RecordWriter } from "../dml/record-writer.ts";
import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import type { ObjectDef } from "../schema/types.ts";
import { pathObject } from "./path-object.ts";

const rest = { kind: "rest", auth: "api" } as const;
/** Salesforce's limits for one sObject Tree request. */
const MAX_RECORDS = 200;
const MAX_DEPTH = 5;
const MAX_TYPES = 5;

interface TreeNode {
  referenceId: string;
  def: ObjectDef;
  values: Record<string, unknown>;
  /** The parent's node and the child's field that points at it. */
  parent?: { node: TreeNode; field: string };
  depth: number;
  id?: string;
}

type TreeResult = { referenceId: string; id: string } | { referenceId: string; errors: DmlErrorBody[] };

const invalid = (message: string) => new ApiError(400, "INVALID_INPUT", message);

/**
 * Flattens the request's trees level by level (every root, then their children…), the order
 * Salesforce inserts and reports them in. Child records sit under the parent's child relationship
 * name (`"Contacts": {"records": [...]}`).
 */
function flatten(writer: RecordWriter, rootDef: ObjectDef, records: unknown): TreeNode[] {
  if (!Array.isArray(records) || records.length === 0)
    throw invalid('The body must be {"records": [ … ]} with at least one record.');
  const nodes: TreeNode[] = [];
  let level: Array<{ raw: unknown; def: ObjectDef; parent?: TreeNode["parent"] }> = records.map((raw) => ({
    raw,
    def: rootDef,
  }));
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_DEPTH) throw invalid(`An sObject tree can be at most ${MAX_DEPTH} levels deep.`);
    const next: typeof level = [];
    for (const { raw, def, parent } of level) {
      const node = readNode(def, raw, depth, parent);
      nodes.push(node);
      if (nodes.length > MAX_RECORDS)
        throw invalid(`An sObject Tree request can hold at most ${MAX_RECORDS} records in all of its trees.`);
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        const relation = def.childRelationships.find((c) => c.relationshipName?.toLowerCase() === key.toLowerCase());
        if (!relation) continue;
        const childDef = writer.view.object(relation.childSObject);
        const children = (value as { records?: unknown })?.records;
        if (!childDef || !Array.isArray(children)) throw invalid(`'${key}' must be {"records": [ … ]}.`);
        for (const child of children) next.push({ raw: child, def: childDef, parent: { node, field: relation.field } });
      }
    }
    level = next;
  }
  if (new Set(nodes.map((n) => n.def.name)).size > MAX_TYPES)
    throw invalid(`An sObject Tree request can hold records of at most ${MAX_TYPES} object types.`);
  return nodes;
}

function readNode(def: ObjectDef, raw: unknown, depth: number, parent: TreeNode["parent"]): TreeNode {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw invalid("Each record must be a JSON object.");
  const attributes = (raw as { attributes?: { type?: unknown; referenceId?: unknown } }).attributes;
  const referenceId = attributes?.referenceId;
  if (typeof referenceId !== "string" || referenceId === "")
    throw invalid("Each record needs attributes.referenceId, unique within the request.");
  if (typeof attributes?.type !== "string" || attributes.type.toLowerCase() !== def.name.toLowerCase())
    throw invalid(`Record ${referenceId}: attributes.type must be ${def.name}.`);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "attributes") continue;
    if (def.childRelationships.some((c) => c.relationshipName?.toLowerCase() === key.toLowerCase())) continue;
    values[key] = value;
  }
  return { referenceId, def, values, parent, depth };
}

/** Inserts every node in order, the parent's new id into each child's field; the first failure of a record is kept. */
function insertAll(writer: RecordWriter, nodes: TreeNode[]): TreeResult[] {
  const failures: TreeResult[] = [];
  for (const node of nodes) {
    if (node.parent && !node.parent.node.id) continue; // its parent failed: nothing to attach to
    const values = node.parent ? { ...node.values, [node.parent.field]: node.parent.node.id } : node.values;
    try {
      [node.id] = writer.apply([writer.prepareInsert(node.def, values)]);
    } catch (e) {
      if (!(e instanceof DmlError)) throw e;
      failures.push({ referenceId: node.referenceId, errors: [e.body()] });
    }
  }
  return failures;
}

/**
 * sObject Tree (`POST /composite/tree/{object}`): trees of records with their children, inserted in
 * one transaction. Any failure rolls every record back and reports only the failing records.
 */
export function registerTreeRoutes(router: Router): void {
  router.add("POST", "/services/data/:version/composite/tree/:object", rest, async (ctx) => {
    const { def } = pathObject(ctx);
    const body = await ctx.json<{ records?: unknown }>();
    const writer = new RecordWriter(ctx.org, ctx.userId);
    const nodes = flatten(writer, def, body?.records);
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(n.referenceId, (counts.get(n.referenceId) ?? 0) + 1);
    const duplicates = nodes.filter((n) => (counts.get(n.referenceId) ?? 0) > 1);
    if (duplicates.length > 0) {
      const results = duplicates.map((n) => ({
        referenceId: n.referenceId,
        errors: [{ statusCode: "INVALID_INPUT", message: "Duplicate ReferenceId provided in the request", fields: [] }],
      }));
      return json({ hasErrors: true, results }, 400);
    }
    const failures = ctx.org.store.transaction(
      () => insertAll(writer, nodes),
      (f) => f.length === 0,
    );
    if (failures.length > 0) return json({ hasErrors: true, results: failures }, 400);
    return json({ hasErrors: false, results: nodes.map((n) => ({ referenceId: n.referenceId, id: n.id! })) }, 201);
  });
}
