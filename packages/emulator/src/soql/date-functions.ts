import type { FieldDef } from "../schema/types.ts";

/** SOQL date functions over stored values (datetime epoch ms or 'YYYY-MM-DD'), evaluated in UTC. */
export type DateFunction = (value: unknown) => number | string | null;

function asDate(value: unknown): Date | undefined {
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) return new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return undefined;
}

const FUNCTIONS: Record<string, (d: Date) => number | string> = {
  CALENDAR_YEAR: (d) => d.getUTCFullYear(),
  CALENDAR_QUARTER: (d) => Math.floor(d.getUTCMonth() / 3) + 1,
  CALENDAR_MONTH: (d) => d.getUTCMonth() + 1,
  DAY_IN_MONTH: (d) => d.getUTCDate(),
  DAY_IN_WEEK: (d) => d.getUTCDay() + 1,
  DAY_IN_YEAR: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  WEEK_IN_MONTH: (d) => Math.floor((d.getUTCDate() - 1) / 7) + 1,
  WEEK_IN_YEAR: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / (7 * 86_400_000)) + 1,
  HOUR_IN_DAY: (d) => d.getUTCHours(),
  DAY_ONLY: (d) => d.toISOString().slice(0, 10),
};

/** The function by its SOQL name; fiscal variants follow the calendar (fiscal year starting in January). */
export function dateFunction(name: string, field: FieldDef): DateFunction | undefined {
  const key = name.toUpperCase().replace(/^FISCAL_/, "CALENDAR_");
  const fn = FUNCTIONS[key];
  if (!fn || (field.type !== "date" && field.type !== "datetime")) return undefined;
  if ((key === "HOUR_IN_DAY" || key === "DAY_ONLY") && field.type !== "datetime") return undefined;
  return (value) => {
    const d = asDate(value);
    return d === undefined ? null : fn(d);
  };
}

export function dateFunctionResultType(name: string): "date" | "int" {
  return name.toUpperCase() === "DAY_ONLY" ? "date" : "int";
}
