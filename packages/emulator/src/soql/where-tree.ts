import type { ConditionWithValueQuery, NegationCondition, WhereClause } from "@jetstreamapp/soql-parser-js";
import { malformedQuery } from "./query-errors.ts";

/** A comparison (the parser's union also holds the bare `(NOT` marker). */
export type Condition = Exclude<ConditionWithValueQuery, NegationCondition>;

/** A boolean expression over conditions, as SOQL means it (the parser hands over a flat chain). */
export type BoolNode =
  | { kind: "and" | "or"; items: BoolNode[] }
  | { kind: "not"; item: BoolNode }
  | { kind: "cond"; cond: Condition };

type Token = "(" | ")" | "AND" | "OR" | "NOT" | { cond: Condition };

function isCondition(left: unknown): left is Condition {
  return typeof left === "object" && left !== null && ("field" in left || "fn" in left);
}

function tokens(where: WhereClause): Token[] {
  const out: Token[] = [];
  let node: WhereClause | undefined = where;
  while (node) {
    const { left } = node;
    const operator = "operator" in node ? node.operator : undefined;
    const right: WhereClause | undefined = "right" in node ? node.right : undefined;
    if (isCondition(left)) {
      for (let i = 0; i < (left.openParen ?? 0); i++) out.push("(");
      out.push({ cond: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(")");
      if (operator) out.push(operator);
    } else {
      // A negation: `NOT …`, possibly opening parentheses first (`(NOT …)`).
      for (let i = 0; i < ((left as { openParen?: number } | null)?.openParen ?? 0); i++) out.push("(");
      out.push("NOT");
    }
    node = right;
  }
  return out;
}

/**
 * Rebuilds the expression tree. SOQL has no precedence between AND and OR: mixing them at one
 * level without parentheses is a syntax error, which is kept here.
 */
export function whereTree(where: WhereClause, soql: string): BoolNode {
  const list = tokens(where);
  let pos = 0;
  const fail = (token: string): never => {
    throw malformedQuery(soql, soql.search(new RegExp(`\\b${token}\\b`, "i")), `unexpected token: '${token}'`);
  };
  const unary = (): BoolNode => {
    const t = list[pos++];
    if (t === "NOT") return { kind: "not", item: unary() };
    if (t === "(") {
      const inner = expression();
      if (list[pos++] !== ")") fail(")");
      return inner;
    }
    if (t === undefined || typeof t === "string") return fail(typeof t === "string" ? t : "<EOF>");
    return { kind: "cond", cond: t.cond };
  };
  const expression = (): BoolNode => {
    const first = unary();
    let op: "AND" | "OR" | undefined;
    const items = [first];
    while (list[pos] === "AND" || list[pos] === "OR") {
      const next = list[pos] as "AND" | "OR";
      if (op && op !== next) fail(next);
      op = next;
      pos++;
      items.push(unary());
    }
    return op ? { kind: op === "AND" ? "and" : "or", items } : first;
  };
  const tree = expression();
  if (pos < list.length) fail(typeof list[pos] === "string" ? (list[pos] as string) : "<EOF>");
  return tree;
}
