// SOQL literal text as the parser hands it over (strings still quoted, keywords upper-cased).

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", '"': '"', "'": "'", "\\": "\\" };

/** The value of a quoted string literal, escapes resolved. */
export function unquote(raw: string): string {
  const body = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\" || i === body.length - 1) {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}

/**
 * A LIKE pattern as an anchored, case-insensitive regular expression: `%` is any run, `_` one
 * character, and `\%` / `\_` stand for themselves.
 */
export function likeRegex(raw: string): RegExp {
  const body = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  let source = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\" && i < body.length - 1) {
      const next = body[++i];
      source += escapeRegex(next === "%" || next === "_" ? next : unquote(`\\${next}`));
    } else if (c === "%") source += "[\\s\\S]*";
    else if (c === "_") source += "[\\s\\S]";
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, "i");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch milliseconds of a datetime literal (`2024-01-01T00:00:00Z`, `…+01:00`, fractions), or undefined. */
export function parseDateTimeLiteral(text: string): number | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone, sign, zh, zm] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!validCalendarDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  if (zone.toUpperCase() === "Z") return local;
  const offset = (Number(zh) * 60 + Number(zm)) * 60_000;
  return sign === "+" ? local - offset : local + offset;
}

/** A date literal kept in the store's form ('YYYY-MM-DD'), or undefined when it is no real date. */
export function parseDateLiteral(text: string): string | undefined {
  const m = DATE.exec(text);
  if (!m || !validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return text;
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function dateStringOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
