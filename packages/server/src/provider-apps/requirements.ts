import { z } from "zod";
import type { ProviderAppProblem } from "./provider-app-problem.ts";

/**
 * What an integration needs from an org, object by object: the pre-install checklist's input. It
 * lives on the provider app until integrations get a manifest of their own.
 */
/** `write` is shorthand for `create`, `edit` and `delete` together; each can be declared alone. */
export const REQUIREMENT_ACCESS = ["read", "write", "create", "edit", "delete", "subscribe"] as const;
export type RequirementAccess = (typeof REQUIREMENT_ACCESS)[number];

const apiName = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*$/,
    "must be a Salesforce API name: letters, digits and underscores, starting with a letter (Account, Invoice__c, ns__Thing__c)",
  );

export const requirementsSchema = z
  .object({
    objects: z
      .array(
        z
          .object({
            name: apiName,
            access: z
              .array(z.enum(REQUIREMENT_ACCESS))
              .min(1)
              .max(REQUIREMENT_ACCESS.length * 2),
            fields: z.array(apiName).max(1000).optional(),
          })
          .strict(),
      )
      .max(500),
  })
  .strict();

/**
 * One object's requirement. `writeFields`, which only an integration manifest gives (a provider app
 * cannot declare it), names the fields among `fields` that are written; without it, every listed
 * field is written when the access includes create or edit.
 */
export type ObjectRequirement = z.infer<typeof requirementsSchema>["objects"][number] & { writeFields?: string[] };
export type Requirements = { objects: ObjectRequirement[] };

export type RequirementsVerdict =
  | { ok: true; requirements: Requirements }
  | { ok: false; problems: ProviderAppProblem[] };

/**
 * Salesforce API names are case-insensitive, so `Account` and `account` are one object: naming an
 * object twice is refused (which entry would win is a guess). Repeated access or field names are
 * simply folded.
 */
export function checkRequirements(requirements: Requirements): RequirementsVerdict {
  const problems: ProviderAppProblem[] = [];
  const seen = new Map<string, number>();
  const objects: ObjectRequirement[] = requirements.objects.map((object, index) => {
    const key = object.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        field: `requirements.objects.${index}.name`,
        code: "requirement_duplicate_object",
        message: `requirements.objects names ${object.name} twice (entries ${first} and ${index}); API names are case-insensitive.`,
        remedy: `List each object once, with every access it needs, e.g. {"name": "${object.name}", "access": ["read", "write"]}.`,
      });
    } else {
      seen.set(key, index);
    }
    const access = REQUIREMENT_ACCESS.filter((a) => object.access.includes(a));
    if (object.fields === undefined) return { name: object.name, access };
    const fields = new Map<string, string>();
    for (const f of object.fields) if (!fields.has(f.toLowerCase())) fields.set(f.toLowerCase(), f);
    return { name: object.name, access, fields: [...fields.values()] };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, requirements: { objects } };
}
