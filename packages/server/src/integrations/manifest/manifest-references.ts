import { closestWord } from "./closest-word.ts";
import { problem, quote } from "./manifest-messages.ts";
import { DESTINATION_NAME, EXPECTED, FIELD_WRITING_OPERATIONS } from "./manifest-rules.ts";

/**
 * The checks that look across the manifest rather than at one value: an object named twice
 * (Salesforce API names are case-insensitive, so Account and account are one object), an object
 * sending to a destination the manifest does not define, a manifest that neither reads nor writes,
 * read objects without destinations, and written objects whose operations and fields disagree.
 * They read the raw document defensively, so they run (and report) even while other parts of it
 * are still wrong. A destination named __proto__ is reported here too: zod drops that key silently
 * rather than refusing it.
 */

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
  /** The value, the key itself, or the enclosing mapping (for something missing). */
  at: "value" | "key" | "parent";
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function referenceProblems(document: unknown): ReferenceProblem[] {
  if (!isMapping(document)) return [];
  return [...presenceProblems(document), ...readProblems(document), ...writeProblems(document)];
}

/** Objects or writes must be there; read objects need destinations to send to. */
function presenceProblems(document: Record<string, unknown>): ReferenceProblem[] {
  if (document.objects === undefined && document.writes === undefined)
    return [{ path: ["objects"], message: problem("missing", EXPECTED.objects), at: "parent" }];
  if (Array.isArray(document.objects) && document.objects.length > 0 && document.destinations === undefined)
    return [{ path: ["destinations"], message: problem("missing", EXPECTED.destinations), at: "parent" }];
  return [];
}

function readProblems(document: Record<string, unknown>): ReferenceProblem[] {
  if (!Array.isArray(document.objects)) return [];
  const problems: ReferenceProblem[] = [];
  const names = isMapping(document.destinations) ? Object.keys(document.destinations) : undefined;
  if (names?.includes("__proto__"))
    problems.push({
      path: ["destinations", "__proto__"],
      message: problem('"__proto__" is not a valid name', EXPECTED.destinationName),
      at: "key",
    });
  const destinations = names?.filter((name) => DESTINATION_NAME.test(name));
  problems.push(...namedTwice(document.objects, ["objects"]));
  for (const [index, object] of document.objects.entries()) {
    if (isMapping(object)) problems.push(...enrichedProblems(object, index));
    if (!isMapping(object) || !destinations || !Array.isArray(object.destinations)) continue;
    for (const [position, name] of object.destinations.entries()) {
      if (typeof name !== "string" || destinations.includes(name)) continue;
      const guess = closestWord(name, destinations);
      problems.push({
        path: ["objects", index, "destinations", position],
        message: problem(
          `${quote(name)} is not defined under destinations${guess ? ` (did you mean ${guess}?)` : ""}`,
          destinations.length > 0 ? `one of ${destinations.join(", ")}` : "a name defined under destinations",
        ),
        at: "value",
      });
    }
  }
  return problems;
}

/** Each entry of a list of objects names a different object, ignoring case. */
function namedTwice(objects: unknown[], at: (string | number)[]): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const firstByName = new Map<string, { index: number; name: string }>();
  const where = at.join(".");
  for (const [index, object] of objects.entries()) {
    if (!isMapping(object) || typeof object.name !== "string") continue;
    const first = firstByName.get(object.name.toLowerCase());
    if (first)
      problems.push({
        path: [...at, index, "name"],
        message: problem(
          `${quote(object.name)} is the same object as ${where}[${first.index}] (${quote(first.name)})`,
          "each object listed once; API names are case-insensitive",
        ),
        at: "value",
      });
    else firstByName.set(object.name.toLowerCase(), { index, name: object.name });
  }
  return problems;
}

/** Written objects: each once; fields listed when the operations set any; an external id only for upserts. */
function writeProblems(document: Record<string, unknown>): ReferenceProblem[] {
  const writes = document.writes;
  if (!isMapping(writes) || !Array.isArray(writes.objects)) return [];
  const problems = namedTwice(writes.objects, ["writes", "objects"]);
  for (const [index, object] of writes.objects.entries()) {
    if (!isMapping(object) || !Array.isArray(object.operations)) continue;
    const operations = object.operations.filter((o): o is string => typeof o === "string");
    const setting = operations.filter((o) => (FIELD_WRITING_OPERATIONS as readonly string[]).includes(o));
    if (setting.length > 0 && object.fields === undefined)
      problems.push({
        path: ["writes", "objects", index, "fields"],
        message: problem(`missing (${setting.join(", ")} set field values)`, EXPECTED.writeFields),
        at: "parent",
      });
    if (object.externalIdField !== undefined && operations.length > 0 && !operations.includes("upsert"))
      problems.push({
        path: ["writes", "objects", index, "externalIdField"],
        message: problem(
          "an external id field is used only by upsert, which operations does not list",
          "upsert among the operations, or no externalIdField",
        ),
        at: "key",
      });
  }
  return problems;
}

/** Enriched fields are read like the others: each must be among the object's listed fields. */
function enrichedProblems(object: Record<string, unknown>, index: number): ReferenceProblem[] {
  const subscribe = object.subscribe;
  if (!isMapping(subscribe) || !Array.isArray(subscribe.enrichedFields) || !Array.isArray(object.fields)) return [];
  const listed = new Set(object.fields.filter((f): f is string => typeof f === "string").map((f) => f.toLowerCase()));
  const problems: ReferenceProblem[] = [];
  for (const [position, name] of subscribe.enrichedFields.entries()) {
    if (typeof name !== "string" || listed.has(name.toLowerCase())) continue;
    problems.push({
      path: ["objects", index, "subscribe", "enrichedFields", position],
      message: problem(
        `${quote(name)} is not among the object's fields`,
        "a field listed under fields (or fields: all)",
      ),
      at: "value",
    });
  }
  return problems;
}
