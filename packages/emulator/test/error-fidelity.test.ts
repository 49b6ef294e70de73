import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

/**
 * Every REST error row of the reference (salesforce-api.md §2.3, §2.4, §2.5, §2.6, §2.7, §2.9),
 * each produced by its real cause, checked for status, errorCode and message text. The OAuth rows
 * (§1.1, §1.2, §1.5) are in oauth-*.test.ts and the Bulk rows in bulk-*.test.ts.
 */
const ADMIN = DEMO.admin.username;
const USER = DEMO.integration.username;

let t: DemoOrg;
let accountId: string;
let deletedId: string;

async function create(username: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.api(username, "/sobjects/Account", { method: "POST", body });
  return ((await res.json()) as { id: string }).id;
}

interface Row {
  row: string;
  cause: () => Promise<Response>;
  status: number;
  errorCode?: string;
  message?: string | RegExp;
  fields?: string[];
  /** Put the org back as it was, whatever the assertion said. */
  after?: () => Promise<unknown>;
}

const q = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;

const rows: Row[] = [
  {
    row: "401 INVALID_SESSION_ID: no token",
    cause: () => fetch(`${t.emulator.urls.myDomain}/services/data/v67.0/sobjects`),
    status: 401,
    errorCode: "INVALID_SESSION_ID",
    message: "Session expired or invalid",
  },
  {
    row: "401 INVALID_SESSION_ID: revoked token",
    cause: async () => {
      const token = t.token(USER, ["api"]);
      t.org.sessions.revokeSession(token);
      return fetch(`${t.emulator.urls.myDomain}/services/data/v67.0/sobjects`, {
        headers: { authorization: `Bearer ${token}` },
      });
    },
    status: 401,
    errorCode: "INVALID_SESSION_ID",
    message: "Session expired or invalid",
  },
  {
    row: "401: a token without the api scope",
    cause: () =>
      fetch(`${t.emulator.urls.myDomain}/services/data/v67.0/sobjects`, {
        headers: { authorization: `Bearer ${t.token(USER, ["id"])}` },
      }),
    status: 401,
    errorCode: "INVALID_SESSION_ID",
    message: "This session is not valid for use with the REST API",
  },
  {
    row: "403 API_DISABLED_FOR_ORG: an edition without API",
    cause: async () => {
      await t.control("/org", { method: "PATCH", body: { edition: "Professional Edition" } });
      return t.api(USER, "/sobjects");
    },
    after: () => t.control("/org", { method: "PATCH", body: { edition: "Enterprise Edition" } }),
    status: 403,
    errorCode: "API_DISABLED_FOR_ORG",
    message: "API is not enabled for this Organization or Partner",
  },
  {
    row: "403 API_CURRENTLY_DISABLED: a user without API Enabled",
    cause: async () => {
      await t.control("/permissions/Standard%20User", { method: "PATCH", body: { system: { ApiEnabled: false } } });
      return t.api(USER, "/sobjects");
    },
    after: () => t.control("/permissions/Standard%20User", { method: "PATCH", body: { system: { ApiEnabled: true } } }),
    status: 403,
    errorCode: "API_CURRENTLY_DISABLED",
    message: "API is disabled for this User",
  },
  {
    row: "403 REQUEST_LIMIT_EXCEEDED: the daily quota is used up",
    cause: async () => {
      await t.control("/quota", { method: "PUT", body: { limit: 10, used: 10 } });
      return t.api(USER, "/sobjects");
    },
    after: () => t.control("/quota", { method: "PUT", body: { limit: 100000, used: 0 } }),
    status: 403,
    errorCode: "REQUEST_LIMIT_EXCEEDED",
    message: "TotalRequests Limit exceeded.",
  },
  {
    row: "403 INSUFFICIENT_ACCESS: /limits without View Setup",
    cause: async () => {
      await t.control("/users/integration@forcelink-demo.example", {
        method: "PATCH",
        body: { removePermissionSets: ["Forcelink_Integration"] },
      });
      return t.api(USER, "/limits");
    },
    after: () =>
      t.control("/users/integration@forcelink-demo.example", {
        method: "PATCH",
        body: { addPermissionSets: ["Forcelink_Integration"] },
      }),
    status: 403,
    errorCode: "INSUFFICIENT_ACCESS",
    message: /View Setup/,
  },
  {
    row: "400 MALFORMED_QUERY",
    cause: () => t.api(USER, q("SELEKT Id FROM Account")),
    status: 400,
    errorCode: "MALFORMED_QUERY",
    message: /unexpected token/,
  },
  {
    row: "400 INVALID_FIELD on query",
    cause: () => t.api(USER, q("SELECT Id, Foo FROM Account")),
    status: 400,
    errorCode: "INVALID_FIELD",
    message:
      /No such column 'Foo' on entity 'Account'\. If you are attempting to use a custom field, be sure to append the '__c'/,
  },
  {
    row: "400 INVALID_TYPE on query",
    cause: () => t.api(USER, q("SELECT Id FROM Foo")),
    status: 400,
    errorCode: "INVALID_TYPE",
    message:
      /sObject type 'Foo' is not supported\. If you are attempting to use a custom object, be sure to append the '__c'/,
  },
  {
    row: "400 INVALID_FIELD: a field hidden by field-level security",
    cause: async () => {
      await t.control("/permissions/Standard%20User", {
        method: "PATCH",
        body: { fields: { "Account.Industry": "none" } },
      });
      return t.api(USER, q("SELECT Id, Industry FROM Account"));
    },
    after: () =>
      t.control("/permissions/Standard%20User", { method: "PATCH", body: { fields: { "Account.Industry": "edit" } } }),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: /No such column 'Industry' on entity 'Account'/,
  },
  {
    row: "400 QUERY_TIMEOUT",
    cause: async () => {
      await t.control("/faults", { method: "PUT", body: { queryTimeout: 1 } });
      return t.api(USER, q("SELECT Id FROM Account"));
    },
    status: 400,
    errorCode: "QUERY_TIMEOUT",
    message: "Your query request was running for too long.",
  },
  {
    row: "400 INVALID_QUERY_LOCATOR",
    cause: () => t.api(USER, "/query/01gDm0000000999AAA-2000"),
    status: 400,
    errorCode: "INVALID_QUERY_LOCATOR",
    message: "invalid query locator",
  },
  {
    row: "400 MALFORMED_QUERY: FIELDS(ALL) without LIMIT",
    cause: () => t.api(USER, q("SELECT FIELDS(ALL) FROM Account")),
    status: 400,
    errorCode: "MALFORMED_QUERY",
  },
  {
    row: "400 JSON_PARSER_ERROR",
    cause: () => t.api(USER, "/sobjects/Account", { method: "POST", body: "{nope" }),
    status: 400,
    errorCode: "JSON_PARSER_ERROR",
  },
  {
    row: "400 MALFORMED_ID: a lookup that is not an id",
    cause: () => t.api(USER, "/sobjects/Contact", { method: "POST", body: { LastName: "X", AccountId: "not-an-id" } }),
    status: 400,
    errorCode: "MALFORMED_ID",
    fields: ["AccountId"],
  },
  {
    row: "400 REQUIRED_FIELD_MISSING",
    cause: () => t.api(USER, "/sobjects/Account", { method: "POST", body: { Industry: "Energy" } }),
    status: 400,
    errorCode: "REQUIRED_FIELD_MISSING",
    message: "Required fields are missing: [Name]",
    fields: ["Name"],
  },
  {
    row: "400 INVALID_FIELD_FOR_INSERT_UPDATE: a read-only field",
    cause: () =>
      t.api(USER, "/sobjects/Account", { method: "POST", body: { Name: "X", CreatedDate: "2020-01-01T00:00:00Z" } }),
    status: 400,
    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
    message: /^Unable to create\/update fields: CreatedDate\. Please check the security settings of this field/,
    fields: ["CreatedDate"],
  },
  {
    row: "400 INVALID_FIELD_FOR_INSERT_UPDATE: field-level security read-only",
    cause: async () => {
      await t.control("/permissions/Standard%20User", {
        method: "PATCH",
        body: { fields: { "Account.Rating": "read" } },
      });
      return t.api(USER, `/sobjects/Account/${accountId}`, { method: "PATCH", body: { Rating: "Hot" } });
    },
    after: () =>
      t.control("/permissions/Standard%20User", { method: "PATCH", body: { fields: { "Account.Rating": "edit" } } }),
    status: 400,
    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
    fields: ["Rating"],
  },
  {
    row: "400 FIELD_CUSTOM_VALIDATION_EXCEPTION",
    cause: async () => {
      await t.control("/validation-rules", {
        method: "POST",
        body: {
          object: "Account",
          name: "No_Negative_Revenue",
          condition: "AnnualRevenue < 0",
          errorMessage: "Revenue cannot be negative",
          errorField: "AnnualRevenue",
        },
      });
      return t.api(USER, "/sobjects/Account", { method: "POST", body: { Name: "X", AnnualRevenue: -1 } });
    },
    after: () => t.control("/validation-rules/No_Negative_Revenue", { method: "DELETE" }),
    status: 400,
    errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    message: "Revenue cannot be negative",
    fields: ["AnnualRevenue"],
  },
  {
    row: "400 DUPLICATE_VALUE",
    cause: async () => {
      await create(USER, { Name: "Dup 1", External_Id__c: "DUP-1" });
      return t.api(USER, "/sobjects/Account", { method: "POST", body: { Name: "Dup 2", External_Id__c: "DUP-1" } });
    },
    status: 400,
    errorCode: "DUPLICATE_VALUE",
    message: /^duplicate value found: External_Id__c duplicates value on record with id: 001/,
  },
  {
    row: "400 INSUFFICIENT_ACCESS_OR_READONLY: no Edit on the object",
    cause: async () => {
      await t.control("/permissions/Standard%20User", { method: "PATCH", body: { objects: { Account: ["Read"] } } });
      return t.api(USER, `/sobjects/Account/${accountId}`, { method: "PATCH", body: { Name: "Renamed" } });
    },
    after: () =>
      t.control("/permissions/Standard%20User", {
        method: "PATCH",
        body: { objects: { Account: ["Read", "Create", "Edit", "Delete"] } },
      }),
    status: 400,
    errorCode: "INSUFFICIENT_ACCESS_OR_READONLY",
  },
  {
    row: "400 INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: a lookup to a record the user cannot see",
    cause: async () => {
      const invoiceParent = await create(ADMIN, { Name: "Parent" });
      await t.control("/permissions/Standard%20User", { method: "PATCH", body: { objects: { Account: [] } } });
      return t.api(USER, "/sobjects/Contact", { method: "POST", body: { LastName: "X", AccountId: invoiceParent } });
    },
    after: () =>
      t.control("/permissions/Standard%20User", {
        method: "PATCH",
        body: { objects: { Account: ["Read", "Create", "Edit", "Delete"] } },
      }),
    status: 400,
    errorCode: "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
  },
  {
    row: "400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    cause: async () => {
      await t.control("/objects", {
        method: "POST",
        body: {
          name: "Account",
          fields: [{ name: "Region__c", type: "picklist", picklistValues: ["EMEA", "AMER"], restricted: true }],
          grantTo: ["Standard User"],
        },
      });
      return t.api(USER, "/sobjects/Account", { method: "POST", body: { Name: "X", Region__c: "MARS" } });
    },
    status: 400,
    errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    fields: ["Region__c"],
  },
  {
    row: "400 STRING_TOO_LONG",
    cause: () => t.api(USER, "/sobjects/Account", { method: "POST", body: { Name: "x".repeat(256) } }),
    status: 400,
    errorCode: "STRING_TOO_LONG",
    message: /data value too large/,
  },
  {
    row: "400 UNABLE_TO_LOCK_ROW",
    cause: async () => {
      await t.control("/faults", { method: "PUT", body: { unableToLockRow: 1 } });
      return t.api(USER, `/sobjects/Account/${accountId}`, { method: "PATCH", body: { Name: "Locked" } });
    },
    status: 400,
    errorCode: "UNABLE_TO_LOCK_ROW",
  },
  {
    row: "400 EXCEEDED_ID_LIMIT: more than 200 records in a collection",
    cause: () =>
      t.api(USER, "/composite/sobjects", {
        method: "POST",
        body: { records: Array.from({ length: 201 }, (_, i) => ({ attributes: { type: "Account" }, Name: `N${i}` })) },
      }),
    status: 400,
    errorCode: "EXCEEDED_ID_LIMIT",
  },
  {
    row: "400 INVALID_REPLICATION_DATE: getUpdated further back than 30 days",
    cause: () =>
      t.api(USER, `/sobjects/Account/updated?start=2000-01-01T00:00:00%2B00:00&end=2000-01-02T00:00:00%2B00:00`),
    status: 400,
    errorCode: "INVALID_REPLICATION_DATE",
  },
  {
    row: "404 NOT_FOUND: a missing record",
    cause: () => t.api(USER, "/sobjects/Account/001Dm0000009999AAA"),
    status: 404,
    errorCode: "NOT_FOUND",
    message: "The requested resource does not exist",
  },
  {
    row: "404 NOT_FOUND: not an id, read as an external id field",
    cause: () => t.api(USER, "/sobjects/Account/NotAField"),
    status: 404,
    errorCode: "NOT_FOUND",
    message: "Provided external ID field does not exist or is not accessible: NotAField",
  },
  {
    row: "404 ENTITY_IS_DELETED",
    cause: () => t.api(USER, `/sobjects/Account/${deletedId}`, { method: "DELETE" }),
    status: 404,
    errorCode: "ENTITY_IS_DELETED",
    message: "entity is deleted",
  },
  {
    row: "405 METHOD_NOT_ALLOWED",
    cause: () => t.api(USER, "/limits", { method: "DELETE" }),
    status: 405,
    errorCode: "METHOD_NOT_ALLOWED",
    message: /^HTTP Method 'DELETE' not allowed\. Allowed are GET/,
  },
  {
    row: "500 UNKNOWN_EXCEPTION",
    cause: async () => {
      await t.control("/faults", { method: "PUT", body: { errorRate: 1, errorStatus: 500 } });
      return t.api(USER, "/sobjects");
    },
    after: () => t.control("/faults", { method: "DELETE" }),
    status: 500,
    errorCode: "UNKNOWN_EXCEPTION",
    message: /^An unexpected error occurred\. Please include this ErrorId/,
  },
  {
    row: "503 SERVER_UNAVAILABLE",
    cause: async () => {
      await t.control("/faults", { method: "PUT", body: { errorRate: 1, errorStatus: 503 } });
      return t.api(USER, "/sobjects");
    },
    after: () => t.control("/faults", { method: "DELETE" }),
    status: 503,
    errorCode: "SERVER_UNAVAILABLE",
  },
];

beforeAll(async () => {
  t = await startDemoOrg();
  accountId = await create(USER, { Name: "Fidelity" });
  deletedId = await create(USER, { Name: "Deleted" });
  await t.api(USER, `/sobjects/Account/${deletedId}`, { method: "DELETE" });
});
afterAll(async () => {
  await t?.close();
});

describe("REST errors as Salesforce answers them", () => {
  it.each(rows)("$row", async ({ cause, status, errorCode, message, fields, after }) => {
    try {
      const res = await cause();
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("sforce-limit-info")).toMatch(/^api-usage=\d+\/\d+$/);
      const body = (await res.json()) as Array<{ errorCode: string; message: string; fields?: string[] }>;
      expect(Array.isArray(body)).toBe(true);
      if (errorCode) expect(body[0].errorCode).toBe(errorCode);
      if (typeof message === "string") expect(body[0].message).toBe(message);
      else if (message) expect(body[0].message).toMatch(message);
      if (fields) expect(body[0].fields).toEqual(fields);
    } finally {
      await after?.();
    }
  });

  it("answers an ambiguous upsert with 300 and the matching record URLs", async () => {
    await t.control("/objects", {
      method: "POST",
      body: {
        name: "Account",
        fields: [{ name: "Legacy_Code__c", type: "string", externalId: true }],
        grantTo: ["Standard User"],
      },
    });
    const a = await create(USER, { Name: "A", Legacy_Code__c: "L-1" });
    const b = await create(USER, { Name: "B", Legacy_Code__c: "L-1" });
    const res = await t.api(USER, "/sobjects/Account/Legacy_Code__c/L-1", { method: "PATCH", body: { Name: "C" } });
    expect(res.status).toBe(300);
    expect(((await res.json()) as string[]).sort()).toEqual(
      [a, b].map((id) => `/services/data/v67.0/sobjects/Account/${id}`).sort(),
    );
  });

  it("marks the other records of an allOrNone collection as rolled back, with statusCode keys", async () => {
    const res = await t.api(USER, "/composite/sobjects", {
      method: "POST",
      body: {
        allOrNone: true,
        records: [{ attributes: { type: "Account" }, Name: "OK" }, { attributes: { type: "Account" } }],
      },
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as Array<{
      success: boolean;
      errors: Array<{ statusCode: string; message: string }>;
    }>;
    expect(results[0].errors[0]).toEqual({
      statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
      fields: [],
    });
    expect(results[1].errors[0].statusCode).toBe("REQUIRED_FIELD_MISSING");
  });

  it("halts an allOrNone composite request with PROCESSING_HALTED and undoes earlier subrequests", async () => {
    const res = await t.api(USER, "/composite", {
      method: "POST",
      body: {
        allOrNone: true,
        compositeRequest: [
          {
            method: "POST",
            url: "/services/data/v67.0/sobjects/Account",
            referenceId: "ok",
            body: { Name: "Composite undone" },
          },
          {
            method: "POST",
            url: "/services/data/v67.0/sobjects/Account",
            referenceId: "bad",
            body: { Industry: "Energy" },
          },
          { method: "GET", url: "/services/data/v67.0/sobjects/Account/@{ok.id}", referenceId: "after" },
        ],
      },
    });
    const body = (await res.json()) as {
      compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string; message: string }> }>;
    };
    expect(body.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400, 400]);
    expect(body.compositeResponse[0].body[0]).toEqual({
      errorCode: "PROCESSING_HALTED",
      message: "The transaction was rolled back since another operation in the same transaction failed.",
    });
    expect(body.compositeResponse[1].body[0].errorCode).toBe("REQUIRED_FIELD_MISSING");
    const check = await t.api(USER, q("SELECT Id FROM Account WHERE Name = 'Composite undone'"));
    expect(((await check.json()) as { totalSize: number }).totalSize).toBe(0);
  });
});
