import { beforeAll, describe, expect, it } from "vitest";
import { failure, query, type Seeded, seededOrg } from "./support/soql-fixture.ts";

let s: Seeded;
beforeAll(() => {
  s = seededOrg();
});

const FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

describe("query errors", () => {
  const cases: Array<[string, string, string]> = [
    [
      "SELECT Foo FROM Account",
      "INVALID_FIELD",
      `\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. ${FIELD_HINT}`,
    ],
    [
      "SELECT Id FROM Foo",
      "INVALID_TYPE",
      `\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. ${OBJECT_HINT}`,
    ],
    [
      "SELECT Id FROM Account WHERE Bar = 1",
      "INVALID_FIELD",
      `\nSELECT Id FROM Account WHERE Bar = 1\n                             ^\nERROR at Row:1:Column:30\nNo such column 'Bar' on entity 'Account'. ${FIELD_HINT}`,
    ],
    [
      "SELECT Name, Account.Foo FROM Contact",
      "INVALID_FIELD",
      `\nSELECT Name, Account.Foo FROM Contact\n             ^\nERROR at Row:1:Column:14\nNo such column 'Foo' on entity 'Account'. ${FIELD_HINT}`,
    ],
    [
      "SELECT Foo.Name FROM Contact",
      "INVALID_FIELD",
      `\nSELECT Foo.Name FROM Contact\n       ^\nERROR at Row:1:Column:8\nDidn't understand relationship 'Foo' in field path. ${RELATIONSHIP_HINT}`,
    ],
    [
      "SELECT Id, (SELECT Id FROM Nopes) FROM Account",
      "INVALID_TYPE",
      `\nSELECT Id, (SELECT Id FROM Nopes) FROM Account\n                           ^\nERROR at Row:1:Column:28\nDidn't understand relationship 'Nopes' in FROM part of query call. ${RELATIONSHIP_HINT}`,
    ],
    [
      "SELECT Id, FROM Account",
      "MALFORMED_QUERY",
      "\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'",
    ],
    [
      "SELECT Id FROM Account WHERE",
      "MALFORMED_QUERY",
      "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: '<EOF>'",
    ],
    [
      "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
      "MALFORMED_QUERY",
      "\nSELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'\n                                                       ^\nERROR at Row:1:Column:56\nunexpected token: 'OR'",
    ],
    [
      "SELECT Id FROM Account WHERE Id = 'nope'",
      "INVALID_QUERY_FILTER_OPERATOR",
      "\nSELECT Id FROM Account WHERE Id = 'nope'\n                             ^\nERROR at Row:1:Column:30\ninvalid ID field: nope",
    ],
    [
      "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01",
      "INVALID_FIELD",
      "\nSELECT Id FROM Account WHERE CreatedDate > 2024-01-01\n                             ^\nERROR at Row:1:Column:30\nvalue of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    ],
    [
      "SELECT Id FROM Account WHERE NumberOfEmployees = '5'",
      "INVALID_FIELD",
      "\nSELECT Id FROM Account WHERE NumberOfEmployees = '5'\n                             ^\nERROR at Row:1:Column:30\nvalue of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes",
    ],
    [
      "SELECT Id FROM Account WHERE Name = 5",
      "INVALID_FIELD",
      "\nSELECT Id FROM Account WHERE Name = 5\n                             ^\nERROR at Row:1:Column:30\nvalue of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    ],
    [
      "SELECT Id FROM Account WHERE Description = 'x'",
      "INVALID_FIELD",
      "\nSELECT Id FROM Account WHERE Description = 'x'\n                             ^\nERROR at Row:1:Column:30\nfield 'Description' can not be filtered in a query call",
    ],
    [
      "SELECT Id FROM Account ORDER BY Description",
      "INVALID_FIELD",
      "\nSELECT Id FROM Account ORDER BY Description\n                                ^\nERROR at Row:1:Column:33\nfield 'Description' can not be sorted in a query call",
    ],
    [
      "SELECT FIELDS(ALL) FROM Account",
      "MALFORMED_QUERY",
      "\nSELECT FIELDS(ALL) FROM Account\n       ^\nERROR at Row:1:Column:8\nThe SOQL FIELDS function must have a LIMIT of at most 200",
    ],
    [
      "SELECT FIELDS(CUSTOM) FROM Account LIMIT 201",
      "MALFORMED_QUERY",
      "\nSELECT FIELDS(CUSTOM) FROM Account LIMIT 201\n       ^\nERROR at Row:1:Column:8\nThe SOQL FIELDS function must have a LIMIT of at most 200",
    ],
    [
      "SELECT Name, COUNT(Id) FROM Account",
      "MALFORMED_QUERY",
      "\nSELECT Name, COUNT(Id) FROM Account\n       ^\nERROR at Row:1:Column:8\nField must be grouped or aggregated: Name",
    ],
    ["SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"],
    [
      "SELECT Id\nFROM Account\nWHERE Nope__c = 1",
      "INVALID_FIELD",
      `\nWHERE Nope__c = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope__c' on entity 'Account'. ${FIELD_HINT}`,
    ],
  ];
  it.each(cases)("%s", (soql, errorCode, message) => {
    expect(failure(s, soql)).toEqual({ status: 400, errorCode, message });
  });

  it("accepts OFFSET 2000 and LIMIT 200 with FIELDS(ALL)", () => {
    expect(query(s, "SELECT Id FROM Account OFFSET 2000").totalSize).toBe(0);
    expect(query(s, "SELECT FIELDS(ALL) FROM Account LIMIT 200").totalSize).toBe(4);
  });

  it("fails the next query with QUERY_TIMEOUT when the fault is armed, once", () => {
    s.org.faults.configure({ queryTimeout: 1 });
    expect(failure(s, "SELECT Id FROM Account")).toEqual({
      status: 400,
      errorCode: "QUERY_TIMEOUT",
      message: "Your query request was running for too long.",
    });
    expect(query(s, "SELECT Id FROM Account").totalSize).toBe(4);
  });
});
