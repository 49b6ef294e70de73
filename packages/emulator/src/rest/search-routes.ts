import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import { SchemaView } from "../org/visibility.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import { executeSoql } from "../soql/execute.ts";
import { firstPage } from "../soql/query-pages.ts";
import type { StoredRecord } from "../store/record-store.ts";

const rest = { kind: "rest", auth: "api" } as const;
/** SOSL returns at most 2,000 records in all. */
const MAX_ROWS = 2000;
const TEXT_TYPES = new Set(["string", "textarea", "email", "phone", "url", "picklist", "multipicklist"]);

type Scope = "ALL" | "NAME" | "EMAIL" | "PHONE";

interface Returning {
  object: string;
  fields?: string;
  /** WHERE, ORDER BY and LIMIT as written, applied through SOQL. */
  where?: string;
  orderBy?: string;
  limit?: number;
}

export interface SoslQuery {
  /** OR-groups of AND-ed word patterns. */
  terms: RegExp[][];
  scope: Scope;
  returning: Returning[];
  limit: number;
}

const malformed = (message: string) => new ApiError(400, "MALFORMED_SEARCH", message);

/** One search word as a whole-token pattern: `*` any characters, `?` one. */
function wordPattern(word: string): RegExp {
  const source = word
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i");
}

function parseTerms(text: string): RegExp[][] {
  const groups = text
    .split(/\s+OR\s+/i)
    .map((group) =>
      (group.match(/"[^"]*"|\S+/g) ?? [])
        .filter((w) => w.toUpperCase() !== "AND")
        .map((w) =>
          w.startsWith('"') ? new RegExp(w.slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i") : wordPattern(w),
        ),
    )
    .filter((g) => g.length > 0);
  if (groups.length === 0) throw malformed("FIND needs at least one search term: FIND {Acme}.");
  return groups;
}

function depthAt(text: string, index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) depth += text[i] === "(" ? 1 : text[i] === ")" ? -1 : 0;
  return depth;
}

/** Splits `A(x), B, C(y (z))` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function parseReturning(spec: string): Returning {
  const m = /^([A-Za-z][A-Za-z0-9_]*)\s*(?:\(([\s\S]*)\))?$/.exec(spec);
  if (!m) throw malformed(`RETURNING ${spec}: expected Object or Object(Field, … [WHERE …] [ORDER BY …] [LIMIT n]).`);
  const inner = m[2]?.trim();
  if (!inner) return { object: m[1]! };
  const clause = /^(.*?)(?:\s+WHERE\s+(.*?))?(?:\s+ORDER\s+BY\s+(.*?))?(?:\s+LIMIT\s+(\d+))?$/is.exec(inner)!;
  return {
    object: m[1]!,
    fields: clause[1]?.trim() || undefined,
    where: clause[2]?.trim(),
    orderBy: clause[3]?.trim(),
    limit: clause[4] ? Number(clause[4]) : undefined,
  };
}

/** Parses the SOSL the emulator understands: FIND {…} [IN … FIELDS] [RETURNING …] [LIMIT n]. */
export function parseSosl(sosl: string): SoslQuery {
  const m = /^\s*FIND\s+(?:\{((?:\\.|[^}])*)\}|'((?:\\.|[^'])*)')\s*([\s\S]*)$/i.exec(sosl);
  if (!m) throw malformed("A SOSL search starts with FIND {search terms}.");
  const terms = parseTerms((m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1"));
  let rest = m[3]!.trim();
  let scope: Scope = "ALL";
  const inScope = /^IN\s+(ALL|NAME|EMAIL|PHONE)\s+FIELDS\b\s*/i.exec(rest);
  if (inScope) {
    scope = inScope[1]!.toUpperCase() as Scope;
    rest = rest.slice(inScope[0].length);
  }
  let limit = MAX_ROWS;
  const overall = /\s*LIMIT\s+(\d+)\s*$/i.exec(rest);
  // A trailing LIMIT outside every parenthesis limits the whole search; inside one, only its object.
  if (overall && depthAt(rest, overall.index) === 0) {
    limit = Math.min(MAX_ROWS, Number(overall[1]));
    rest = rest.slice(0, overall.index).trim();
  }
  let returning: Returning[] = [];
  if (rest !== "") {
    const r = /^RETURNING\s+([\s\S]*)$/i.exec(rest);
    if (!r) throw malformed(`Unexpected '${rest.split(/\s+/)[0]}': expected IN … FIELDS, RETURNING or LIMIT.`);
    returning = splitTopLevel(r[1]!).map(parseReturning);
  }
  return { terms, scope, returning, limit };
}

function searchedFields(view: SchemaView, def: ObjectDef, scope: Scope): FieldDef[] {
  return view.fields(def).filter((f) => {
    if (f.formula || !TEXT_TYPES.has(f.type)) return false;
    if (scope === "NAME") return f.nameField;
    if (scope === "EMAIL") return f.type === "email";
    if (scope === "PHONE") return f.type === "phone";
    return true;
  });
}

function matches(record: StoredRecord, fields: FieldDef[], terms: RegExp[][]): boolean {
  const text = fields.map((f) => record[f.name]).filter((v) => typeof v === "string" && v !== "") as string[];
  if (text.length === 0) return false;
  const tokens = text.flatMap((t) => t.split(/[^\p{L}\p{N}@._'-]+/u)).filter((t) => t !== "");
  const joined = text.join(" ");
  return terms.some((group) =>
    group.every((p) => (p.source.startsWith("^") ? tokens.some((t) => p.test(t)) : p.test(joined))),
  );
}

/** `GET /search?q=FIND {…}`: SOSL over the text fields the user can read, as `searchRecords`. */
export function registerSearchRoutes(router: Router): void {
  router.add("GET", "/services/data/:version/search", rest, (ctx) => {
    const q = ctx.query("q");
    if (!q) throw malformed("A search needs q=FIND {…} (URL-encoded).");
    const sosl = parseSosl(q);
    const view = new SchemaView(ctx.org, ctx.userId);
    const version = ctx.params.version!.slice(1);
    const targets: Returning[] =
      sosl.returning.length > 0
        ? sosl.returning
        : view
            .objects()
            .filter((d) => d.searchable)
            .map((d) => ({ object: d.name }));
    const searchRecords: unknown[] = [];
    for (const target of targets) {
      if (searchRecords.length >= sosl.limit) break;
      const def = view.object(target.object);
      if (!def?.searchable)
        throw new ApiError(400, "INVALID_TYPE", `sObject type '${target.object}' is not supported in search.`);
      const fields = searchedFields(view, def, sosl.scope);
      const ids: string[] = [];
      for (const r of ctx.org.store.tableOrThrow(def.name).live()) {
        if (matches(r, fields, sosl.terms)) ids.push(r.Id);
        if (ids.length >= MAX_ROWS) break;
      }
      if (ids.length === 0) continue;
      const room = Math.min(target.limit ?? MAX_ROWS, sosl.limit - searchRecords.length);
      const soql = `SELECT ${target.fields ?? "Id"} FROM ${def.name} WHERE Id IN ('${ids.join("','")}')${
        target.where ? ` AND (${target.where})` : ""
      }${target.orderBy ? ` ORDER BY ${target.orderBy}` : ""} LIMIT ${room}`;
      const result = executeSoql(ctx.org, ctx.userId, soql, { includeDeleted: false, api: "data", version });
      const page = firstPage(ctx.org, ctx.userId, result, MAX_ROWS, "query", version) as { records: unknown[] };
      searchRecords.push(...page.records);
    }
    return json({ searchRecords });
  });
}
