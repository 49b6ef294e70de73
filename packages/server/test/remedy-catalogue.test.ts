import { ERROR_TABLE, lookupError } from "@forcelink/salesforce";
import { describe, expect, it } from "vitest";
import { explainConnectFailure } from "../src/connect/callback-errors.ts";
import { CHECK_IDS, checkDefinition } from "../src/remedies/checks.ts";
import {
  BUILDER_REASONS,
  CUSTOMER_REASONS,
  ITEMS_OUTSIDE_CHECKLIST,
  RUNTIME_REMEDY_OF_CHECK,
} from "../src/remedies/remedy-catalogue.ts";

const REASONS = new Set(ERROR_TABLE.map((r) => r.reason));
const ITEMS = new Set(ERROR_TABLE.flatMap((r) => (r.checklistItem ? [r.checklistItem] : [])));

describe("the catalogue of remedies is keyed by ids the error table and the checklist define", () => {
  it("every reason it explains is a row of the error table", () => {
    for (const reason of [...CUSTOMER_REASONS, ...BUILDER_REASONS]) expect(REASONS.has(reason), reason).toBe(true);
  });

  it("every check it names has the runtime remedy it points to", () => {
    for (const [id, mode] of Object.entries(RUNTIME_REMEDY_OF_CHECK)) {
      expect((CHECK_IDS as readonly string[]).includes(id), id).toBe(true);
      expect(checkDefinition(id as (typeof CHECK_IDS)[number]).remedies[mode!], `${id}: ${mode}`).toBeDefined();
    }
  });

  it("every checklist item of the error table is explained: by a check's runtime remedy or a title of its own", () => {
    for (const item of ITEMS) {
      const explained = item in RUNTIME_REMEDY_OF_CHECK || item in ITEMS_OUTSIDE_CHECKLIST;
      expect(explained, item).toBe(true);
    }
  });
});

type Row = [error: string, description: string, code: string, steps: RegExp];
const rows: Row[] = [
  ["access_denied", "end-user denied authorization", "access_denied", /choose Allow/],
  ["invalid_app_access", "user is not admin approved to access this app", "not_admin_approved", /Permitted Users/],
  ["OAUTH_APP_ACCESS_DENIED", "", "not_admin_approved", /Permitted Users/],
  ["OAUTH_APPROVAL_ERROR_GENERIC", "", "app_not_installed", /Approve Uninstalled Connected Apps/],
  ["invalid_client", "app must be installed into org", "app_not_installed", /Install/],
  ["invalid_grant", "IP restricted or invalid login hours", "ip_restricted", /Relax IP restrictions/],
  ["invalid_grant", "expired authorization code", "code_rejected", /Connect again from the start/],
  ["invalid_grant", "invalid code verifier", "code_rejected", /Connect again from the start/],
  ["invalid_grant", "user is frozen", "inactive_user", /unfreeze/],
  ["inactive_user", "user is inactive", "inactive_user", /activate it/],
  ["inactive_org", "org is locked", "inactive_org", /activate it/],
  ["invalid_scope", "the requested scope is not allowed", "invalid_scope", /builder adds the missing OAuth scopes/],
  ["invalid_client", "invalid client credentials", "invalid_client", /consumer key and secret/],
  ["redirect_uri_mismatch", "redirect_uri must match", "redirect_uri_mismatch", /callback URL/],
  ["something_new", "Salesforce's words", "something_new", /send this message to the app's builder/],
];

describe("the connect page's explanation of each OAuth refusal, by the table's reason", () => {
  it.each(rows)("%s / %s → %s", (error, description, code, steps) => {
    const failure = explainConnectFailure(error, description);
    expect(failure.code).toBe(code);
    expect(failure.steps.join(" ")).toMatch(steps);
  });

  it("invalid_client_id names the likely causes in order: the key, a new app, special characters in the owner's password", () => {
    const failure = explainConnectFailure("invalid_client_id", "client identifier invalid");
    expect(lookupError("oauth", "invalid_client_id", 400).reason).toBe("oauth.consumer_key_unknown");
    expect(failure).toMatchObject({ code: "invalid_client_id", builderProblem: true });
    expect(failure.steps).toHaveLength(3);
    expect(failure.steps[0]).toMatch(/consumer key/);
    expect(failure.steps[1]).toMatch(/up to 10/);
    expect(failure.steps[2]).toMatch(/special characters/);
  });
});
