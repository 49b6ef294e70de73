import { dateStringOf } from "./literals.ts";

/** A half-open range [start, end) of epoch milliseconds (UTC, the org's time zone here). */
export interface TimeRange {
  start: number;
  end: number;
}

type Unit = "DAY" | "WEEK" | "MONTH" | "QUARTER" | "YEAR";

/** Start of the `unit` that contains `now`, moved by `shift` units. Weeks start on Sunday (en_US). */
function unitStart(now: number, unit: Unit, shift: number): number {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case "DAY":
      return Date.UTC(y, m, day + shift);
    case "WEEK":
      return Date.UTC(y, m, day - d.getUTCDay() + 7 * shift);
    case "MONTH":
      return Date.UTC(y, m + shift, 1);
    case "QUARTER":
      return Date.UTC(y, m - (m % 3) + 3 * shift, 1);
    case "YEAR":
      return Date.UTC(y + shift, 0, 1);
  }
}

function span(now: number, unit: Unit, from: number, to: number): TimeRange {
  return { start: unitStart(now, unit, from), end: unitStart(now, unit, to) };
}

const PLAIN: Record<string, [Unit, number]> = {
  YESTERDAY: ["DAY", -1],
  TODAY: ["DAY", 0],
  TOMORROW: ["DAY", 1],
};

/**
 * The range a date literal stands for, or undefined for an unknown one. Fiscal literals follow the
 * calendar, Salesforce's default fiscal year (starting in January).
 */
export function dateLiteralRange(literal: string, n: number | undefined, now: number): TimeRange | undefined {
  const name = literal.toUpperCase().replace(/:.*$/, "").replace("_FISCAL", "");
  const plain = PLAIN[name];
  if (plain) return span(now, plain[0], plain[1], plain[1] + 1);
  if (name === "LAST_90_DAYS") return span(now, "DAY", -90, 1);
  if (name === "NEXT_90_DAYS") return span(now, "DAY", 1, 91);
  let m = /^(THIS|LAST|NEXT)_(WEEK|MONTH|QUARTER|YEAR)$/.exec(name);
  if (m) {
    const shift = m[1] === "THIS" ? 0 : m[1] === "LAST" ? -1 : 1;
    return span(now, m[2] as Unit, shift, shift + 1);
  }
  if (n === undefined || !Number.isInteger(n) || n < 0) return undefined;
  m = /^(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)$/.exec(name);
  if (m) {
    const unit = m[2].slice(0, -1) as Unit;
    // LAST_N_DAYS includes today; the longer units cover whole completed units before this one.
    if (m[1] === "LAST") return unit === "DAY" ? span(now, unit, -n, 1) : span(now, unit, -n, 0);
    return span(now, unit, 1, 1 + n);
  }
  m = /^N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)_AGO$/.exec(name);
  if (m) return span(now, m[1].slice(0, -1) as Unit, -n, -n + 1);
  return undefined;
}

/** The same range over date fields, as 'YYYY-MM-DD' bounds (end exclusive). */
export function dateRangeAsDates(range: TimeRange): { start: string; end: string } {
  return { start: dateStringOf(range.start), end: dateStringOf(range.end) };
}
