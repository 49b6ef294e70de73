import type { Org } from "../org/org.ts";
import type { FieldDef } from "../schema/types.ts";
import { plainNames, recordLiteralSource } from "../store/compact-record.ts";
import type { StoredRecord } from "../store/record-store.ts";

/** A small seeded generator (mulberry32), so the same seed always gives the same org. */
export class Dice {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Ken",
  "Margaret",
  "Linus",
  "Radia",
  "Donald",
  "Frances",
  "John",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Thompson",
  "Hamilton",
  "Torvalds",
  "Perlman",
  "Knuth",
  "Allen",
  "Backus",
];
const CITIES = ["Paris", "Berlin", "Lisbon", "Oslo", "Austin", "Toronto", "Osaka", "Nairobi", "Lima", "Perth"];
const COUNTRIES = ["France", "Germany", "Portugal", "Norway", "USA", "Canada", "Japan", "Kenya", "Peru", "Australia"];
const WORDS = ["alpha", "delta", "quantum", "harbor", "summit", "nimbus", "vertex", "cobalt", "juniper", "meridian"];

/** Rows written together share one second, as a bulk load does in Salesforce. */
const ROWS_PER_SECOND = 50;

type Maker = (i: number, d: Dice, org: Org) => Record<string, unknown>;

function pad(i: number): string {
  return String(i).padStart(7, "0");
}

function someId(org: Org, objectName: string, d: Dice): string | null {
  const table = org.store.table(objectName);
  const ids = table ? orderedIds(org, objectName) : [];
  return ids.length > 0 ? ids[Math.floor(d.next() * ids.length)] : null;
}

const idCache = new WeakMap<Org, Map<string, { version: number; ids: string[] }>>();
function orderedIds(org: Org, objectName: string): string[] {
  const table = org.store.tableOrThrow(objectName);
  const byObject = idCache.get(org) ?? new Map<string, { version: number; ids: string[] }>();
  idCache.set(org, byObject);
  const cached = byObject.get(objectName);
  if (cached && cached.version === table.version) return cached.ids;
  const ids = [...table.rows.keys()];
  byObject.set(objectName, { version: table.version, ids });
  return ids;
}

/** First, last and the Name Salesforce derives from them (load() skips the derivation). */
function person(i: number, d: Dice) {
  const FirstName = d.pick(FIRST);
  const LastName = `${d.pick(LAST)} ${pad(i)}`;
  return { FirstName, LastName, Name: `${FirstName} ${LastName}` };
}

/**
 * Streets and postal codes repeat across a million Accounts (ten thousand and ninety thousand of
 * them): each is made once and shared by the records that hold it, as a real org's would be.
 */
const streets: string[] = new Array(1000 * WORDS.length);
function street(number: number, word: number): string {
  const key = number * WORDS.length + word;
  streets[key] ??= `${number} ${WORDS[word]} street`.normalize();
  return streets[key];
}
const postalCodes: string[] = new Array(90_000);
function postalCode(n: number): string {
  postalCodes[n - 10000] ??= String(n);
  return postalCodes[n - 10000];
}

const MAKERS: Record<string, Maker> = {
  Account: (i, d) => {
    const city = d.int(0, CITIES.length - 1);
    return {
      Name: `Account ${pad(i)}`,
      Type: d.pick(["Prospect", "Customer - Direct", "Customer - Channel", "Partner"]),
      Industry: d.pick(["Banking", "Energy", "Retail", "Technology", "Healthcare", "Education"]),
      // d.int(0, n - 1) draws as d.pick does: the same streets as picking the word.
      BillingStreet: street(d.int(1, 999), d.int(0, WORDS.length - 1)),
      BillingCity: CITIES[city],
      BillingCountry: COUNTRIES[city],
      BillingPostalCode: postalCode(d.int(10000, 99999)),
      Phone: `+1 555 ${String(d.int(0, 9999999)).padStart(7, "0")}`,
      Website: `https://${d.pick(WORDS)}${i}.example`,
      AnnualRevenue: d.int(1, 5000) * 1000,
      NumberOfEmployees: d.int(1, 20000),
      Rating: d.pick(["Hot", "Warm", "Cold"]),
      // Every tenth description needs CSV quoting: a comma, a quote and a line break.
      Description: i % 10 === 0 ? `Line one, "quoted"\nline two for ${pad(i)}` : `Customer ${pad(i)}`,
    };
  },
  Contact: (i, d, org) => ({
    ...person(i, d),
    Email: `contact${i}@${d.pick(WORDS)}.example`,
    Title: d.pick(["CTO", "VP Sales", "Engineer", "Buyer"]),
    Phone: `+1 555 ${String(d.int(0, 9999999)).padStart(7, "0")}`,
    MailingCity: d.pick(CITIES),
    AccountId: someId(org, "Account", d),
  }),
  Lead: (i, d) => ({
    ...person(i, d),
    Company: `${d.pick(WORDS)} ${pad(i)} Inc`,
    Email: `lead${i}@${d.pick(WORDS)}.example`,
    Status: d.pick(["Open - Not Contacted", "Working - Contacted"]),
    LeadSource: d.pick(["Web", "Phone Inquiry", "Partner Referral"]),
    IsConverted: false,
  }),
  Opportunity: (i, d, org) => ({
    Name: `Deal ${pad(i)}`,
    AccountId: someId(org, "Account", d),
    StageName: d.pick(["Prospecting", "Qualification", "Negotiation/Review", "Closed Won"]),
    CloseDate: new Date(Date.UTC(2026, d.int(0, 11), d.int(1, 28))).toISOString().slice(0, 10),
    Amount: d.int(1, 500) * 100,
    Probability: d.pick([10, 25, 50, 75, 90]),
    IsClosed: false,
    IsWon: false,
  }),
  Case: (i, d, org) => ({
    CaseNumber: String(i).padStart(8, "0"),
    Subject: `${d.pick(WORDS)} issue ${pad(i)}`,
    Status: d.pick(["New", "Working", "Escalated"]),
    Priority: d.pick(["High", "Medium", "Low"]),
    Origin: d.pick(["Phone", "Email", "Web"]),
    AccountId: someId(org, "Account", d),
    IsClosed: false,
  }),
};

function customValues(fields: FieldDef[], i: number, d: Dice): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.custom || f.calculated) continue;
    if (f.externalId || f.unique) out[f.name] = `EXT-${pad(i)}`;
    else if (f.type === "boolean") out[f.name] = d.next() < 0.5;
    else if (["int", "double", "currency", "percent"].includes(f.type)) out[f.name] = d.int(0, 1000);
    else if (f.type === "date") out[f.name] = "2026-01-15";
    else if (f.type === "picklist" && f.picklistValues.length > 0) out[f.name] = d.pick(f.picklistValues).value;
    else if (["string", "textarea", "email", "phone", "url"].includes(f.type))
      out[f.name] = `${d.pick(WORDS)} ${i}`.slice(0, f.length || 255);
  }
  return out;
}

/**
 * Adds `count` deterministic records to an object. Timestamps run up to a minute before now in
 * groups sharing one second, so sync code meets equal SystemModstamps the way it will in real orgs.
 */
export function generateRecords(org: Org, objectName: string, count: number, seed = 42): number {
  const table = org.store.table(objectName);
  if (!table) throw new Error(`unknown object '${objectName}'`);
  const def = table.def;
  const d = new Dice(seed + table.size);
  const ownerId = org.store.tableOrThrow("User").live().next().value?.Id ?? "";
  const make = MAKERS[def.name] ?? ((i: number) => ({ Name: `${def.label} ${pad(i)}` }));
  const groups = Math.ceil(count / ROWS_PER_SECOND);
  const now = org.clock.now();
  let ts = now - (now % 1000) - 60_000 - groups * 30_000;
  // The group's timestamp, boxed once: the three audit dates of its records share it.
  const stamp: unknown[] = [null];
  const start = table.size;
  let compact: ((r: StoredRecord) => StoredRecord) | undefined;
  for (let n = 0; n < count; n++) {
    if (n % ROWS_PER_SECOND === 0) {
      ts = Math.min(ts + d.int(1, 59) * 1000, now - (now % 1000) - 60_000);
      stamp[0] = ts;
    }
    const i = start + n + 1;
    const at = stamp[0];
    const record: StoredRecord = {
      Id: org.store.mintId(table),
      IsDeleted: false,
      CreatedDate: at,
      CreatedById: ownerId,
      LastModifiedDate: at,
      LastModifiedById: ownerId,
      SystemModstamp: at,
      ...(def.fieldMap.has("ownerid") ? { OwnerId: ownerId } : {}),
      ...make(i, d, org),
      ...customValues(def.fields, i, d),
    };
    compact ??= compactCopier(Object.keys(record));
    const stored = compact(record);
    // Assigned again after the copy, which boxed them afresh: one shared number per group.
    stored.CreatedDate = at;
    stored.LastModifiedDate = at;
    stored.SystemModstamp = at;
    org.store.load(table, stored);
  }
  return count;
}

/**
 * A compact copy of a generated record (see store/compact-record.ts). Its text is flattened too:
 * text made by joining pieces is held by V8 as a chain of the pieces, several times the size of
 * the text, and normalize() of the generator's ASCII text returns it as one flat string.
 */
function compactCopier(columns: string[]): (r: StoredRecord) => StoredRecord {
  if (!plainNames(columns)) return (r) => r;
  const flat = (v: unknown) => (typeof v === "string" && v.length >= 13 ? v.normalize() : v);
  const source = recordLiteralSource(
    columns,
    columns.map((c) => `flat(g.${c})`),
  );
  return new Function("flat", `return (g) => { ${source} };`)(flat) as (r: StoredRecord) => StoredRecord;
}
