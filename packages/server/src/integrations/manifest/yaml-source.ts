import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { PathSegment } from "./manifest-errors.ts";

/**
 * Manifest text read with the `yaml` package, keeping the syntax tree so that a problem found in
 * the plain data can be pointed at by line and column. JSON is YAML 1.2 too, so JSON text takes
 * the same road.
 */

export interface Position {
  line: number;
  column: number;
}

export type Locate = (path: readonly PathSegment[], at: "value" | "key" | "parent") => Position;

export type YamlReading =
  | { ok: true; data: unknown; locate: Locate }
  | { ok: false; errors: (Position & { message: string })[] };

/** Aliases may repeat a node this many times in all; more is a resource-exhaustion attempt. */
const MAX_ALIAS_COUNT = 100;

export function readYaml(text: string): YamlReading {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0)
    return { ok: false, errors: doc.errors.map((e) => ({ ...position(e.pos[0]), message: e.message })) };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ line: 1, column: 1, message }] };
  }
  const locate: Locate = (path, at) => {
    const node = at === "parent" ? nodeAt(doc, path.slice(0, -1), "value") : nodeAt(doc, path, at);
    return node?.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  return { ok: true, data, locate };
}

/**
 * The node a path leads to (the key node instead, for `at: "key"`), or the deepest node on the
 * way when the path goes further than the document does.
 */
function nodeAt(doc: Document, path: readonly PathSegment[], at: "value" | "key"): Node | undefined {
  let node: unknown = doc.contents;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return node;
      if (last && at === "key") return pair.key as Node;
      // `name:` with nothing after it: the key is the place to point at.
      if (pair.value === null || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]))
        return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
      node = node.items[segment];
    } else {
      return node as Node | undefined;
    }
  }
  return (node ?? undefined) as Node | undefined;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}
