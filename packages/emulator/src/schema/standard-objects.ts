import { addressFields, defineObject, field, picklist, reference, systemField } from "./field-builders.ts";
import type { ObjectDef } from "./types.ts";

const required = { nillable: false, permissionable: false } as const;

function owner() {
  return reference("OwnerId", "User", "Owner", { nillable: false, defaultedOnCreate: true, permissionable: false });
}

export function accountObject(): ObjectDef {
  return defineObject(
    "Account",
    "001",
    [
      field("Name", "string", { ...required, nameField: true }),
      owner(),
      picklist("Type", ["Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"]),
      reference("ParentId", "Account", "Parent"),
      ...addressFields("Billing"),
      ...addressFields("Shipping"),
      field("Phone", "phone"),
      field("Fax", "phone"),
      field("AccountNumber", "string", { length: 40 }),
      field("Website", "url"),
      picklist("Industry", [
        "Agriculture",
        "Banking",
        "Biotechnology",
        "Consulting",
        "Education",
        "Energy",
        "Finance",
        "Healthcare",
        "Manufacturing",
        "Media",
        "Retail",
        "Technology",
        "Other",
      ]),
      field("AnnualRevenue", "currency"),
      field("NumberOfEmployees", "int", { precision: 8 }),
      picklist("Rating", ["Hot", "Warm", "Cold"]),
      field("Description", "textarea"),
      systemField("LastActivityDate", "date", { nillable: true, defaultedOnCreate: false }),
    ],
    { label: "Account" },
  );
}

export function contactObject(): ObjectDef {
  return defineObject("Contact", "003", [
    reference("AccountId", "Account", "Account"),
    field("FirstName", "string", { length: 40 }),
    field("LastName", "string", { ...required, length: 80 }),
    systemField("Name", "string", { nameField: true, length: 121 }),
    owner(),
    field("Email", "email", { idLookup: true }),
    field("Phone", "phone"),
    field("MobilePhone", "phone"),
    field("Title", "string", { length: 128 }),
    field("Department", "string", { length: 80 }),
    field("Birthdate", "date"),
    ...addressFields("Mailing"),
    field("HasOptedOutOfEmail", "boolean"),
    field("Description", "textarea"),
  ]);
}

export function leadObject(): ObjectDef {
  return defineObject("Lead", "00Q", [
    field("FirstName", "string", { length: 40 }),
    field("LastName", "string", { ...required, length: 80 }),
    systemField("Name", "string", { nameField: true, length: 121 }),
    field("Company", "string", { ...required }),
    owner(),
    field("Email", "email", { idLookup: true }),
    field("Phone", "phone"),
    field("Title", "string", { length: 128 }),
    picklist(
      "Status",
      ["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"],
      {
        ...required,
        defaultedOnCreate: true,
        defaultValue: "Open - Not Contacted",
      },
    ),
    picklist("LeadSource", ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]),
    ...addressFields(""),
    field("AnnualRevenue", "currency"),
    field("NumberOfEmployees", "int", { precision: 8 }),
    systemField("IsConverted", "boolean"),
    field("Description", "textarea"),
  ]);
}

export function opportunityObject(): ObjectDef {
  return defineObject("Opportunity", "006", [
    field("Name", "string", { ...required, nameField: true, length: 120 }),
    reference("AccountId", "Account", "Account"),
    owner(),
    picklist(
      "StageName",
      ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"],
      required,
    ),
    field("CloseDate", "date", required),
    field("Amount", "currency"),
    field("Probability", "percent", { precision: 3 }),
    field("ExpectedRevenue", "currency", {
      createable: false,
      updateable: false,
      calculated: true,
      calculatedFormula: "Amount * Probability / 100",
      formula: (r) =>
        typeof r.Amount === "number" && typeof r.Probability === "number" ? (r.Amount * r.Probability) / 100 : null,
    }),
    systemField("IsClosed", "boolean"),
    systemField("IsWon", "boolean"),
    picklist("Type", ["New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"]),
    picklist("LeadSource", ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]),
    field("Description", "textarea"),
  ]);
}

export function caseObject(): ObjectDef {
  return defineObject("Case", "500", [
    systemField("CaseNumber", "string", { autoNumber: true, nameField: true, length: 30 }),
    reference("AccountId", "Account", "Account"),
    reference("ContactId", "Contact", "Contact"),
    owner(),
    field("Subject", "string"),
    picklist("Status", ["New", "Working", "Escalated", "Closed"], {
      ...required,
      defaultedOnCreate: true,
      defaultValue: "New",
    }),
    picklist("Priority", ["High", "Medium", "Low"], { defaultedOnCreate: true, defaultValue: "Medium" }),
    picklist("Origin", ["Phone", "Email", "Web"]),
    systemField("IsClosed", "boolean"),
    field("Description", "textarea"),
  ]);
}
