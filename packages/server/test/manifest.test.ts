import { describe, expect, it } from "vitest";
import {
  type Manifest,
  type ManifestError,
  manifestJsonSchema,
  manifestRequirements,
  manifestSchema,
  manifestSecrets,
  parseManifest,
  redactManifest,
  redactUrl,
} from "../src/integrations/manifest/manifest.ts";

/**
 * The integration manifest: the documented example, each kind of mistake a person makes (with the
 * line and column it is reported at), and what the rest of the platform derives from a manifest.
 */

const EXAMPLE = `name: crm-sync
description: optional text
destinations:
  warehouse:
    type: postgres
    url: postgres://user:pass@host:5432/db
    schema: salesforce
    tablePrefix: sf_
  app:
    type: webhook
    url: https://example.com/hooks/salesforce
    batchSize: 500
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name, Industry]
    schedule: "*/15 * * * *"
    backfill: full
    deletes: true
    destinations: [warehouse, cache]
    formulaRefresh: "0 3 * * *"
`;

const NORMALISED: Manifest = {
  name: "crm-sync",
  description: "optional text",
  destinations: {
    warehouse: { type: "postgres", url: "postgres://user:pass@host:5432/db", schema: "salesforce", tablePrefix: "sf_" },
    app: { type: "webhook", url: "https://example.com/hooks/salesforce", batchSize: 500 },
    cache: { type: "records" },
  },
  objects: [
    {
      name: "Account",
      fields: ["Id", "Name", "Industry"],
      schedule: "*/15 * * * *",
      backfill: { kind: "full" },
      deletes: true,
      destinations: ["warehouse", "cache"],
      formulaRefresh: "0 3 * * *",
    },
  ],
};

const MINIMAL = `name: minimal
destinations:
  cache:
    type: records
objects:
  - name: Account
    destinations: [cache]
`;

/** An integration that only writes: no objects read, so no destinations either. */
const WRITES_ONLY = `name: lead-writer
writes:
  strict: true
  objects:
    - name: Contact
      operations: [upsert, insert, update, insert]
      fields: [FirstName, LastName, Email, Id, email]
      externalIdField: Ext_Id__c
    - name: Lead
      operations: [delete]
`;

function parsed(input: unknown): Manifest {
  const result = parseManifest(input);
  if (!result.ok) throw new Error(`expected a manifest, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.manifest;
}

function errorsOf(input: unknown): ManifestError[] {
  const result = parseManifest(input);
  if (result.ok) throw new Error("expected errors, got a manifest");
  return result.errors;
}

/** The example with one text replaced (which must be there). */
function edit(from: string, to: string, text = EXAMPLE): string {
  expect(text, `the example contains ${from}`).toContain(from);
  return text.replace(from, to);
}

/** Line and column of the ^ in `marked`, found in the text with the ^ taken out. */
function positionOf(text: string, marked: string): { line: number; column: number } {
  const needle = marked.replace("^", "");
  const at = text.indexOf(needle);
  expect(at, `${needle} is in the text`).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at + marked.indexOf("^"));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

const manyObjects = (n: number) =>
  `name: many\ndestinations:\n  cache:\n    type: records\nobjects:\n${Array.from(
    { length: n },
    (_, i) => `  - name: Object${i}__c\n    destinations: [cache]\n`,
  ).join("")}`;

describe("parseManifest: accepted manifests", () => {
  it("reads the documented example into its normalised form", () => {
    expect(parsed(EXAMPLE)).toEqual(NORMALISED);
    expect(manifestSchema.safeParse(NORMALISED).success).toBe(true);
  });

  it("fills in every default", () => {
    expect(parsed(MINIMAL)).toEqual({
      name: "minimal",
      destinations: { cache: { type: "records" } },
      objects: [
        {
          name: "Account",
          fields: "all",
          schedule: "0 * * * *",
          backfill: { kind: "full" },
          deletes: true,
          destinations: ["cache"],
        },
      ],
    });
    const pg = parsed(
      edit(
        "  cache:\n    type: records\n",
        "  cache:\n    type: postgres\n    url: postgresql://db.internal/app\n",
        MINIMAL,
      ),
    );
    expect(pg.destinations.cache).toEqual({
      type: "postgres",
      url: "postgresql://db.internal/app",
      schema: "public",
      tablePrefix: "",
    });
    const hook = parsed(
      edit(
        "  cache:\n    type: records\n",
        "  cache:\n    type: webhook\n    url: http://localhost:8080/in\n",
        MINIMAL,
      ),
    );
    expect(hook.destinations.cache).toEqual({ type: "webhook", url: "http://localhost:8080/in", batchSize: 1000 });
  });

  it.each([
    ["[Name, Industry]", ["Id", "Name", "Industry"]],
    ["[Name, id, NAME, Industry, name]", ["Name", "id", "Industry"]],
    ["[Id]", ["Id"]],
    ["[Invoice__c, ns__Amount__c]", ["Id", "Invoice__c", "ns__Amount__c"]],
    ["all", "all"],
  ])("normalises fields %s to %j", (fields, expected) => {
    expect(parsed(edit("[Id, Name, Industry]", fields)).objects[0].fields).toEqual(expected);
  });

  it.each([
    ["full", { kind: "full" }],
    ['"90d"', { kind: "days", days: 90 }],
    ["1d", { kind: "days", days: 1 }],
    ["36500d", { kind: "days", days: 36500 }],
    ["{days: 30}", { kind: "days", days: 30 }],
    ["\n      days: 7", { kind: "days", days: 7 }],
  ])("reads backfill %s", (backfill, expected) => {
    expect(parsed(edit("backfill: full", `backfill: ${backfill}`)).objects[0].backfill).toEqual(expected);
  });

  it.each([
    "* * * * *",
    "0 0 1 1 0",
    "59 23 31 12 7",
    "0,15,30,45 8-18 * * 1-5",
    "0-30/10 */2 1-15/7 */3 0-6/2",
    "  5   4 * *   *  ",
  ])("accepts the cron expression %j", (schedule) => {
    const object = parsed(edit('"*/15 * * * *"', JSON.stringify(schedule))).objects[0];
    expect(object.schedule).toBe(schedule.trim().split(/\s+/).join(" "));
  });

  it("folds a destination named twice in one object", () => {
    expect(parsed(edit("[warehouse, cache]", "[warehouse, cache, warehouse]")).objects[0].destinations).toEqual([
      "warehouse",
      "cache",
    ]);
  });

  it("reads JSON: as a value, as compact text and as indented text (tabs included)", () => {
    const json = JSON.parse(JSON.stringify(NORMALISED)) as Record<string, unknown>;
    const written = { ...json, objects: [{ ...NORMALISED.objects[0], backfill: "full" }] };
    expect(parsed(written)).toEqual(NORMALISED);
    expect(parsed(JSON.stringify(written))).toEqual(NORMALISED);
    expect(parsed(JSON.stringify(written, null, "\t"))).toEqual(NORMALISED);
    expect(parsed(new TextEncoder().encode(EXAMPLE))).toEqual(NORMALISED);
  });

  it("reads a manifest that only writes: operations in order, fields once, Id out, the external id in", () => {
    const manifest = parsed(WRITES_ONLY);
    expect(manifest).toEqual({
      name: "lead-writer",
      destinations: {},
      objects: [],
      writes: {
        strict: true,
        objects: [
          {
            name: "Contact",
            operations: ["insert", "update", "upsert"],
            fields: ["FirstName", "LastName", "Email", "Ext_Id__c"],
            externalIdField: "Ext_Id__c",
          },
          { name: "Lead", operations: ["delete"], fields: [] },
        ],
      },
    });
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifestSchema.safeParse({ ...manifest, writes: undefined }).success).toBe(false);
  });

  it("reads writes beside read objects, strict off by default", () => {
    const manifest = parsed(
      `${EXAMPLE}writes:\n  objects:\n    - name: Account\n      operations: [update]\n      fields: [Industry]\n`,
    );
    expect(manifest.objects).toEqual(NORMALISED.objects);
    expect(manifest.writes).toEqual({
      strict: false,
      objects: [{ name: "Account", operations: ["update"], fields: ["Industry"] }],
    });
    expect(redactManifest(manifest).writes).toEqual(manifest.writes);
  });

  it("takes 200 objects", () => {
    expect(parsed(manyObjects(200)).objects).toHaveLength(200);
  });
});

type Mistake = [label: string, text: string, path: string, at: string, says: string];

/** Each mistake: the document, the error's path, where it points (^ in a snippet), and a part of its message. */
// biome-ignore format: one line per case reads as a table
const MISTAKES: Mistake[] = [
  ["missing name", edit("name: crm-sync\n", ""), "name", "^description", "name: missing; expected 1 to 63"],
  ["name with capitals and a space", edit("crm-sync", "CRM Sync"), "name", "name: ^CRM Sync", 'got "CRM Sync"'],
  ["name too long", edit("crm-sync", "a".repeat(64)), "name", "name: ^aaa", "1 to 63 lowercase"],
  ["name that is a number", edit("crm-sync", "42"), "name", "name: ^42", "got the number 42"],
  ["misspelt top-level key", edit("description:", "descripton:"), "descripton", "^descripton", "did you mean description?"],
  ["object key at the top", `${EXAMPLE}schedule: "0 * * * *"\n`, "schedule", "\n^schedule", "set on each entry of objects"],
  ["misspelt object key", edit("schedule:", "schedual:"), "objects[0].schedual", "^schedual", "did you mean schedule?"],
  ["misspelt destination key", edit("tablePrefix", "tablePrefx"), "destinations.warehouse.tablePrefx", "^tablePrefx", "did you mean tablePrefix?"],
  ["unknown key, no suggestion", edit("deletes: true", "deletes: true\n    colour: blue"), "objects[0].colour", "^colour", "expected one of name, fields, schedule"],
  ["key on records", edit("type: records", "type: records\n    url: https://x.test"), "destinations.cache.url", "    ^url: https://x.test", 'unknown key "url"'],
  ["cron in words", edit('"*/15 * * * *"', '"every hour"'), "objects[0].schedule", 'schedule: ^"every hour"', '"every hour" is not a cron expression; expected 5 fields like "*/15 * * * *"'],
  ["cron with 4 fields", edit('"*/15 * * * *"', '"*/15 * * *"'), "objects[0].schedule", 'schedule: ^"*/15', "has 4 fields; expected 5 fields (minute hour"],
  ["cron with seconds", edit('"*/15 * * * *"', '"0 */15 * * * *"'), "objects[0].schedule", 'schedule: ^"0 */15', "has 6 fields"],
  ["cron macro", edit('"*/15 * * * *"', '"@hourly"'), "objects[0].schedule", 'schedule: ^"@hourly"', "is not a cron expression"],
  ["cron hour 24", edit('"*/15 * * * *"', '"0 24 * * *"'), "objects[0].schedule", 'schedule: ^"0 24', "hour 24 is out of range; expected an hour from 0 to 23"],
  ["cron minute 60", edit('"*/15 * * * *"', '"60 * * * *"'), "objects[0].schedule", 'schedule: ^"60', "minute 60 is out of range"],
  ["cron day of month 0", edit('"*/15 * * * *"', '"0 0 0 * *"'), "objects[0].schedule", 'schedule: ^"0 0 0', "day of month 0 is out of range"],
  ["cron month 13", edit('"*/15 * * * *"', '"0 0 * 13 *"'), "objects[0].schedule", 'schedule: ^"0 0 * 13', "month 13 is out of range"],
  ["cron day of week 8", edit('"*/15 * * * *"', '"0 0 * * 1-8"'), "objects[0].schedule", 'schedule: ^"0 0 * * 1-8', "day of week 8 is out of range"],
  ["cron range backwards", edit('"*/15 * * * *"', '"30-10 * * * *"'), "objects[0].schedule", 'schedule: ^"30-10', "runs backwards"],
  ["cron step 0", edit('"*/15 * * * *"', '"*/0 * * * *"'), "objects[0].schedule", 'schedule: ^"*/0', "step 0 is out of range"],
  ["cron step from a number", edit('"*/15 * * * *"', '"5/15 * * * *"'), "objects[0].schedule", 'schedule: ^"5/15', "like */15 or 5-59/15"],
  ["cron empty list item", edit('"*/15 * * * *"', '"1,,2 * * * *"'), "objects[0].schedule", 'schedule: ^"1,,2', 'minute field "" is not valid'],
  ["cron that is a number", edit('"*/15 * * * *"', "15"), "objects[0].schedule", "schedule: ^15", "got the number 15"],
  ["bad formula refresh", edit('"0 3 * * *"', '"0 3 * *"'), "objects[0].formulaRefresh", 'formulaRefresh: ^"0 3', "has 4 fields"],
  ["backfill in words", edit("backfill: full", "backfill: 3 months"), "objects[0].backfill", "backfill: ^3 months", '"3 months" is not a backfill; expected "full", a number of days like "90d", or {days: 90}'],
  ["backfill of 0 days", edit("backfill: full", "backfill: 0d"), "objects[0].backfill", "backfill: ^0d", "expected a whole number of days from 1 to 36500"],
  ["backfill too long", edit("backfill: full", "backfill: {days: 36501}"), "objects[0].backfill.days", "{days: ^36501", "got the number 36501"],
  ["backfill of part days", edit("backfill: full", "backfill: {days: 1.5}"), "objects[0].backfill.days", "{days: ^1.5", "got the number 1.5"],
  ["backfill as a bare number", edit("backfill: full", "backfill: 90"), "objects[0].backfill", "backfill: ^90", 'got the number 90; expected "full"'],
  ["backfill day for days", edit("backfill: full", "backfill: {day: 90}"), "objects[0].backfill.day", "{^day: 90", "did you mean days?"],
  ["backfill {} without days", edit("backfill: full", "backfill: {}"), "objects[0].backfill.days", "backfill: ^{}", "missing; expected a whole number of days"],
  ["unknown destination", edit("[warehouse, cache]", "[warehous, cache]"), "objects[0].destinations[0]", "[^warehous", '"warehous" is not defined under destinations (did you mean warehouse?); expected one of warehouse, app, cache'],
  ["destination named __proto__", edit("  cache:", '  "__proto__":'), "destinations.__proto__", '  ^"__proto__":', '"__proto__" is not a valid name'],
  ["reference to a __proto__ destination", edit("  cache:", '  "__proto__":', edit("[warehouse, cache]", "[warehouse, __proto__]")), "objects[0].destinations[1]", "warehouse, ^__proto__", '"__proto__" is not defined under destinations; expected one of warehouse, app'],
  ["destination named like an Object method", edit("[warehouse, cache]", "[cache, constructor]"), "objects[0].destinations[1]", "cache, ^constructor", '"constructor" is not defined'],
  ["object without destinations", edit("    destinations: [warehouse, cache]\n", ""), "objects[0].destinations", "- ^name: Account", "missing; expected a list of names"],
  ["object with no destinations", edit("[warehouse, cache]", "[]"), "objects[0].destinations", "destinations: ^[]", "the list is empty"],
  ["destinations as one string", edit("[warehouse, cache]", "cache"), "objects[0].destinations", "destinations: ^cache", 'got "cache"'],
  ["object named twice, case aside", `${EXAMPLE}  - name: ACCOUNT\n    destinations: [cache]\n`, "objects[1].name", "- name: ^ACCOUNT", '"ACCOUNT" is the same object as objects[0] ("Account")'],
  ["object name with a space", edit("name: Account", "name: My Object"), "objects[0].name", "name: ^My Object", "a Salesforce API name"],
  ["relationship field", edit("[Id, Name, Industry]", "[Id, Owner.Name]"), "objects[0].fields[1]", "Id, ^Owner.Name", "is a relationship path, which a manifest cannot read; expected a field of the object itself, such as the lookup field OwnerId"],
  ["custom relationship field", edit("[Id, Name, Industry]", "[Parent__r.Name]"), "objects[0].fields[0]", "[^Parent__r", "the lookup field Parent__c"],
  ["fields as a comma list", edit("[Id, Name, Industry]", '"Id, Name"'), "objects[0].fields", 'fields: ^"Id, Name"', 'got "Id, Name"; expected a list of field API names like [Id, Name], or "all"'],
  ["fields empty", edit("[Id, Name, Industry]", "[]"), "objects[0].fields", "fields: ^[]", "the list is empty"],
  ["field that is a number", edit("[Id, Name, Industry]", "[Id, 7]"), "objects[0].fields[1]", "[Id, ^7]", "got the number 7"],
  ["subscribe as yes", edit("deletes: true", "deletes: true\n    subscribe: yes"), "objects[0].subscribe", "subscribe: ^yes", 'expected true, false, or {enrichedFields: [Field, …]}'],
  ["enriched field not read", edit("deletes: true", "deletes: true\n    subscribe: {enrichedFields: [Name, AccountNumber]}"), "objects[0].subscribe.enrichedFields[1]", "Name, ^AccountNumber", '"AccountNumber" is not among the object\'s fields'],
  ["deletes as yes", edit("deletes: true", "deletes: yes"), "objects[0].deletes", "deletes: ^yes", 'got "yes"; expected true or false'],
  ["batch size as text", edit("batchSize: 500", 'batchSize: "500"'), "destinations.app.batchSize", 'batchSize: ^"500"', 'got "500"; expected a whole number from 1 to 10000'],
  ["batch size too big", edit("batchSize: 500", "batchSize: 10001"), "destinations.app.batchSize", "batchSize: ^10001", "from 1 to 10000"],
  ["unknown destination type", edit("type: postgres", "type: postgress"), "destinations.warehouse.type", "type: ^postgress", "(did you mean postgres?); expected one of postgres, webhook, records"],
  ["destination without type", edit("    type: records\n", "    {}\n"), "destinations.cache.type", "    ^{}", "missing; expected one of postgres, webhook, records"],
  ["destination as a string", edit("  cache:\n    type: records", "  cache: records"), "destinations.cache", "cache: ^records", "expected a mapping with a type"],
  ["destination name with capitals", edit("  cache:", "  Cache:"), 'destinations.Cache', "  ^Cache:", '"Cache" is not a valid name'],
  ["postgres URL of another database", edit("postgres://user:pass@host", "mysql://user:pass@host"), "destinations.warehouse.url", "url: ^mysql", "the URL uses mysql://; expected a postgres:// or postgresql:// URL"],
  ["postgres URL missing", edit("    url: postgres://user:pass@host:5432/db\n", ""), "destinations.warehouse.url", "  ^type: postgres", "missing"],
  ["webhook URL that is not one", edit("https://example.com/hooks/salesforce", "example.com/hooks"), "destinations.app.url", "url: ^example.com", "is not a URL; expected an http:// or https:// URL"],
  ["schema with capitals", edit("schema: salesforce", "schema: Salesforce"), "destinations.warehouse.schema", "schema: ^Salesforce", "lowercase SQL identifier"],
  ["no destinations", edit(EXAMPLE.slice(EXAMPLE.indexOf("destinations:"), EXAMPLE.indexOf("objects:")), "destinations: {}\n"), "destinations", "destinations: ^{}", "the mapping is empty"],
  ["no objects", `${EXAMPLE.slice(0, EXAMPLE.indexOf("objects:"))}objects: []\n`, "objects", "objects: ^[]", "objects: the list is empty; expected a list of 1 to 200"],
  ["objects as a mapping", `${EXAMPLE.slice(0, EXAMPLE.indexOf("objects:"))}objects:\n  Account: {}\n`, "objects", "  ^Account", "got a mapping"],
  ["an object that is a string", `${EXAMPLE}  - Contact\n`, "objects[1]", "- ^Contact", 'got "Contact"; expected a mapping'],
  ["too many objects", manyObjects(201), "objects", "  ^- name: Object0__c", "201 objects; expected at most 200"],
  ["a list, not a manifest", "- name: crm-sync\n", "", "^- name", "manifest: got a list; expected a mapping with name, destinations and objects (or name and writes"],
  ["an empty document", "# nothing yet\n", "", "^# nothing", "manifest: got an empty value"],
  ["YAML syntax error", edit("[Id, Name, Industry]", "[Id, Name"), "", "    ^schedule", "not valid YAML at line 18, column 5"],
  ["YAML key twice", edit("deletes: true", "deletes: true\n    deletes: false"), "", "    ^deletes: false", "Map keys must be unique"],
  ["YAML tab indentation", edit("  cache:\n    type: records", "  cache:\n\ttype: records"), "", "^\ttype", "not valid YAML"],
  ["JSON with an error", '{\n  "name": "crm-sync",\n  "destinations": {"cache": {"type": "records"}},\n  "objects": [{"name": "Account", "destinations": ["cache"], "deletes": "no"}]\n}', "objects[0].deletes", '"deletes": ^"no"', 'got "no"'],
  ["JSON syntax error", '{"name": "crm-sync", "objects": [}', "", '"objects": [^}', "not valid YAML"],
  ["neither objects nor writes", EXAMPLE.slice(0, EXAMPLE.indexOf("objects:")), "objects", "^name: crm-sync", "objects: missing; expected a list of 1 to 200 Salesforce objects"],
  ["objects without destinations", edit(EXAMPLE.slice(EXAMPLE.indexOf("destinations:"), EXAMPLE.indexOf("objects:")), ""), "destinations", "^name: crm-sync", "destinations: missing; expected a mapping of destination names"],
  ["objects empty beside writes", edit("name: lead-writer\n", "name: lead-writer\nobjects: []\n", WRITES_ONLY), "objects", "objects: ^[]", "the list is empty"],
  ["misspelt operation", edit("[upsert, insert, update, insert]", "[upsret]", WRITES_ONLY), "writes.objects[0].operations[0]", "[^upsret]", '"upsret" is not a write operation (did you mean upsert?); expected one of insert, update, upsert, delete'],
  ["hard delete", edit("[delete]", "[hardDelete]", WRITES_ONLY), "writes.objects[1].operations[0]", "[^hardDelete]", '"hardDelete" is not a write operation'],
  ["operations empty", edit("[delete]", "[]", WRITES_ONLY), "writes.objects[1].operations", "operations: ^[]", "the list is empty; expected a list of operations"],
  ["operations missing", edit("      operations: [delete]\n", "", WRITES_ONLY), "writes.objects[1].operations", "- ^name: Lead", "missing; expected a list of operations"],
  ["fields missing for an insert", edit("[delete]", "[delete, insert]", WRITES_ONLY), "writes.objects[1].fields", "- ^name: Lead", "missing (insert set field values); expected a list of the field API names the writes set"],
  ["write fields empty", edit("[FirstName, LastName, Email, Id, email]", "[]", WRITES_ONLY), "writes.objects[0].fields", "fields: ^[]", "the list is empty"],
  ["written relationship path", edit("[FirstName, LastName, Email, Id, email]", "[LastName, Account.Ext_Id__c]", WRITES_ONLY), "writes.objects[0].fields[1]", "LastName, ^Account.Ext_Id__c", "which a manifest cannot write; expected a field of the object itself, such as the lookup field AccountId"],
  ["external id without upsert", edit("[upsert, insert, update, insert]", "[insert]", WRITES_ONLY), "writes.objects[0].externalIdField", "      ^externalIdField", "used only by upsert"],
  ["written object twice", edit("name: Lead", "name: CONTACT", WRITES_ONLY), "writes.objects[1].name", "name: ^CONTACT", '"CONTACT" is the same object as writes.objects[0] ("Contact")'],
  ["misspelt write key", edit("operations: [delete]", "operation: [delete]", WRITES_ONLY), "writes.objects[1].operation", "^operation: [delete]", "did you mean operations?"],
  ["misspelt strict", edit("strict: true", "strcit: true", WRITES_ONLY), "writes.strcit", "^strcit", "did you mean strict?"],
  ["strict as yes", edit("strict: true", "strict: yes", WRITES_ONLY), "writes.strict", "strict: ^yes", 'got "yes"; expected true or false'],
  ["operations on a read object", edit("deletes: true", "deletes: true\n    operations: [insert]"), "objects[0].operations", "^operations: [insert]", "(operations is set on each entry of writes.objects)"],
  ["write keys straight under writes", edit("  strict: true\n", "  strict: true\n  operations: [insert]\n", WRITES_ONLY), "writes.operations", "  ^operations: [insert]", "(operations is set on each entry of writes.objects)"],
  ["writes objects empty", `name: w\nwrites:\n  objects: []\n`, "writes.objects", "objects: ^[]", "the list is empty; expected a list of 1 to 200 objects written"],
  ["writes as a list", `name: w\nwrites:\n  - name: Contact\n`, "writes", "  ^- name: Contact", "got a list; expected a mapping like {strict: true"],
  ["written object as a string", edit("    - name: Lead\n      operations: [delete]\n", "    - Lead\n", WRITES_ONLY), "writes.objects[1]", "- ^Lead", 'got "Lead"; expected a mapping like {name: Contact'],
];

describe("parseManifest: mistakes", () => {
  it.each(MISTAKES)("%s", (_label, text, path, at, says) => {
    const errors = errorsOf(text);
    const error = errors.find((e) => e.path === path);
    expect(error, JSON.stringify(errors, null, 2)).toBeDefined();
    expect(error?.message).toContain(says);
    expect(error?.message.startsWith(`${path === "" ? "manifest" : path}: `)).toBe(true);
    expect(error?.expected).toBeTruthy();
    expect(error?.message.endsWith(`; expected ${error?.expected}`)).toBe(true);
    expect({ line: error?.line, column: error?.column }).toEqual(positionOf(text, at));
  });

  it("reports every mistake at once, in document order", () => {
    const text = edit("crm-sync", "CRM", edit("deletes: true", "deletes: 1", edit("schedule:", "schedual:")));
    const errors = errorsOf(text);
    expect(errors.map((e) => e.path)).toEqual(["name", "objects[0].schedual", "objects[0].deletes"]);
    expect(errors.map((e) => e.line)).toEqual([1, 18, 20]);
  });

  it("gives paths without positions for a JSON value", () => {
    const written = JSON.parse(JSON.stringify(NORMALISED));
    written.objects[0].schedule = "every hour";
    written.objects[0].backfill = "90d";
    written.objects.push({ name: "account", destinations: ["nowhere"] });
    expect(errorsOf(written)).toEqual([
      {
        path: "objects[0].schedule",
        message: 'objects[0].schedule: "every hour" is not a cron expression; expected 5 fields like "*/15 * * * *"',
        expected: '5 fields like "*/15 * * * *"',
      },
      expect.objectContaining({ path: "objects[1].name" }),
      expect.objectContaining({ path: "objects[1].destinations[0]", expected: "one of warehouse, app, cache" }),
    ]);
  });

  it("refuses a document over 256 KiB", () => {
    const padded = `${EXAMPLE}# ${"x".repeat(256 * 1024)}\n`;
    expect(errorsOf(padded)).toEqual([
      {
        path: "",
        line: 1,
        column: 1,
        message: `manifest: the document is ${(Buffer.byteLength(padded) / 1024).toFixed(1)} KiB; expected at most 256 KiB`,
        expected: "at most 256 KiB",
      },
    ]);
    const value = { ...NORMALISED, description: "x".repeat(300 * 1024) };
    expect(errorsOf(value)[0].message).toMatch(/^manifest: the document is 300\.\d KiB; expected at most 256 KiB$/);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["a list", []],
    ["empty text", ""],
    ["a lone document marker", "---\n"],
    ["an undefined alias", "name: *nothing\n"],
    ["two documents", `${EXAMPLE}---\n${EXAMPLE}`],
    [
      "an alias bomb",
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    ],
    ["deep nesting", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["a BigInt", { name: 1n }],
    [
      "a cycle",
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
    [
      "a __proto__ key",
      '{"name": "x", "__proto__": {"polluted": true}, "destinations": {"__proto__": {"type": "records"}}}',
    ],
  ])("answers errors, never throws, for %s", (_label, input) => {
    const errors = errorsOf(input);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.message).toMatch(/^(manifest|[\w[\]".-]+): /);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("manifestRequirements", () => {
  it("asks read access to each object, with its fields unless all are read", () => {
    const manifest = parsed(
      `${EXAMPLE}  - name: Contact\n    destinations: [cache]\n  - name: Invoice__c\n    fields: [Amount__c]\n    destinations: [app]\n`,
    );
    expect(manifestRequirements(manifest)).toEqual({
      objects: [
        { name: "Account", access: ["read"], fields: ["Id", "Name", "Industry"] },
        { name: "Contact", access: ["read"] },
        { name: "Invoice__c", access: ["read"], fields: ["Id", "Amount__c"] },
      ],
    });
  });
});

describe("manifestRequirements with writes", () => {
  it("asks the access each operation needs, and the written fields as written ones", () => {
    expect(manifestRequirements(parsed(WRITES_ONLY))).toEqual({
      objects: [
        {
          name: "Contact",
          access: ["create", "edit"],
          fields: ["FirstName", "LastName", "Email", "Ext_Id__c"],
          writeFields: ["FirstName", "LastName", "Email", "Ext_Id__c"],
        },
        { name: "Lead", access: ["delete"], writeFields: [] },
      ],
    });
  });

  it("asks one entry for an object both read and written: read fields stay read-only", () => {
    const manifest = parsed(
      `${EXAMPLE}writes:\n  objects:\n    - name: account\n      operations: [update, delete]\n      fields: [Industry, Rating]\n`,
    );
    expect(manifestRequirements(manifest)).toEqual({
      objects: [
        {
          name: "Account",
          access: ["read", "edit", "delete"],
          fields: ["Id", "Name", "Industry", "Rating"],
          writeFields: ["Industry", "Rating"],
        },
      ],
    });
  });
});

describe("redactManifest and manifestSecrets", () => {
  const SECRET_MANIFEST = edit(
    "https://example.com/hooks/salesforce",
    "https://hooks:s3cret@example.com/hooks/salesforce?team=ops&token=tok%2Fen&api_key=k1",
    edit("postgres://user:pass@host:5432/db", "postgres://user:p%40ss@host:5432/db?sslmode=require&password=other"),
  );

  it("hides passwords and secret query values, and nothing else", () => {
    const manifest = parsed(SECRET_MANIFEST);
    const redacted = redactManifest(manifest);
    expect(redacted.destinations.warehouse).toEqual({
      type: "postgres",
      url: "postgres://user:***@host:5432/db?sslmode=require&password=***",
      schema: "salesforce",
      tablePrefix: "sf_",
    });
    expect(redacted.destinations.app).toEqual({
      type: "webhook",
      url: "https://hooks:***@example.com/hooks/salesforce?team=ops&token=***&api_key=***",
      batchSize: 500,
    });
    expect(redacted.destinations.cache).toEqual({ type: "records" });
    expect(redacted.objects).toEqual(manifest.objects);
    expect(manifest.destinations.warehouse).toMatchObject({ url: expect.stringContaining("p%40ss") });
    const shown = JSON.stringify(redacted);
    for (const secret of manifestSecrets(manifest)) expect(shown).not.toContain(secret);
  });

  it("leaves URLs without secrets alone", () => {
    const redacted = redactManifest(parsed(edit("postgres://user:pass@host:5432/db", "postgres://host/db")));
    expect(redacted.destinations.warehouse).toMatchObject({ url: "postgres://host/db" });
    expect(redacted.destinations.app).toMatchObject({ url: "https://example.com/hooks/salesforce" });
    expect(redactUrl("not a url")).toBe("***");
  });

  it("lists every secret, whole URLs included", () => {
    expect(manifestSecrets(parsed(EXAMPLE))).toEqual(["postgres://user:pass@host:5432/db", "pass"]);
    expect(manifestSecrets(parsed(SECRET_MANIFEST))).toEqual([
      "postgres://user:p%40ss@host:5432/db?sslmode=require&password=other",
      "p%40ss",
      "p@ss",
      "other",
      "https://hooks:s3cret@example.com/hooks/salesforce?team=ops&token=tok%2Fen&api_key=k1",
      "s3cret",
      "tok%2Fen",
      "tok/en",
      "k1",
    ]);
    expect(manifestSecrets(parsed(MINIMAL))).toEqual([]);
  });
});

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  minProperties?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  default?: unknown;
};

/** Just enough of JSON Schema validation for the keywords the manifest schema uses: the problems found. */
function conforms(schema: JsonSchema, value: unknown, path = "$"): string[] {
  const fail = (why: string) => [`${path}: ${why}`];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const passing = branches.filter((b) => conforms(b, value, path).length === 0).length;
    if (!(schema.oneOf ? passing === 1 : passing > 0)) return fail(`${passing} branches match`);
    if (!schema.type) return [];
  }
  if (schema.enum && !schema.enum.includes(value)) return fail("not one of the enum");
  if (schema.const !== undefined && value !== schema.const) return fail(`not ${String(schema.const)}`);
  const kind = Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  if (schema.type && schema.type !== kind && !(schema.type === "number" && kind === "integer")) return fail(kind);
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return fail(`does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return fail("too long");
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) return fail("too small");
    if (schema.maximum !== undefined && value > schema.maximum) return fail("too big");
  }
  if (Array.isArray(value)) {
    if (value.length < (schema.minItems ?? 0) || value.length > (schema.maxItems ?? Infinity)) return fail("count");
    return value.flatMap((item, i) => (schema.items ? conforms(schema.items, item, `${path}[${i}]`) : []));
  }
  if (typeof value !== "object" || value === null) return [];
  const entries = Object.entries(value);
  if (entries.length < (schema.minProperties ?? 0)) return fail("too few keys");
  const missing = (schema.required ?? []).filter((key) => !(key in value));
  if (missing.length > 0) return fail(`missing ${missing.join(", ")}`);
  return entries.flatMap(([key, item]) => {
    const keyProblems = schema.propertyNames ? conforms(schema.propertyNames, key, `${path}.${key} (key)`) : [];
    const known = schema.properties?.[key];
    if (known) return [...keyProblems, ...conforms(known, item, `${path}.${key}`)];
    if (schema.additionalProperties === false) return [...keyProblems, `${path}.${key}: not allowed`];
    if (typeof schema.additionalProperties === "object")
      return [...keyProblems, ...conforms(schema.additionalProperties, item, `${path}.${key}`)];
    return keyProblems;
  });
}

describe("manifestJsonSchema", () => {
  const schema = manifestJsonSchema() as JsonSchema & Record<string, unknown>;
  const objectSchema = schema.properties?.objects.items as JsonSchema;
  const destinationKinds =
    (schema.properties?.destinations.additionalProperties as JsonSchema | undefined)?.oneOf ?? [];

  it("is a serialisable draft 2020-12 schema with the required keys, kinds and defaults", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.required).toEqual(["name"]);
    expect(schema.anyOf).toEqual([{ required: ["objects", "destinations"] }, { required: ["writes"] }]);
    expect(schema.additionalProperties).toBe(false);
    expect(objectSchema.required).toEqual(["name", "destinations"]);
    expect(destinationKinds.map((d) => d.properties?.type.const)).toEqual(["postgres", "webhook", "records"]);
    expect(destinationKinds.map((d) => d.required)).toEqual([["type", "url"], ["type", "url"], ["type"]]);
    expect(objectSchema.properties?.schedule.default).toBe("0 * * * *");
    expect(objectSchema.properties?.fields.default).toBe("all");
    expect(objectSchema.properties?.deletes.default).toBe(true);
    expect(objectSchema.properties?.backfill.default).toBe("full");
    expect(destinationKinds[1].properties?.batchSize).toMatchObject({ minimum: 1, maximum: 10000, default: 1000 });
    expect(schema.properties?.objects).toMatchObject({ minItems: 1, maxItems: 200 });
    expect(manifestJsonSchema()).not.toBe(manifestJsonSchema());
  });

  it("describes every property", () => {
    const undescribed: string[] = [];
    const walk = (node: JsonSchema, path: string) => {
      for (const [key, property] of Object.entries(node.properties ?? {})) {
        if (!property.description) undescribed.push(`${path}.${key}`);
        walk(property, `${path}.${key}`);
      }
      for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(branch, path);
      if (node.items) walk(node.items, `${path}[]`);
      if (typeof node.additionalProperties === "object") walk(node.additionalProperties, `${path}.*`);
    };
    walk(schema, "$");
    expect(undescribed).toEqual([]);
  });

  const asWritten = (text: string): unknown => {
    const manifest = JSON.parse(JSON.stringify(parsed(text))) as Manifest & Record<string, unknown>;
    return {
      ...manifest,
      objects: manifest.objects.map((o) => ({
        ...o,
        backfill: o.backfill.kind === "full" ? "full" : { days: o.backfill.days },
      })),
    };
  };

  it.each([
    ["the example", asWritten(EXAMPLE)],
    [
      "the minimal manifest, defaults left out",
      { name: "m", destinations: { c: { type: "records" } }, objects: [{ name: "Account", destinations: ["c"] }] },
    ],
    ["a manifest that only writes", { name: "w", writes: { objects: [{ name: "Lead", operations: ["delete"] }] } }],
    [
      "writes beside read objects",
      {
        name: "m",
        destinations: { c: { type: "records" } },
        objects: [{ name: "Account", destinations: ["c"] }],
        writes: {
          strict: true,
          objects: [{ name: "Contact", operations: ["upsert"], fields: ["Email"], externalIdField: "Ext_Id__c" }],
        },
      },
    ],
    [
      "backfill shorthand and all fields",
      {
        name: "m",
        destinations: { c: { type: "records" } },
        objects: [{ name: "A", fields: "all", backfill: "90d", destinations: ["c"] }],
      },
    ],
  ])("accepts %s", (_label, manifest) => {
    expect(conforms(schema, manifest)).toEqual([]);
  });

  it.each([
    [
      "a misspelt key",
      {
        name: "m",
        destinations: { c: { type: "records" } },
        objects: [{ name: "A", schedual: "* * * * *", destinations: ["c"] }],
      },
      "$.objects[0].schedual: not allowed",
    ],
    [
      "an unknown destination type",
      { name: "m", destinations: { c: { type: "mysql" } }, objects: [{ name: "A", destinations: ["c"] }] },
      "$.destinations.c: 0 branches match",
    ],
    [
      "a missing name",
      { destinations: { c: { type: "records" } }, objects: [{ name: "A", destinations: ["c"] }] },
      "$: missing name",
    ],
    [
      "a relationship field",
      {
        name: "m",
        destinations: { c: { type: "records" } },
        objects: [{ name: "A", fields: ["Owner.Name"], destinations: ["c"] }],
      },
      "$.objects[0].fields: 0 branches match",
    ],
    [
      "no destinations",
      { name: "m", destinations: {}, objects: [{ name: "A", destinations: ["c"] }] },
      "$.destinations: too few keys",
    ],
    [
      "a batch size too big",
      {
        name: "m",
        destinations: { w: { type: "webhook", url: "https://x.test", batchSize: 20000 } },
        objects: [{ name: "A", destinations: ["w"] }],
      },
      "$.destinations.w: 0 branches match",
    ],
    ["neither objects nor writes", { name: "m", destinations: { c: { type: "records" } } }, "$: 0 branches match"],
    [
      "an unknown write operation",
      { name: "w", writes: { objects: [{ name: "Lead", operations: ["merge"] }] } },
      "$.writes.objects[0].operations[0]: not one of the enum",
    ],
    [
      "a misspelt write key",
      { name: "w", writes: { objects: [{ name: "Lead", operation: ["delete"] }] } },
      "$.writes.objects[0]: missing operations",
    ],
  ])("refuses %s", (_label, manifest, problem) => {
    expect(conforms(schema, manifest)).toContain(problem);
    expect(parseManifest(manifest).ok).toBe(false);
  });
});
