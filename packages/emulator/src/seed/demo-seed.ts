import type { SeedSpec } from "../control/specs.ts";

/** Credentials of the demo org, documented in the README and served at /__emulator/info. */
export const DEMO = {
  admin: { username: "admin@forcelink-demo.example", password: "admin-password-1" },
  integration: { username: "integration@forcelink-demo.example", password: "integration-password-1" },
  platform: { username: "platform@forcelink-demo.example", password: "platform-password-1" },
  apiOnly: { username: "api-only@forcelink-demo.example", password: "api-only-password-1" },
  app: {
    name: "Forcelink Demo App",
    clientId: "3MVG9ForcelinkDemoConsumerKey",
    clientSecret: "forcelink-demo-consumer-secret",
    callbackUrls: [
      "http://localhost:4000/oauth/callback",
      "http://127.0.0.1:4000/oauth/callback",
      "http://localhost:1717/OauthRedirect",
    ],
  },
};

/**
 * The org `forcelink emulator` serves without a seed file: a correctly configured org for an
 * integration that reads and writes Accounts and Contacts, with a few users who are not.
 */
export const DEMO_SEED: SeedSpec = {
  org: { name: "Forcelink Demo Org", edition: "Enterprise Edition", myDomain: "forcelink-demo" },
  admin: DEMO.admin,
  objects: [
    {
      name: "Account",
      fields: [
        { name: "External_Id__c", type: "string", length: 40, unique: true, externalId: true },
        { name: "Tier__c", type: "picklist", picklistValues: ["Gold", "Silver", "Bronze"] },
      ],
      grantTo: ["System Administrator", "Standard User"],
    },
    {
      name: "Invoice__c",
      label: "Invoice",
      fields: [
        { name: "Account__c", type: "reference", referenceTo: "Account", relationshipName: "Account__r" },
        { name: "Amount__c", type: "currency" },
        { name: "Account_Name__c", type: "string", formula: "Account__r.Name" },
      ],
      grantTo: ["System Administrator"],
    },
  ],
  permissionSets: [
    {
      name: "Forcelink_Integration",
      label: "Forcelink Integration",
      system: { ViewSetup: true, CanApproveUninstalledApps: true },
    },
  ],
  users: [
    {
      ...DEMO.integration,
      profile: "Standard User",
      firstName: "Ivy",
      lastName: "Integration",
      permissionSets: ["Forcelink_Integration"],
    },
    { ...DEMO.platform, profile: "Standard Platform User", firstName: "Pat", lastName: "Platform" },
    { ...DEMO.apiOnly, profile: "Minimum Access - API Only Integrations", firstName: "Otto", lastName: "ApiOnly" },
  ],
  apps: [
    {
      ...DEMO.app,
      kind: "ExternalClientApp",
      pkceRequired: true,
      clientCredentialsEnabled: true,
      clientCredentialsUser: DEMO.admin.username,
      introspectAllTokens: false,
    },
  ],
  generate: { Account: 200, Contact: 400, Lead: 100, Opportunity: 100, Case: 50 },
};
