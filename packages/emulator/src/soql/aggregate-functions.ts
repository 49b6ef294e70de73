/** One running aggregate over a group's values. */
export interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

export const AGGREGATE_FUNCTIONS = new Set(["COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"]);

function lessThan(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() < b.toLowerCase();
  return (a as number) < (b as number);
}

/** A fresh accumulator for the function; COUNT() (no field) counts rows, COUNT(f) non-null values. */
export function accumulator(fn: string, countsRows: boolean): Accumulator {
  switch (fn) {
    case "COUNT": {
      let n = 0;
      return { add: (v) => void (countsRows || v !== null ? n++ : 0), result: () => n };
    }
    case "COUNT_DISTINCT": {
      const seen = new Set<unknown>();
      return {
        add: (v) => void (v !== null && seen.add(typeof v === "string" ? v.toLowerCase() : v)),
        result: () => seen.size,
      };
    }
    case "SUM":
    case "AVG": {
      let sum = 0;
      let n = 0;
      return {
        add: (v) => {
          if (typeof v === "number") {
            sum += v;
            n++;
          }
        },
        result: () => (n === 0 ? null : fn === "SUM" ? sum : sum / n),
      };
    }
    default: {
      let best: unknown = null;
      const wantsMin = fn === "MIN";
      return {
        add: (v) => {
          if (v === null) return;
          if (best === null || (wantsMin ? lessThan(v, best) : lessThan(best, v))) best = v;
        },
        result: () => best,
      };
    }
  }
}
