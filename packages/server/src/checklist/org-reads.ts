import {
  type CompositeAnswer,
  parseLimitInfo,
  SalesforceApiError,
  type SalesforceClient,
  sendComposite,
} from "@forcelink/salesforce";
import type { ApiCallCount, DescribedObject, OrgSnapshot, Reading, Refusal } from "./org-snapshot.ts";

/**
 * How the checklist reads an org: one call at a time, each answer a `Reading` (what Salesforce
 * answered, or the refusal), counting every call it makes.
 */

/** Describes per `/composite` call (one API call against the daily limit, where a batch counts each). */
const DESCRIBES_PER_CALL = 25;

export async function readApiRoot(client: SalesforceClient, calls: ApiCallCount): Promise<OrgSnapshot["api"]> {
  calls.api++;
  try {
    const res = await client.request({ path: client.dataPath });
    const usage = parseLimitInfo(res.headers["sforce-limit-info"]);
    return { ok: true, value: { usage: usage ? { used: usage.used, max: usage.max } : null } };
  } catch (error) {
    return refusal(error);
  }
}

export async function readQuery<T>(
  client: SalesforceClient,
  calls: ApiCallCount,
  soql: string,
  map: (r: Record<string, unknown>) => T,
  api: "data" | "tooling" = "data",
): Promise<Reading<T[]>> {
  const out: T[] = [];
  try {
    if (api === "tooling") {
      let next: string | undefined = `${client.dataPath}/tooling/query`;
      let q: Record<string, string> | undefined = { q: soql };
      while (next) {
        calls.api++;
        const page: { body: QueryAnswer } = await client.request<QueryAnswer>({ path: next, query: q });
        for (const r of page.body.records ?? []) out.push(map(r));
        next = page.body.done === false ? page.body.nextRecordsUrl : undefined;
        q = undefined;
      }
    } else {
      const pages = client.queryPages(soql);
      for (;;) {
        calls.api++;
        const page = await pages.next();
        if (page.done) {
          calls.api--;
          break;
        }
        for (const r of page.value.records) out.push(map(r));
      }
    }
    return { ok: true, value: out };
  } catch (error) {
    return refusal(error);
  }
}

interface QueryAnswer {
  done?: boolean;
  nextRecordsUrl?: string;
  records?: Record<string, unknown>[];
}

export async function readDescribes(
  client: SalesforceClient,
  calls: ApiCallCount,
  names: string[],
): Promise<Record<string, Reading<DescribedObject>>> {
  const out: Record<string, Reading<DescribedObject>> = {};
  for (const batch of chunks(names, DESCRIBES_PER_CALL)) {
    calls.api++;
    try {
      const { answers } = await sendComposite(
        client,
        batch.map((name, i) => ({
          method: "GET",
          url: `${client.dataPath}/sobjects/${encodeURIComponent(name)}/describe`,
          referenceId: `describe${i}`,
        })),
        { idempotent: true },
      );
      batch.forEach((name, i) => {
        out[name.toLowerCase()] = describedFrom(answers.get(`describe${i}`));
      });
    } catch (error) {
      for (const name of batch) out[name.toLowerCase()] = refusal(error);
    }
  }
  return out;
}

function describedFrom(answer: CompositeAnswer | undefined): Reading<DescribedObject> {
  if (!answer) return { ok: false, code: "NO_ANSWER", message: "the composite call answered fewer results than asked" };
  if (answer.httpStatusCode >= 400) {
    const detail = Array.isArray(answer.body) ? (answer.body[0] as Record<string, unknown> | undefined) : undefined;
    return {
      ok: false,
      code: str(detail?.errorCode) ?? `HTTP_${answer.httpStatusCode}`,
      message: str(detail?.message) ?? `describe answered HTTP ${answer.httpStatusCode}`,
    };
  }
  const body = answer.body as { name?: unknown; fields?: Array<Record<string, unknown>> };
  return {
    ok: true,
    value: {
      name: String(body.name),
      fields: (body.fields ?? []).map((f) => ({
        name: String(f.name),
        permissionable: f.permissionable === true,
        createable: f.createable === true,
        updateable: f.updateable === true,
        calculated: f.calculated === true,
      })),
    },
  };
}

/** The one row a query must answer. */
export async function first<T>(reading: Promise<Reading<T[]>>, what: string): Promise<Reading<T>> {
  const r = await reading;
  if (!r.ok) return r;
  if (r.value.length > 0) return { ok: true, value: r.value[0] };
  return { ok: false, code: "NO_ROWS", message: `${what} answered no row for the connected user` };
}

/** The row a query may answer, or null. */
export async function firstOrNull<T>(reading: Promise<Reading<T[]>>): Promise<Reading<T | null>> {
  const r = await reading;
  if (!r.ok) return r;
  return { ok: true, value: r.value[0] ?? null };
}

export function merge<T>(readings: Reading<T[]>[]): Reading<T[]> {
  const out: T[] = [];
  for (const r of readings) {
    if (!r.ok) return r;
    out.push(...r.value);
  }
  return { ok: true, value: out };
}

export function refusal(error: unknown): Refusal {
  if (error instanceof SalesforceApiError)
    return error.checklistItem
      ? { ok: false, code: error.code, message: error.message, checklistItem: error.checklistItem }
      : { ok: false, code: error.code, message: error.message };
  throw error;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A SOQL string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function checkedId(id: string): string {
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) throw new Error(`'${id}' is not a Salesforce user id`);
  return id;
}

export function path(r: Record<string, unknown>, ...keys: string[]): unknown {
  let v: unknown = r;
  for (const k of keys) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
