import { z } from "zod";
import { typed } from "./manifest-messages.ts";

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
