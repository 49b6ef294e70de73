/*
 * How a remedy's steps are written out: the templates' placeholders, and the words used where a
 * run found nothing more specific. Shared by the checklist's verdicts and runtime explanations.
 */

/** Fills `{name}` placeholders; a step that is only a list placeholder becomes one step per item. */
export function fill(step: string, values: Record<string, string | string[]>): string[] {
  const whole = /^\{(\w+)\}$/.exec(step);
  if (whole && Array.isArray(values[whole[1]])) return values[whole[1]] as string[];
  return [
    step.replace(/\{(\w+)\}/g, (m, key: string) => {
      const v = values[key];
      if (v === undefined) return m;
      return Array.isArray(v) ? v.join(", ") : v;
    }),
  ];
}

/**
 * Words for placeholders a verdict did not fill: an "unknown" that shows the check's steps, and
 * a runtime failure explained without the checklist's reading. Each reads as plain English in
 * the sentence its placeholder sits in.
 */
export const GENERIC_NAMES: Record<string, string | string[]> = {
  objects: "the objects the integration declares",
  fields: "the fields the integration declares",
  computed: "the computed fields",
  absent: "the declared object",
  missing:
    "Read on every declared object; Create, Edit and Delete on the objects it writes; View All Records on the objects it subscribes to",
  permissions: "View Setup and Configuration, Customize Application",
  permission: "Approve Uninstalled Connected Apps (or Use Any API Client where API Access Control is on)",
  license: "not a Salesforce license",
  needed: "the integration's objects",
  observed: "seen while connecting",
  // Steps about a permission set group's muting set only make sense when a run found one: none here.
  muted: [],
};
