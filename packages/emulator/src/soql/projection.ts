import { formatDateTime } from "../clock.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { csvValue, wireValue } from "../store/wire.ts";
import { type Hop, holderOf } from "./field-paths.ts";
import type { SelectEntry } from "./select-list.ts";
import type { CompileContext } from "./types.ts";

/** A child subquery as the parent record shows it: `{totalSize, done, records}` or null. */
export interface ChildColumn {
  key: string;
  value: (parent: StoredRecord) => unknown;
}

type Entry = { key: string; value: (record: StoredRecord) => unknown };

interface Shape {
  def: ObjectDef;
  entries: Entry[];
  parents: Map<string, { shape: Shape; hop: Hop }>;
}

/** Rows often share a timestamp (bulk loads): remember the last one formatted. */
function datetimeFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastText = "";
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = formatDateTime(ms);
    }
    return lastText;
  };
}

/** How one field reads in JSON, with the common cases kept off wireValue's general path. */
export function jsonValue(field: FieldDef): (record: StoredRecord) => unknown {
  if (field.formula || field.components) return (r) => wireValue(field, r);
  const name = field.name;
  if (field.type === "datetime") {
    const format = datetimeFormatter();
    return (r) => {
      const v = r[name];
      return typeof v === "number" ? format(v) : (v ?? null);
    };
  }
  return (r) => r[name] ?? null;
}

export function attributesFn(
  ctx: CompileContext,
  def: ObjectDef,
): (record: StoredRecord) => { type: string; url?: string } {
  const base =
    ctx.options.api === "tooling"
      ? `/services/data/v${ctx.options.version}/tooling/sobjects/${def.name}/`
      : `/services/data/v${ctx.options.version}/sobjects/${def.name}/`;
  const type = def.name;
  return (r) => (r.Id ? { type, url: base + r.Id } : { type });
}

function compileShape(ctx: CompileContext, shape: Shape): (record: StoredRecord) => Record<string, unknown> {
  const attributes = attributesFn(ctx, shape.def);
  const entries = shape.entries;
  const n = entries.length;
  const keys = entries.map((e) => e.key);
  if (keys.every((k) => k !== "__proto__" && k !== "attributes") && new Set(keys).size === n) {
    // One object literal per shape: every record of a page gets the same hidden class at once,
    // instead of growing one key at a time, and JSON.stringify then takes its fast path.
    const body = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}](r)`).join(", ");
    const values = entries.map((e) => e.value);
    return new Function("a", "v", `return (r) => ({ attributes: a(r), ${body} });`)(attributes, values);
  }
  return (r) => {
    const out: Record<string, unknown> = { attributes: attributes(r) };
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      out[e.key] = e.value(r);
    }
    return out;
  };
}

/**
 * The REST record builder: selected fields in SELECT order, parents as nested records with their
 * own attributes (null when the lookup is empty), children as query results.
 */
export function jsonProjection(
  ctx: CompileContext,
  def: ObjectDef,
  entries: SelectEntry[],
  children: Map<SelectEntry, ChildColumn>,
) {
  const root: Shape = { def, entries: [], parents: new Map() };
  for (const entry of entries) {
    if (entry.kind === "subquery") {
      const child = children.get(entry);
      if (child) root.entries.push({ key: child.key, value: child.value });
      continue;
    }
    let shape = root;
    for (const hop of entry.path.hops) {
      const id = hop.name.toLowerCase();
      let parent = shape.parents.get(id);
      if (!parent) {
        parent = { shape: { def: hop.def, entries: [], parents: new Map() }, hop };
        shape.parents.set(id, parent);
        const nested = parent.shape;
        const build = lazyCompile(ctx, nested);
        const up = holderOf(ctx, [hop]);
        shape.entries.push({
          key: hop.name,
          value: (r) => {
            const p = up(r);
            return p === undefined ? null : build()(p);
          },
        });
      }
      shape = parent.shape;
    }
    shape.entries.push({ key: entry.key, value: jsonValue(entry.path.field) });
  }
  return compileShape(ctx, root);
}

/** Parent shapes are filled after their entry is placed, so compile them on first use. */
function lazyCompile(ctx: CompileContext, shape: Shape) {
  let fn: ((r: StoredRecord) => Record<string, unknown>) | undefined;
  return () => (fn ??= compileShape(ctx, shape));
}

/** Flat CSV cells for the field entries, parents resolved, '' for null. */
export function csvProjection(entries: SelectEntry[]): (record: StoredRecord) => string[] {
  const cells = entries.flatMap((e) => {
    if (e.kind !== "field") return [];
    const { field, holder, hops } = e.path;
    if (hops.length === 0) return [(r: StoredRecord) => csvValue(field, r)];
    return [
      (r: StoredRecord) => {
        const h = holder(r);
        return h === undefined ? "" : csvValue(field, h);
      },
    ];
  });
  return (r) => cells.map((c) => c(r));
}
