import { createRequire } from "node:module";
import type { Query } from "@jetstreamapp/soql-parser-js";
import { malformedQuery } from "./query-errors.ts";

type SoqlParser = typeof import("@jetstreamapp/soql-parser-js");
let parser: SoqlParser | undefined;

/**
 * The parser is loaded by the first query rather than at start-up: building its grammar takes a
 * third of a second of CPU, which every start of the emulator (a restart of a saved org included)
 * would otherwise pay before it answers anything.
 */
function soqlParser(): SoqlParser {
  parser ??= createRequire(import.meta.url)("@jetstreamapp/soql-parser-js") as SoqlParser;
  return parser;
}

/**
 * Builds the parser now, for a standalone emulator to call once it is answering: the first query
 * then finds it ready instead of paying for its grammar (a query that comes sooner waits only for
 * the rest of it).
 */
export function warmSoqlParser(): void {
  soqlParser();
}

/** Parses SOQL, turning the parser's complaints into Salesforce's MALFORMED_QUERY shape. */
export function parseSoql(soql: string): Query {
  if (soql.trim() === "") throw malformedQuery(soql, -1, "unexpected token: '<EOF>'");
  try {
    return soqlParser().parseQuery(soql);
  } catch (e) {
    const { token, index } = offendingToken(soql, (e as Error).message ?? "");
    throw malformedQuery(soql, index, `unexpected token: '${token}'`);
  }
}

/** The parser only reports messages; recover the token (and guess its place) from the text. */
function offendingToken(soql: string, message: string): { token: string; index: number } {
  const lexing = /unexpected character: ->(.)<- at offset: (\d+)/.exec(message);
  if (lexing) return { token: lexing[1], index: Number(lexing[2]) };
  const found = /but found:? (?:--> )?'([^']*)'/.exec(message);
  const token = found?.[1] ?? "";
  if (token === "") return { token: "<EOF>", index: soql.trimEnd().length };
  const at = soql.search(new RegExp(`(?<![A-Za-z0-9_])${token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "i"));
  return { token, index: at };
}
