import { describe, expect, it } from "vitest";
import {
  type CsvRecord,
  cellText,
  csvColumns,
  csvRowToRecord,
  matchIngestResults,
  parseSfError,
  quoteCell,
  RecordShapeError,
  readCsvRecords,
  recordCells,
  recordErrorFrom,
  recordsToCsv,
} from "../src/index.ts";

describe("record shapes: records → Bulk CSV cells", () => {
  it.each([
    ["null", null, "#N/A"],
    ["empty text (Salesforce stores it as null)", "", "#N/A"],
    ["text as it is", "Acme, Inc.", "Acme, Inc."],
    ["true", true, "true"],
    ["false", false, "false"],
    ["an integer", 42, "42"],
    ["a decimal", 12.5, "12.5"],
    ["a large number in plain digits", 1e21, "1000000000000000000000"],
    ["a small number in plain digits", 1e-7, "0.0000001"],
    ["a Date as an ISO datetime in UTC", new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), "2026-01-02T03:04:05.000Z"],
    ["a date string as it is", "2026-01-02", "2026-01-02"],
    ["a field left out (undefined): empty, left as it is", undefined, ""],
  ])("%s", (_what, value, cell) => {
    expect(cellText("F", value)).toBe(cell);
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a list", [1, 2]],
    ["an invalid Date", new Date("x")],
  ])("refuses %s, naming the field", (_what, value) => {
    expect(() => cellText("Amount__c", value)).toThrow(RecordShapeError);
    expect(() => cellText("Amount__c", value)).toThrow(/Amount__c/);
  });

  it.each([
    ["a parent by external id", { Account: { Ext_Id__c: "A-1" } }, [["Account.Ext_Id__c", "A-1"]]],
    [
      "a polymorphic parent with its type",
      { Who: { attributes: { type: "Lead" }, Ext_Id__c: "L-1" } },
      [["Lead:Who.Ext_Id__c", "L-1"]],
    ],
    ["a parent reference cleared", { Account: { Ext_Id__c: null } }, [["Account.Ext_Id__c", "#N/A"]]],
    ["attributes left out", { attributes: { type: "Contact" }, LastName: "Li" }, [["LastName", "Li"]]],
  ])("%s", (_what, record, cells) => {
    expect(recordCells(record)).toEqual(cells);
  });

  it.each([
    ["a parent reference with two keys", { Account: { Ext_Id__c: "A-1", Name: "x" } }],
    ["a parent reference with no key", { Account: {} }],
    ["a field name that is not an API name", { "Bad Name": 1 }],
    ["a nested object as a parent's key", { Account: { Ext_Id__c: { a: 1 } } }],
  ])("refuses %s", (_what, record) => {
    expect(() => recordCells(record as never)).toThrow(RecordShapeError);
  });

  it.each([
    ["plain", "abc", "abc"],
    ["a comma", "a,b", '"a,b"'],
    ["a quote", 'say "hi"', '"say ""hi"""'],
    ["a line break", "a\nb", '"a\nb"'],
    ["edge spaces", " a ", '" a "'],
    ["empty", "", ""],
  ])("quotes %s as CSV needs", (_what, cell, text) => {
    expect(quoteCell(cell)).toBe(text);
  });

  it("writes a header of every column, first seen first, and empty cells for fields a record leaves out", async () => {
    const records = [
      { LastName: "Li", Account: { Ext_Id__c: "A-1" } },
      { LastName: "O'Neil, Jr.", Email: null },
    ];
    expect(csvColumns(records)).toEqual(["LastName", "Account.Ext_Id__c", "Email"]);
    const csv = recordsToCsv(records);
    expect(csv).toBe('LastName,Account.Ext_Id__c,Email\nLi,A-1,\n"O\'Neil, Jr.",,#N/A\n');
    // The library's own reader reads it back.
    expect(await readCsvRecords([csv])).toEqual([
      { LastName: "Li", "Account.Ext_Id__c": "A-1", Email: null },
      { LastName: "O'Neil, Jr.", "Account.Ext_Id__c": null, Email: "#N/A" },
    ]);
  });
});

describe("record shapes: CSV rows → records for collections", () => {
  it.each<[string, CsvRecord, Record<string, unknown>]>([
    [
      "a parent column becomes a nested reference",
      { LastName: "Li", "Account.Ext_Id__c": "A-1" },
      { LastName: "Li", Account: { Ext_Id__c: "A-1" } },
    ],
    [
      "a typed parent column keeps its type",
      { "Lead:Who.Ext_Id__c": "L-1" },
      { Who: { attributes: { type: "Lead" }, Ext_Id__c: "L-1" } },
    ],
    ["#N/A is null", { Email: "#N/A" }, { Email: null }],
    ["an empty cell leaves the field out", { Email: null, Phone: "" }, {}],
  ])("%s", (_what, row, record) => {
    expect(csvRowToRecord(row)).toEqual(record);
  });

  it("refuses a column that is no field name, and a parent given twice", () => {
    expect(() => csvRowToRecord({ "a b": "x" })).toThrow(RecordShapeError);
    expect(() => csvRowToRecord({ Account: "x", "Account.Ext_Id__c": "A-1" })).toThrow(/twice/);
  });
});

describe("per-record errors through the one error table", () => {
  it.each([
    ["a refused field", "INVALID_FIELD_FOR_INSERT_UPDATE", "rest.field_read_only", "never", "field-editable"],
    [
      "a missing object permission",
      "INSUFFICIENT_ACCESS_OR_READONLY",
      "rest.record_change_refused",
      "never",
      "object-access",
    ],
    ["a locked row", "UNABLE_TO_LOCK_ROW", "rest.row_locked", "backoff", undefined],
    ["a required field", "REQUIRED_FIELD_MISSING", "rest.required_field_missing", "never", undefined],
    [
      "an all-or-none rollback",
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "rest.rolled_back_with_others",
      "never",
      undefined,
    ],
    ["a halted composite subrequest", "PROCESSING_HALTED", "rest.rolled_back_with_others", "never", undefined],
    ["a deleted record", "ENTITY_IS_DELETED", "rest.record_deleted", "never", undefined],
    ["a code the table does not know", "SOMETHING_NEW", "rest.refused", "never", undefined],
  ])("%s", (_what, code, reason, retry, checklistItem) => {
    const error = recordErrorFrom({ statusCode: code, message: "m", fields: ["F"] });
    expect(error).toMatchObject({ code, message: "m", fields: ["F"], reason, retry });
    expect(error.checklistItem).toBe(checklistItem);
  });

  it("reads errorCode as well as statusCode", () => {
    expect(recordErrorFrom({ errorCode: "UNABLE_TO_LOCK_ROW", message: "x" }).retry).toBe("backoff");
  });

  it("tells a parent that was not found from a hidden field", () => {
    const error = recordErrorFrom({
      statusCode: "INVALID_FIELD",
      message: "Foreign key external ID: A-9 not found for field Ext_Id__c in entity Account",
    });
    expect(error.reason).toBe("rest.parent_not_found");
    expect(error.checklistItem).toBeUndefined();
  });

  it.each([
    [
      "with fields",
      "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
      { code: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [LastName]", fields: ["LastName"] },
    ],
    [
      "several fields",
      "INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: A, B:A,B --",
      { code: "INVALID_FIELD_FOR_INSERT_UPDATE", fields: ["A", "B"], checklistItem: "field-editable" },
    ],
    [
      "no fields",
      "ENTITY_IS_DELETED:entity is deleted:--",
      { code: "ENTITY_IS_DELETED", message: "entity is deleted", fields: [] },
    ],
    [
      "a message with colons",
      "INVALID_FIELD:Foreign key external ID: A-9 not found for field Ext_Id__c in entity Account:--",
      {
        code: "INVALID_FIELD",
        message: "Foreign key external ID: A-9 not found for field Ext_Id__c in entity Account",
      },
    ],
    ["a lock", "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--", { retry: "backoff" }],
  ])("parses sf__Error %s", (_what, cell, expected) => {
    expect(parseSfError(cell)).toMatchObject(expected);
  });
});

describe("matchIngestResults: Bulk results back to input order", () => {
  const ok = (id: string, created: boolean, row: Record<string, string | null>): CsvRecord => ({
    sf__Id: id,
    sf__Created: String(created),
    ...row,
  });
  const bad = (id: string | null, error: string, row: Record<string, string | null>): CsvRecord => ({
    sf__Id: id,
    sf__Error: error,
    ...row,
  });
  const none = { successful: [], failed: [], unprocessed: [] };

  it("insert: by content, identical rows are interchangeable, results in any order", () => {
    const columns = ["Name", "Phone"];
    const rows = [
      ["A", ""],
      ["B", "1"],
      ["A", ""],
      ["C", "2"],
    ];
    const results = matchIngestResults({ operation: "insert", columns }, rows, {
      successful: [
        ok("001C", true, { Name: "C", Phone: "2" }),
        ok("001A2", true, { Name: "A", Phone: null }),
        ok("001A1", true, { Name: "A", Phone: null }),
      ],
      failed: [bad(null, "REQUIRED_FIELD_MISSING:missing:Phone --", { Name: "B", Phone: "1" })],
      unprocessed: [],
    });
    expect(results.map((r) => [r.index, r.outcome, r.id])).toEqual([
      [0, "succeeded", "001A2"],
      [1, "failed", null],
      [2, "succeeded", "001A1"],
      [3, "succeeded", "001C"],
    ]);
    expect(results[1].errors[0]).toMatchObject({ code: "REQUIRED_FIELD_MISSING", fields: ["Phone"] });
    expect(new Set([results[0].id, results[2].id])).toEqual(new Set(["001A1", "001A2"]));
  });

  it("update and delete: by Id; among rows with one Id, the one whose content the result echoes", () => {
    const columns = ["Id", "Name"];
    const rows = [
      ["001x", "first"],
      ["001y", "other"],
      ["001x", "second"],
    ];
    const results = matchIngestResults({ operation: "update", columns }, rows, {
      successful: [ok("001x", false, { Id: "001x", Name: "second" }), ok("001y", false, { Id: "001y", Name: "other" })],
      failed: [bad("", "UNABLE_TO_LOCK_ROW:locked:--", { Id: "001x", Name: "first" })],
      unprocessed: [],
    });
    expect(results.map((r) => [r.outcome, r.id, r.success])).toEqual([
      ["failed", "001x", false],
      ["succeeded", "001y", true],
      ["succeeded", "001x", true],
    ]);
    expect(results[0].errors[0].retry).toBe("backoff");
    const deleted = matchIngestResults({ operation: "delete", columns: ["Id"] }, [["001a"], ["001b"]], {
      ...none,
      successful: [ok("001b", false, { Id: "001b" }), ok("001a", false, { Id: "001a" })],
    });
    expect(deleted.map((r) => r.id)).toEqual(["001a", "001b"]);
  });

  it("upsert: by the external id column, whatever its case in the spec; created read from sf__Created", () => {
    const columns = ["Ext_Id__c", "Name"];
    const rows = [
      ["E-2", "two"],
      ["E-1", "one"],
    ];
    const results = matchIngestResults({ operation: "upsert", externalIdField: "ext_id__c", columns }, rows, {
      ...none,
      successful: [
        ok("001one", false, { Ext_Id__c: "E-1", Name: "one" }),
        ok("001two", true, { Ext_Id__c: "E-2", Name: "two" }),
      ],
    });
    expect(results.map((r) => [r.id, r.created])).toEqual([
      ["001two", true],
      ["001one", false],
    ]);
  });

  it("unprocessed rows and rows no file names are told apart; indexes count from firstIndex", () => {
    const results = matchIngestResults(
      { operation: "insert", columns: ["Name"], firstIndex: 10 },
      [["a"], ["b"], ["c"]],
      {
        ...none,
        successful: [ok("001a", true, { Name: "a" })],
        unprocessed: [{ Name: "b" }],
      },
    );
    expect(results.map((r) => [r.index, r.outcome])).toEqual([
      [10, "succeeded"],
      [11, "unprocessed"],
      [12, "missing"],
    ]);
  });

  it("a result row matching no input is counted, not pinned on someone else", () => {
    const results = matchIngestResults({ operation: "update", columns: ["Id"] }, [["001a"]], {
      ...none,
      successful: [ok("001z", false, { Id: "001z" })],
    });
    expect(results[0].outcome).toBe("missing");
  });

  it("refuses an update without an Id column and an upsert without its key column", () => {
    expect(() => matchIngestResults({ operation: "update", columns: ["Name"] }, [], none)).toThrow(/Id/);
    expect(() =>
      matchIngestResults({ operation: "upsert", externalIdField: "Ext__c", columns: ["Name"] }, [], none),
    ).toThrow(/Ext__c/);
  });
});
