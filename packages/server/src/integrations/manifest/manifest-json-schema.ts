import { z } from "zod";
import { manifestInputSchema } from "./manifest-input-schema.ts";

let generated: Record<string, unknown> | undefined;

/**
 * The published JSON Schema (draft 2020-12) of the manifest as a person writes it, before
 * defaults are filled in: editors use it for completion and early checks. It is generated from
 * the zod schema, so it cannot drift; the cron and cross-reference rules it cannot express
 * (valid ranges, names defined under destinations, objects named once) are left to parseManifest.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  generated ??= z.toJSONSchema(manifestInputSchema, { target: "draft-2020-12", io: "input" }) as Record<
    string,
    unknown
  >;
  return structuredClone(generated);
}
