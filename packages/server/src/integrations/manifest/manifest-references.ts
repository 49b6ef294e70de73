import { closestWord } from "./closest-word.ts";
import { problem, quote } from "./manifest-messages.ts";
import { DESTINATION_NAME, EXPECTED } from "./manifest-rules.ts";

/**
 * The checks that look across the manifest rather than at one value: an object named twice
 * (Salesforce API names are case-insensitive, so Account and account are one object), and an
 * object sending to a destination the manifest does not define. They read the raw document
 * defensively, so they run (and report) even while other parts of it are still wrong. A destination
 * named __proto__ is reported here too: zod drops that key silently rather than refusing it.
 */

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
  at: "value" | "key";
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function referenceProblems(document: unknown): ReferenceProblem[] {
  if (!isMapping(document) || !Array.isArray(document.objects)) return [];
  const problems: ReferenceProblem[] = [];
  const names = isMapping(document.destinations) ? Object.keys(document.destinations) : undefined;
  if (names?.includes("__proto__"))
    problems.push({
      path: ["destinations", "__proto__"],
      message: problem('"__proto__" is not a valid name', EXPECTED.destinationName),
      at: "key",
    });
  const destinations = names?.filter((name) => DESTINATION_NAME.test(name));
  const firstByName = new Map<string, { index: number; name: string }>();
  for (const [index, object] of document.objects.entries()) {
    if (!isMapping(object)) continue;
    if (typeof object.name === "string") {
      const first = firstByName.get(object.name.toLowerCase());
      if (first)
        problems.push({
          path: ["objects", index, "name"],
          message: problem(
            `${quote(object.name)} is the same object as objects[${first.index}] (${quote(first.name)})`,
            "each object listed once; API names are case-insensitive",
          ),
          at: "value",
        });
      else firstByName.set(object.name.toLowerCase(), { index, name: object.name });
    }
    if (destinations && Array.isArray(object.destinations)) {
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
  }
  return problems;
}
