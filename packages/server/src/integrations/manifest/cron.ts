import { problem, quote } from "./manifest-messages.ts";

/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), numbers only: each
 * field is a comma-separated list of `*`, `n` or `a-b`, where `*` and ranges may take a step
 * (CRON_EXAMPLE below, `0-30/10`). A step after a single number (`5/15`) is refused as ambiguous
 * between schedulers; write `5-59/15`. Names (MON, JAN) and macros (@hourly) are not
 * accepted. Day of week 0 and 7 are both Sunday.
 */

export const CRON_EXAMPLE = "*/15 * * * *";
export const CRON_EXPECTED = `5 fields like "${CRON_EXAMPLE}"`;
/** Loose shape for the JSON Schema; `cronProblem` does the real check. */
export const CRON_PATTERN = "^\\s*[0-9*,/-]+(\\s+[0-9*,/-]+){4}\\s*$";

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

const ITEM = /^(?:\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** Why an expression is not a cron schedule (a `problem` message), or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  const q = quote(expression);
  if (!/^[\d*,/\-\s]+$/.test(expression) || expression.trim() === "")
    return problem(`${q} is not a cron expression`, CRON_EXPECTED);
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length)
    return problem(
      `${q} has ${parts.length} field${parts.length === 1 ? "" : "s"}`,
      `5 fields (minute hour day-of-month month day-of-week) like "${CRON_EXAMPLE}"`,
    );
  for (const [index, field] of FIELDS.entries()) {
    for (const item of parts[index].split(",")) {
      const found = fieldProblem(item, field);
      if (found) return problem(`${q}: ${found.what}`, found.expected);
    }
  }
  return undefined;
}

/** The expression with its fields separated by single spaces. */
export function normaliseCron(expression: string): string {
  return expression.trim().split(/\s+/).join(" ");
}

function fieldProblem(item: string, field: (typeof FIELDS)[number]): { what: string; expected: string } | undefined {
  const match = ITEM.exec(item);
  if (!match)
    return {
      what: `the ${field.name} field ${quote(item)} is not valid`,
      expected: "a number, a range like 1-5, a step like */10 or 0-30/10, or a comma-separated list of these",
    };
  const [, from, to, step] = match;
  const bounds = `${field.min} to ${field.max}`;
  for (const n of [from, to]) {
    if (n !== undefined && (Number(n) < field.min || Number(n) > field.max))
      return {
        what: `${field.name} ${n} is out of range`,
        expected: `${field.name === "hour" ? "an" : "a"} ${field.name} from ${bounds}`,
      };
  }
  if (from !== undefined && to !== undefined && Number(from) > Number(to))
    return {
      what: `the ${field.name} range ${from}-${to} runs backwards`,
      expected: `the smaller number first, like ${to}-${from}`,
    };
  if (step !== undefined) {
    if (from !== undefined && to === undefined)
      return {
        what: `the ${field.name} step ${quote(item)} starts from a single number`,
        expected: `a step over * or a range, like */${step} or ${from}-${field.max}/${step}`,
      };
    if (Number(step) < 1 || Number(step) > field.max)
      return { what: `the ${field.name} step ${step} is out of range`, expected: `a step from 1 to ${field.max}` };
  }
  return undefined;
}
