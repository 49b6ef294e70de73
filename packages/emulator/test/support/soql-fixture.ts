import { addFields, field } from "../../src/schema/field-builders.ts";
import { createBaseOrg } from "../../src/seed/base-org.ts";
import { executeSoql, type SoqlOptions } from "../../src/soql/index.ts";
import type { StoredRecord } from "../../src/store/record-store.ts";

const DAY = 86_400_000;

/**
 * A small org for SOQL tests: four accounts (one a child of another, one named with a quote), four
 * contacts (one without an account), an opportunity, an admin and a Standard User.
 */
export function seededOrg() {
  const { org, admin } = createBaseOrg();
  const adminUser = org.userByUsername(`admin@${org.myDomain}.example`)!;
  const standardUser = admin.user({
    username: "std@example.com",
    password: "pw-123456",
    profile: "Standard User",
    lastName: "Standard",
  });
  const accountDef = org.objectDef("Account")!;
  addFields(accountDef, [field("Interests__c", "multipicklist")]);
  admin.setFieldPermissions("System Administrator", "Account.Interests__c", "edit");
  const ctx = org.writeContext(adminUser.Id);
  const now = org.clock.now();
  const at = (daysAgo: number) => now - (now % 1000) - daysAgo * DAY;
  const insert = (object: string, values: Record<string, unknown>) => org.store.insert(object, values, ctx);

  const acme = insert("Account", {
    Name: "Acme",
    Industry: "Technology",
    NumberOfEmployees: 50,
    AnnualRevenue: 1_000_000,
    Interests__c: "Golf;Sailing",
    CreatedDate: at(0),
  });
  const globex = insert("Account", {
    Name: "Globex",
    Industry: "Energy",
    NumberOfEmployees: 10,
    ParentId: acme.Id,
    Interests__c: "Chess",
    CreatedDate: at(5),
  });
  const initech = insert("Account", {
    Name: "Initech",
    Industry: "Technology",
    NumberOfEmployees: null,
    CreatedDate: at(40),
  });
  const obrien = insert("Account", {
    Name: "O'Brien & Sons_1%",
    Industry: null,
    NumberOfEmployees: 3,
    Description: "family",
    CreatedDate: at(400),
  });

  const ann = insert("Contact", {
    FirstName: "Ann",
    LastName: "Smith",
    AccountId: acme.Id,
    Email: "ann@acme.example",
    Birthdate: "1990-05-01",
  });
  const bob = insert("Contact", { FirstName: "Bob", LastName: "Jones", AccountId: acme.Id, Birthdate: "1985-12-31" });
  const cy = insert("Contact", { FirstName: "Cy", LastName: "Young", AccountId: globex.Id });
  const orphan = insert("Contact", { LastName: "Orphan" });
  const deal = insert("Opportunity", {
    Name: "Big deal",
    AccountId: acme.Id,
    StageName: "Prospecting",
    CloseDate: "2024-03-31",
    Amount: 500,
    Probability: 20,
  });

  return {
    org,
    admin,
    adminUser,
    standardUser,
    accounts: { acme, globex, initech, obrien },
    contacts: { ann, bob, cy, orphan },
    deal,
  };
}

export type Seeded = ReturnType<typeof seededOrg>;

export function query(s: Seeded, soql: string, options: Partial<SoqlOptions> & { as?: string } = {}) {
  const { as, ...rest } = options;
  return executeSoql(s.org, as ?? s.adminUser.Id, soql, {
    includeDeleted: false,
    api: "data",
    version: "67.0",
    ...rest,
  });
}

/** The REST JSON of every row of a query. */
export function rows(
  s: Seeded,
  soql: string,
  options: Partial<SoqlOptions> & { as?: string } = {},
): Array<Record<string, unknown>> {
  const result = query(s, soql, options);
  return result.records.map((r: StoredRecord) => result.toJson(r));
}

/** Runs a query expected to fail, giving the ApiError's code and message. */
export function failure(
  s: Seeded,
  soql: string,
  options: Partial<SoqlOptions> & { as?: string } = {},
): { errorCode: string; message: string; status: number } {
  try {
    query(s, soql, options);
  } catch (e) {
    const err = e as { errorCode: string; message: string; status: number };
    return { errorCode: err.errorCode, message: err.message, status: err.status };
  }
  throw new Error(`expected the query to fail: ${soql}`);
}
