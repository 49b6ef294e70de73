import { z } from "zod";
import { problem, quote, typed } from "./manifest-messages.ts";
import { API_NAME, EXPECTED } from "./manifest-rules.ts";

/** Small zod builders shared by the manifest's input schemas. */

/** A string refinement from a "why not" function: its answer, when there is one, is the issue's message. */
export const withCheck =
  (find: (value: string) => string | undefined) =>
  (value: string, ctx: z.RefinementCtx): void => {
    const message = find(value);
    if (message) ctx.addIssue({ code: "custom", message });
  };

/** A string that must match a pattern, with one message for both a wrong type and a mismatch. */
export const text = (expected: string, pattern: RegExp) =>
  z.string({ error: typed(expected) }).regex(pattern, { error: typed(expected) });

/** The lookup field behind a relationship name: Owner → OwnerId, Parent__r → Parent__c. */
export function lookupFieldOf(relation: string): string {
  return relation.endsWith("__r") ? `${relation.slice(0, -3)}__c` : `${relation}Id`;
}

/**
 * Why a name is not a field of the object itself, or undefined when it is one. Relationship paths
 * (Owner.Name) are refused: the lookup field itself (OwnerId) is what to list, for a read and for
 * a write alike (a write may still set the lookup through the parent's external id).
 */
export function fieldNameProblem(name: string, verb: "read" | "write"): string | undefined {
  if (name.includes(".")) {
    const lookup = lookupFieldOf(name.slice(0, name.indexOf(".")));
    return problem(
      `${quote(name)} is a relationship path, which a manifest cannot ${verb}`,
      API_NAME.test(lookup)
        ? `a field of the object itself, such as the lookup field ${lookup}`
        : "a field of the object itself",
    );
  }
  return API_NAME.test(name) ? undefined : problem(`got ${quote(name)}`, EXPECTED.apiName);
}

/** A field API name of the object itself, as a manifest lists it. */
export const fieldNameInput = (verb: "read" | "write") =>
  z
    .string({ error: typed(EXPECTED.apiName) })
    .superRefine(withCheck((name) => fieldNameProblem(name, verb)))
    .meta({ pattern: API_NAME.source });

/** Names once each, the first spelling winning, ignoring case (Salesforce API names ignore it). */
export function distinctNames(names: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  return [...byKey.values()];
}
