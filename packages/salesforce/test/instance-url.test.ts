import { describe, expect, it } from "vitest";
import { OffInstanceUrlError, resolveOnInstance } from "../src/index.ts";
import { resolveOnOrigin } from "../src/instance-url.ts";

const INSTANCE = "https://acme.my.salesforce.com";

describe("resolveOnInstance: only the instance URL is ever called", () => {
  it.each([
    ["/services/data/v67.0/limits", undefined, "/services/data/v67.0/limits"],
    [
      "/services/data/v67.0/query",
      { q: "SELECT Id FROM Account WHERE Name = 'A&B'" },
      "/services/data/v67.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27A%26B%27",
    ],
    ["/services/data/v67.0/query/01gXX-2000", undefined, "/services/data/v67.0/query/01gXX-2000"],
    ["https://acme.my.salesforce.com/services/data/v67.0/limits", undefined, "/services/data/v67.0/limits"],
    ["/services/data/v67.0/sobjects?x=1", { y: 2, skip: undefined }, "/services/data/v67.0/sobjects?x=1&y=2"],
  ])("%s", (path, query, expected) => {
    expect(resolveOnInstance(`${INSTANCE}/`, path, query)).toEqual({ origin: INSTANCE, path: expected });
  });

  it.each([
    "https://evil.example/services/data",
    "http://acme.my.salesforce.com/services/data",
    "https://acme.my.salesforce.com:8443/services/data",
    "//evil.example/services/data",
    "/\\evil.example/services/data",
    "https://user:pw@acme.my.salesforce.com/services/data",
  ])("refuses %s", (path) => {
    expect(() => resolveOnInstance(INSTANCE, path)).toThrow(OffInstanceUrlError);
  });

  it("refuses a path that is not rooted", () => {
    expect(() => resolveOnInstance(INSTANCE, "services/data")).toThrow(TypeError);
  });

  // resolveOnOrigin answers plain paths without parsing them: each must come out exactly as the URL parser has it.
  it.each([
    "/services/data/v67.0/limits",
    "/services/data/v67.0/query?q=SELECT+Id,Name+FROM+Account+WHERE+Name+%3D+%27A%27",
    "/services/data/v67.0/query?q=SELECT Id FROM Account WHERE Name = 'A'",
    "/services/data/v67.0/sobjects/Account/001?fields=Id,Name&x=a?b",
    "/services/data/v67.0/./limits",
    "/services/data/v67.0/%2e%2E/limits",
    "/services/data/v67.0/../../x",
    "/services/data/v67.0/sobjects/Account/Ext__c/a%2Fb",
    "/services/data/v67.0/x;y=1/@:!$&()*+,",
    "/services/data/v67.0/%zz?%zz",
    "/services/data/v67.0/a b?c d",
    "/services/data/v67.0/<x>{y}`z`^|[]",
    "/services/data/v67.0/x#frag",
    "/services/data/v67.0/é?é",
    "/",
    "/.well-known/x",
  ])("resolves %s as the URL parser does", (path) => {
    const parsed = new URL(path, INSTANCE);
    expect(resolveOnOrigin(INSTANCE, path)).toEqual({ origin: INSTANCE, path: `${parsed.pathname}${parsed.search}` });
  });
});
