import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { locate, noSuchColumn, unknownRelationship } from "./query-errors.ts";
import type { CompileContext, Getter } from "./types.ts";

/** One step from a record to its parent through a lookup (Contact → Account via AccountId). */
export interface Hop {
  field: FieldDef;
  /** The relationship name as the API spells it ("Account", "Owner"). */
  name: string;
  def: ObjectDef;
}

/** A field reached from the FROM object, possibly through parents ("Owner.Profile.Name"). */
export interface ResolvedPath {
  /** API-cased dotted path: "Account.Name". */
  apiPath: string;
  field: FieldDef;
  /** The object the leaf field belongs to. */
  owner: ObjectDef;
  hops: Hop[];
  /** The record holding the leaf field (the row itself when there are no hops), or undefined. */
  holder: (record: StoredRecord) => StoredRecord | undefined;
  /** The stored value of the leaf (datetimes as epoch ms), null when any parent is missing. */
  get: Getter;
}

/** Splits a dotted path, dropping a leading FROM alias or object name ("a.Name", "Account.Name" on Account). */
export function pathParts(def: ObjectDef, path: string, alias: string | undefined): string[] {
  const parts = path.split(".");
  if (parts.length > 1) {
    const head = parts[0].toLowerCase();
    const isRelationship = def.fields.some((f) => f.relationshipName?.toLowerCase() === head);
    if ((alias && head === alias.toLowerCase()) || (!isRelationship && head === def.name.toLowerCase())) parts.shift();
  }
  return parts;
}

/** The object a lookup points at, if this user may see it (Tooling lookups may point into the data API). */
export function lookupTarget(ctx: CompileContext, field: FieldDef): ObjectDef | undefined {
  const target = field.referenceTo[0];
  if (!target) return undefined;
  return (
    ctx.view.object(target, ctx.options.api) ??
    (ctx.options.api === "tooling" ? ctx.view.object(target, "data") : undefined)
  );
}

/**
 * Resolves a field path through relationship names as this user sees the schema: a hidden field,
 * an unreadable parent object or an unknown relationship are all errors, as in Salesforce.
 */
export function resolvePath(
  ctx: CompileContext,
  def: ObjectDef,
  path: string,
  alias: string | undefined,
  searchFrom = 0,
): ResolvedPath {
  const parts = pathParts(def, path, alias);
  const at = locate(ctx.soql, path, searchFrom);
  const hops: Hop[] = [];
  let current = def;
  for (const part of parts.slice(0, -1)) {
    const wanted = part.toLowerCase();
    const field = current.fields.find((f) => f.type === "reference" && f.relationshipName?.toLowerCase() === wanted);
    const visible = field && ctx.view.field(current, field.name);
    const target = visible ? lookupTarget(ctx, visible) : undefined;
    if (!visible || !target) throw unknownRelationship(ctx.soql, at, part);
    hops.push({ field: visible, name: visible.relationshipName ?? part, def: target });
    current = target;
  }
  const leafName = parts[parts.length - 1];
  const field = ctx.view.field(current, leafName);
  if (!field)
    throw noSuchColumn(ctx.soql, hops.length ? at : locate(ctx.soql, leafName, searchFrom), leafName, current.name);
  const holder = holderOf(ctx, hops);
  return {
    apiPath: [...hops.map((h) => h.name), field.name].join("."),
    field,
    owner: current,
    hops,
    holder,
    get: leafGetter(field, hops.length === 0 ? undefined : holder),
  };
}

/** Follows the hops; a missing or recycled parent ends the chain. */
export function holderOf(ctx: CompileContext, hops: Hop[]): (record: StoredRecord) => StoredRecord | undefined {
  let fn: (record: StoredRecord) => StoredRecord | undefined = (r) => r;
  for (const hop of hops) {
    const previous = fn;
    const key = hop.field.name;
    const polymorphic = hop.field.referenceTo.length > 1;
    const rows = ctx.org.store.table(hop.def.name)?.rows;
    const store = ctx.org.store;
    fn = (r) => {
      const child = previous(r);
      if (child === undefined) return undefined;
      const id = child[key];
      if (typeof id !== "string") return undefined;
      const parent = polymorphic ? store.tableForId(id)?.get(id) : rows?.get(id);
      return parent === undefined || parent.IsDeleted === true ? undefined : parent;
    };
  }
  return fn;
}

function leafGetter(field: FieldDef, holder: ((record: StoredRecord) => StoredRecord | undefined) | undefined): Getter {
  const name = field.name;
  const formula = field.formula;
  if (!holder) {
    if (formula) return (r) => formula(r) ?? null;
    return (r) => r[name] ?? null;
  }
  if (formula) {
    return (r) => {
      const h = holder(r);
      return h === undefined ? null : (formula(h) ?? null);
    };
  }
  return (r) => {
    const h = holder(r);
    return h === undefined ? null : (h[name] ?? null);
  };
}
