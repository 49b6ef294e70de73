import { describe, expect, it } from "vitest";
import { lineEndingsMatch, parseCsv } from "../src/bulk/csv-dialect.ts";
import { csvRow, quoted, quotedIfNeeded } from "../src/bulk/csv-text.ts";
import { canDelete, patchTransition, settleStep } from "../src/bulk/job-lifecycle.ts";
import type { JobState } from "../src/bulk/job-types.ts";
import { type BulkQueryShape, bulkQueryVerdict } from "../src/bulk/query-rules.ts";
import { decodeLocator, encodeLocator, pageBounds, parseMaxRecords } from "../src/bulk/result-pages.ts";
import { sfError } from "../src/bulk/row-errors.ts";
import { field } from "../src/schema/field-builders.ts";
import { permissionSetObject } from "../src/schema/setup-objects.ts";
import { accountObject, contactObject } from "../src/schema/standard-objects.ts";

describe("settleStep", () => {
  const cases: Array<[JobState, number | null, number, number, "poll" | "abort", string]> = [
    ["Open", null, 0, 0, "poll", "none"],
    ["UploadComplete", 1000, 1000, 0, "poll", "process"],
    ["UploadComplete", 1000, 1000, 0, "abort", "none"],
    ["UploadComplete", 1000, 1500, 1000, "poll", "inProgress"],
    ["UploadComplete", 1000, 1500, 1000, "abort", "none"],
    ["InProgress", 1000, 1999, 1000, "poll", "inProgress"],
    ["InProgress", 1000, 2000, 1000, "poll", "process"],
    ["InProgress", 1000, 2000, 1000, "abort", "process"],
    ["JobComplete", 1000, 9000, 1000, "poll", "none"],
    ["Aborted", 1000, 9000, 0, "poll", "none"],
  ];
  it.each(cases)("%s queued at %s, now %s, %s ms, on %s → %s", (state, queuedAt, now, ms, reason, step) => {
    expect(settleStep(state, queuedAt, now, ms, reason)).toBe(step);
  });
});

describe("patchTransition and canDelete", () => {
  const cases: Array<["ingest" | "query", JobState, string, boolean]> = [
    ["ingest", "Open", "UploadComplete", true],
    ["ingest", "Open", "Aborted", true],
    ["ingest", "UploadComplete", "UploadComplete", false],
    ["ingest", "InProgress", "Aborted", true],
    ["ingest", "JobComplete", "Aborted", false],
    ["ingest", "Open", "JobComplete", false],
    ["query", "UploadComplete", "Aborted", true],
    ["query", "InProgress", "Aborted", true],
    ["query", "UploadComplete", "UploadComplete", false],
    ["query", "Failed", "Aborted", false],
  ];
  it.each(cases)("%s job %s → %s allowed: %s", (kind, from, to, ok) => {
    expect(patchTransition(kind, from, to).ok).toBe(ok);
  });

  it.each([
    ["Open", false],
    ["UploadComplete", true],
    ["InProgress", false],
    ["JobComplete", true],
    ["Failed", true],
    ["Aborted", true],
  ] as Array<[JobState, boolean]>)("a job in %s can be deleted: %s", (state, ok) => {
    expect(canDelete(state)).toBe(ok);
  });
});

describe("CSV dialect", () => {
  it.each([
    ["a\nb\n", "LF", true],
    ["a\r\nb\r\n", "LF", false],
    ["a\r\nb\r\n", "CRLF", true],
    ["a\nb\n", "CRLF", false],
    ['"x\r\ny"\nb\n', "LF", true],
    ['"x\ny"\r\nb\r\n', "CRLF", true],
    ['"say ""hi""\r\n"\nz\n', "LF", true],
    ["single line", "CRLF", true],
  ] as Array<[string, "LF" | "CRLF", boolean]>)("%j with %s rows → %s", (text, ending, ok) => {
    expect(lineEndingsMatch(text, ending)).toBe(ok);
  });

  it.each([
    ["COMMA", "LF", 'Name,Note\n"a,b","x ""y""\nz"\n', ["Name", "Note"], [["a,b", 'x "y"\nz']]],
    ["TAB", "CRLF", "Name\tNote\r\nA\t\r\n", ["Name", "Note"], [["A", ""]]],
    ["PIPE", "LF", "\uFEFFName|Note\nA|#N/A\n", ["Name", "Note"], [["A", "#N/A"]]],
    ["SEMICOLON", "LF", "Name;Note\nA;B\n\n", ["Name", "Note"], [["A", "B"]]],
    ["CARET", "LF", "Name^Note\nA^B\n", ["Name", "Note"], [["A", "B"]]],
    ["BACKQUOTE", "LF", "Name`Note\nA`B\n", ["Name", "Note"], [["A", "B"]]],
  ] as const)("parses %s/%s", (delimiter, ending, text, header, rows) => {
    expect(parseCsv(text, delimiter, ending)).toEqual({ header, rows });
  });

  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say ""hi"""'],
    ["", '""'],
  ])("quoted(%j) = %j", (value, out) => {
    expect(quoted(value)).toBe(out);
  });

  it.each([
    ["Name", ",", "Name"],
    ["A,B", ",", '"A,B"'],
    ["A,B", "\t", "A,B"],
    ['Q"', ",", '"Q"""'],
  ])("quotedIfNeeded(%j, %j) = %j", (value, d, out) => {
    expect(quotedIfNeeded(value, d)).toBe(out);
  });

  it.each([
    [["a", "b\nc", ""], "|", "\r\n", '"a"|"b\nc"|""\r\n'],
    [['say "hi"', "x,y"], ",", "\n", '"say ""hi""","x,y"\n'],
    [["only"], "\t", "\n", '"only"\n'],
  ])("csvRow(%j, %j)", (cells, d, eol, out) => {
    const before = [...cells];
    expect(csvRow(cells, d, eol)).toBe(out);
    expect(cells).toEqual(before);
  });
});

describe("result pages", () => {
  it.each([
    [0, "MA"],
    [10000, "MTAwMDA"],
    [100000, "MTAwMDAw"],
  ])("locator of %d is %s and back", (offset, locator) => {
    expect(encodeLocator(offset)).toBe(locator);
    expect(decodeLocator(locator)).toBe(offset);
  });

  it.each(["", "!!", "YWJj", "LTE"])("rejects the locator %j", (locator) => {
    expect(decodeLocator(locator)).toBeUndefined();
  });

  it.each([
    [undefined, undefined],
    ["", undefined],
    ["1", 1],
    ["100000", 100000],
    ["0", "invalid"],
    ["-5", "invalid"],
    ["1.5", "invalid"],
    ["abc", "invalid"],
  ])("maxRecords %j → %j", (text, out) => {
    expect(parseMaxRecords(text)).toBe(out);
  });

  it.each([
    [2345, 0, 1000, { start: 0, end: 1000, next: 1000 }],
    [2345, 2000, 1000, { start: 2000, end: 2345, next: null }],
    [1000, 0, 1000, { start: 0, end: 1000, next: null }],
    [0, 0, undefined, { start: 0, end: 0, next: null }],
    [120000, 0, undefined, { start: 0, end: 50000, next: 50000 }],
  ])("%d rows from %d by %s", (total, start, max, out) => {
    expect(pageBounds(total, start, max)).toEqual(out);
  });
});

describe("sf__Error", () => {
  it.each([
    [
      "REQUIRED_FIELD_MISSING",
      "Required fields are missing: [Name]",
      ["Name"],
      "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --",
    ],
    ["ENTITY_IS_DELETED", "entity is deleted", [], "ENTITY_IS_DELETED:entity is deleted:--"],
    [
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      "Unable to create/update fields: A, B.",
      ["A", "B"],
      "INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: A, B.:A,B --",
    ],
  ])("%s", (code, message, fields, out) => {
    expect(sfError(code, message, fields)).toBe(out);
  });
});

describe("bulkQueryVerdict", () => {
  const account = accountObject();
  const base: BulkQueryShape = {
    def: account,
    columns: ["Id", "Name"],
    isCount: false,
    aggregate: false,
    hasSubquery: false,
    hasOffset: false,
  };
  const fieldOf = (path: string) =>
    account.fieldMap.get(path.toLowerCase()) ??
    (path === "Owner.Location__c" ? field("Location__c", "location") : undefined);
  it.each([
    ["a plain query", base, null],
    ["COUNT()", { ...base, isCount: true }, "Aggregate Relationships not supported in Bulk Query"],
    ["GROUP BY", { ...base, aggregate: true }, "Aggregate Relationships not supported in Bulk Query"],
    [
      "a subquery",
      { ...base, hasSubquery: true },
      "Aggregate Relationships not supported in Bulk V2 Query with CSV content type",
    ],
    ["OFFSET", { ...base, hasOffset: true }, "OFFSET clause is not supported in Bulk Query"],
    [
      "an address",
      { ...base, columns: ["Id", "ShippingAddress"] },
      "Selecting compound data not supported in Bulk Query",
    ],
    ["an address part", { ...base, columns: ["ShippingCity"] }, null],
    [
      "a parent's location",
      { ...base, columns: ["Owner.Location__c"] },
      "Selecting compound data not supported in Bulk Query",
    ],
    [
      "a setup object",
      { ...base, def: permissionSetObject() },
      "Entity 'PermissionSet' is not supported by the Bulk API.",
    ],
    ["a data object", { ...base, def: contactObject() }, null],
  ] as Array<[string, BulkQueryShape, string | null]>)("%s", (_name, shape, message) => {
    const verdict = bulkQueryVerdict(shape, fieldOf);
    expect(verdict.ok ? null : verdict.message).toBe(message);
  });
});
