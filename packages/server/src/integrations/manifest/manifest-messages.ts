/**
 * Every manifest problem is written as "<what is wrong>; expected <what would be right>", so the
 * zod schemas can carry complete messages and the parser can still split out `expected`.
 */

const EXPECTED_MARK = "; expected ";

export function problem(what: string, expected: string): string {
  return `${what}${EXPECTED_MARK}${expected}`;
}

/** Splits a message built by `problem`; the last mark wins, since the quoted input may contain one. */
export function splitProblem(message: string): { what: string; expected?: string } {
  const at = message.lastIndexOf(EXPECTED_MARK);
  if (at < 0) return { what: message };
  return { what: message.slice(0, at), expected: message.slice(at + EXPECTED_MARK.length) };
}

/** A string as it would appear in a message: quoted, escaped, and cut short when long. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** What a value is, for "got ..." messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

/**
 * A zod error map for "wrong type or missing" issues: `missing; expected ...` or `got 42; expected ...`.
 * Unknown-key issues are left to the parser, which reports each key on its own.
 */
export function typed(expected: string) {
  return (issue: { code?: string; input?: unknown }): string | undefined => {
    if (issue.code === "unrecognized_keys") return undefined;
    return problem(issue.input === undefined ? "missing" : `got ${describeValue(issue.input)}`, expected);
  };
}
