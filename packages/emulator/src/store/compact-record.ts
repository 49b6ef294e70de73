/**
 * Records are the bulk of an org's memory (a million Accounts), so records made in bulk (the
 * data generator, a snapshot's rows) are built the compact way V8 allows:
 * - one object literal naming every field, so every field sits inside the object (a record built
 *   field by field or by spreading keeps most of them in a second array);
 * - its fields start as null and are then assigned: a number written into a literal gets a box
 *   of its own in every record, while an assigned one is shared (the three audit dates of records
 *   written in the same second are then one number in memory, not three per record).
 */

/** Whether every column can be spelled as a property of an object literal (field API names can). */
export function plainNames(columns: string[]): boolean {
  return columns.every((c) => /^[A-Za-z][A-Za-z0-9_]*$/.test(c));
}

/** Source of a function body that returns a record of `columns`, the i-th set to `values[i]` (JS expressions). */
export function recordLiteralSource(columns: string[], values: string[]): string {
  const empty = columns.map((c) => `${c}: null`).join(", ");
  const assigned = columns.map((c, i) => `r.${c} = ${values[i]};`).join(" ");
  return `const r = { ${empty} }; ${assigned} return r;`;
}
