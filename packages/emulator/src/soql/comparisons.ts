import type { Operand, ValueKind } from "./operands.ts";
import type { Getter, Predicate } from "./types.ts";

type Scalar = string | number | boolean;

/** Multi-select picklist values compare as sets: 'b;a' equals 'A;B'. */
function multiKey(value: string): string {
  return value
    .split(";")
    .map((t) => t.trim().toLowerCase())
    .sort()
    .join(";");
}

/** The form a stored value is compared in (lower-cased text, set-normalised multi-select). */
export function comparable(kind: ValueKind): ((v: unknown) => unknown) | undefined {
  if (kind === "text") return (v) => (typeof v === "string" ? v.toLowerCase() : v);
  if (kind === "multi") return (v) => (typeof v === "string" ? multiKey(v) : v);
  return undefined;
}

function rangePredicate(get: Getter, op: string, start: Scalar, end: Scalar): Predicate {
  switch (op) {
    case "=":
      return (r) => {
        const v = get(r) as Scalar | null;
        return v !== null && v >= start && v < end;
      };
    case "!=":
      return (r) => {
        const v = get(r) as Scalar | null;
        return v === null || v < start || v >= end;
      };
    case "<":
      return (r) => {
        const v = get(r) as Scalar | null;
        return v !== null && v < start;
      };
    case "<=":
      return (r) => {
        const v = get(r) as Scalar | null;
        return v !== null && v < end;
      };
    case ">":
      return (r) => {
        const v = get(r) as Scalar | null;
        return v !== null && v >= end;
      };
    default:
      return (r) => {
        const v = get(r) as Scalar | null;
        return v !== null && v >= start;
      };
  }
}

function textEquals(get: Getter, raw: string, lower: string): Predicate {
  return (r) => {
    const v = get(r);
    return typeof v === "string" && (v === raw || v.toLowerCase() === lower);
  };
}

/**
 * One comparison `field op literal`. Each branch is its own closure so that evaluating a row is a
 * couple of calls and no allocation. A null value fails every test except `!=` / `= null`.
 */
export function comparePredicate(get: Getter, kind: ValueKind, op: string, operand: Operand): Predicate {
  const operator = op === "<>" ? "!=" : op;
  if (operand.kind === "null") {
    if (operator === "=") return (r) => get(r) === null;
    if (operator === "!=") return (r) => get(r) !== null;
    return () => false;
  }
  if (operand.kind === "range") return rangePredicate(get, operator, operand.start, operand.end);
  const lit = operand.value;
  if (kind === "text" && (operator === "=" || operator === "!=")) {
    const eq = textEquals(get, operand.raw, lit as string);
    return operator === "=" ? eq : (r) => !eq(r);
  }
  const norm = comparable(kind);
  const target = kind === "multi" ? multiKey(lit as string) : lit;
  const value: Getter = norm ? (r) => norm(get(r)) : get;
  switch (operator) {
    case "=":
      return (r) => value(r) === target;
    case "!=":
      return (r) => value(r) !== target;
    case "<":
      return (r) => {
        const v = value(r) as Scalar | null;
        return v !== null && v < target;
      };
    case "<=":
      return (r) => {
        const v = value(r) as Scalar | null;
        return v !== null && v <= target;
      };
    case ">":
      return (r) => {
        const v = value(r) as Scalar | null;
        return v !== null && v > target;
      };
    default:
      return (r) => {
        const v = value(r) as Scalar | null;
        return v !== null && v >= target;
      };
  }
}

/** `field IN (…)`: a set lookup for plain values, a scan for date-literal ranges. */
export function inPredicate(get: Getter, kind: ValueKind, operands: Operand[]): Predicate {
  const norm = comparable(kind);
  const values = new Set<unknown>();
  const ranges: Array<{ start: Scalar; end: Scalar }> = [];
  let withNull = false;
  for (const o of operands) {
    if (o.kind === "null") withNull = true;
    else if (o.kind === "range") ranges.push({ start: o.start, end: o.end });
    else values.add(kind === "multi" ? multiKey(o.value as string) : o.value);
  }
  if (ranges.length === 0) {
    return (r) => {
      const v = get(r);
      if (v === null) return withNull;
      return values.has(norm ? norm(v) : v);
    };
  }
  return (r) => {
    const v = get(r) as Scalar | null;
    if (v === null) return withNull;
    if (values.has(norm ? norm(v) : v)) return true;
    for (const range of ranges) if (v >= range.start && v < range.end) return true;
    return false;
  };
}

/** INCLUDES ('a;b', 'c'): some literal whose every term is selected. */
export function includesPredicate(get: Getter, terms: string[]): Predicate {
  const groups = terms.map((t) => t.split(";").map((x) => x.trim().toLowerCase()));
  return (r) => {
    const v = get(r);
    if (typeof v !== "string") return false;
    const selected = new Set(v.split(";").map((x) => x.trim().toLowerCase()));
    return groups.some((g) => g.every((t) => selected.has(t)));
  };
}

export function likePredicate(get: Getter, regex: RegExp): Predicate {
  return (r) => {
    const v = get(r);
    return v !== null && regex.test(String(v));
  };
}

export function not(p: Predicate): Predicate {
  return (r) => !p(r);
}
