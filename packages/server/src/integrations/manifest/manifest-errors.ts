import type { z } from "zod";
import { closestWord } from "./closest-word.ts";
import { KNOWN_KEYS } from "./manifest-input-schema.ts";
import { problem, quote, splitProblem } from "./manifest-messages.ts";
import { DESTINATION_TYPES, type DestinationType } from "./manifest-rules.ts";

/** One thing wrong with a manifest, pointing at where it is when the manifest was text. */
export interface ManifestError {
  /** Where in the document: "objects[1].schedule", "destinations.warehouse.url"; "" for the whole. */
  path: string;
  /** 1-based line and column of the offending node (of the enclosing mapping for a missing key). */
  line?: number;
  column?: number;
  /** A complete sentence, starting with the path: what is wrong, then what is expected. */
  message: string;
  /** What would have been right, also given at the end of the message. */
  expected?: string;
}

export type PathSegment = string | number;

/**
 * A problem before it is placed in the text: `at` says which node to point at: the value, the key
 * itself (unknown or invalid keys), or the enclosing mapping (missing keys).
 */
export interface PlacedProblem {
  path: PathSegment[];
  message: string;
  at: "value" | "key" | "parent";
}

/** objects[1].schedule; keys that are not plain words are quoted: destinations["my.db"]. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function toManifestError(found: PlacedProblem, position?: { line: number; column: number }): ManifestError {
  const path = formatPath(found.path);
  const { expected } = splitProblem(found.message);
  return {
    path,
    ...position,
    message: `${path === "" ? "manifest" : path}: ${found.message}`,
    ...(expected === undefined ? {} : { expected }),
  };
}

/** Zod's issues as one problem each, unions opened up and unknown keys reported one by one. */
export function placeIssues(issues: readonly z.core.$ZodIssue[], document: unknown): PlacedProblem[] {
  const placed: PlacedProblem[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: PathSegment[]): void => {
    const path = [...prefix, ...issue.path.map((s) => (typeof s === "symbol" ? String(s) : s))];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) placed.push(unknownKey(path, key, document));
      return;
    }
    if (issue.code === "invalid_key") {
      placed.push({ path, message: issue.issues[0]?.message ?? issue.message, at: "key" });
      return;
    }
    if (issue.code === "invalid_union") {
      const branch = matchingBranch(issue.errors);
      if (branch) {
        for (const inner of branch) visit(inner, path);
        return;
      }
    }
    placed.push({ path, message: issue.message, at: valueAt(document, path) === undefined ? "parent" : "value" });
  };
  for (const issue of issues) visit(issue, []);
  return placed;
}

/**
 * The one union branch that accepted the value's type (the list, not the "all" string), whose
 * own complaints are more useful than "neither"; undefined when no branch, or several, did.
 */
function matchingBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const typeMismatch = (issue: z.core.$ZodIssue) =>
    issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_value");
  const fitting = branches.filter((issues) => issues.length > 0 && !issues.some(typeMismatch));
  return fitting.length === 1 ? fitting[0] : undefined;
}

function unknownKey(parent: PathSegment[], key: string, document: unknown): PlacedProblem {
  const known = knownKeysAt(parent, document);
  const path = [...parent, key];
  const belongs = elsewhere(parent, key);
  if (belongs)
    return {
      path,
      message: problem(
        `unknown key ${quote(key)} (${key} is set on each entry of ${belongs})`,
        `one of ${known.join(", ")}`,
      ),
      at: "key",
    };
  const guess = closestWord(key, known);
  const expected = known.length > 0 ? `one of ${known.join(", ")}` : "only the keys this mapping allows";
  return {
    path,
    message: problem(`unknown key ${quote(key)}${guess ? ` (did you mean ${guess}?)` : ""}`, expected),
    at: "key",
  };
}

/** Where a key that is unknown here belongs: a key of read objects at the top, a key of written ones elsewhere. */
function elsewhere(parent: readonly PathSegment[], key: string): string | undefined {
  const readKey = (KNOWN_KEYS.object as readonly string[]).includes(key);
  const writeKey = (KNOWN_KEYS.writeObject as readonly string[]).includes(key);
  if (parent.length === 0 && readKey) return "objects";
  if (parent.length === 0 && writeKey) return "writes.objects";
  if (parent.length === 2 && parent[0] === "objects" && writeKey) return "writes.objects";
  if (parent.length === 1 && parent[0] === "writes" && writeKey) return "writes.objects";
  if (parent.length === 3 && parent[0] === "writes" && readKey) return "objects";
  return undefined;
}

function knownKeysAt(path: readonly PathSegment[], document: unknown): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.manifest;
  if (path[0] === "objects" && path.length === 2) return KNOWN_KEYS.object;
  if (path[0] === "objects" && path[2] === "backfill") return KNOWN_KEYS.backfill;
  if (path[0] === "writes" && path.length === 1) return KNOWN_KEYS.writes;
  if (path[0] === "writes" && path[1] === "objects" && path.length === 3) return KNOWN_KEYS.writeObject;
  if (path[0] === "destinations" && path.length === 2) {
    const type = (valueAt(document, path) as { type?: unknown } | undefined)?.type;
    if (DESTINATION_TYPES.includes(type as DestinationType)) return KNOWN_KEYS.destination[type as DestinationType];
  }
  return [];
}

/** The value at a path of the raw document; only own properties count. */
export function valueAt(document: unknown, path: readonly PathSegment[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}
