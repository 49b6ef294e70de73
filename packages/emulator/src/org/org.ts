import { Clock } from "../clock.ts";
import type { CustomFieldSpec } from "../control/specs.ts";
import type { CompiledRule } from "../dml/validation-rules.ts";
import { ChangeCapture } from "../events/change-capture.ts";
import { IdFactory } from "../ids.ts";
import { platformEventChannelMemberObject, SETUP_OBJECTS } from "../schema/setup-objects.ts";
import { accountObject, caseObject, contactObject, leadObject, opportunityObject } from "../schema/standard-objects.ts";
import type { ObjectDef } from "../schema/types.ts";
import { RecordStore, type StoredRecord, type WriteContext } from "../store/record-store.ts";
import { ApiUsage } from "./api-usage.ts";
import { type ConnectedApp, connectedApplicationRecord } from "./connected-app.ts";
import { CallCounters } from "./counters.ts";
import { FaultInjector } from "./faults.ts";
import { AccessResolver, type EffectiveAccess } from "./permissions.ts";
import { SessionRegistry } from "./sessions.ts";
import { DEFAULT_SETTINGS, type OrgSettings } from "./settings.ts";

export interface OrgUrls {
  /** Production login host (login.salesforce.com). */
  login: string;
  /** Sandbox login host (test.salesforce.com). */
  test: string;
  /** The org's My Domain host, which is also its instance URL. */
  myDomain: string;
}

/** One applyObjectSpec call's object and the fields it added. */
export interface CustomSchemaEntry {
  name: string;
  label?: string;
  labelPlural?: string;
  fields: CustomFieldSpec[];
}

export interface OrgOptions {
  name?: string;
  edition?: string;
  isSandbox?: boolean;
  myDomain?: string;
  dailyApiLimit?: number;
  settings?: Partial<OrgSettings>;
}

/**
 * One Salesforce org: its schema and records (setup objects included, so SOQL reads permissions
 * exactly as the real API exposes them), its connected apps, sessions, quota and test controls.
 */
export class Org {
  readonly clock = new Clock();
  readonly ids = new IdFactory();
  readonly store = new RecordStore(this.ids);
  readonly access: AccessResolver;
  readonly sessions: SessionRegistry;
  readonly apiUsage: ApiUsage;
  readonly counters = new CallCounters();
  readonly faults = new FaultInjector();
  readonly settings: OrgSettings;
  readonly apps = new Map<string, ConnectedApp>();
  /**
   * Custom objects and fields in the order they were made, as their specs: a saved org is loaded
   * by making them again (formulas are compiled code, not data).
   */
  readonly schemaLog: CustomSchemaEntry[] = [];
  /** Validation rules, run on every save through the API. */
  readonly validationRules: CompiledRule[] = [];
  /** Users' passwords, by user id. Only the emulator ever holds these. */
  readonly passwords = new Map<string, string>();
  /** Extension state owned by API modules (query locators, bulk jobs, auth codes…). */
  readonly extensions = new Map<string, unknown>();
  urls: OrgUrls = { login: "", test: "", myDomain: "" };
  /** Where the Pub/Sub API is served for this org, when it is (set by startEmulator). */
  pubsubEndpoint?: { endpoint: string; port: number; tls: boolean; certificate?: string };
  /** When the org was created, and when its schema last changed (describe's Last-Modified). */
  createdAt: number;
  schemaChangedAt: number;
  myDomain: string;
  readonly organizationId: string;
  /** Object definitions of the data API and the Tooling API, by lower-cased name. */
  readonly toolingObjects = new Map<string, ObjectDef>();
  /** Change Data Capture: every write of a selected object becomes a change event on the bus. */
  readonly capture: ChangeCapture;

  constructor(options: OrgOptions = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.createdAt = this.clock.now();
    this.schemaChangedAt = this.createdAt - (this.createdAt % 1000);
    this.myDomain = options.myDomain ?? "forcelink-demo";
    for (const make of [...SETUP_OBJECTS, accountObject, contactObject, leadObject, opportunityObject, caseObject]) {
      this.store.define(make());
    }
    const pecm = platformEventChannelMemberObject();
    this.store.define(pecm);
    this.toolingObjects.set(pecm.name.toLowerCase(), pecm);
    linkChildRelationships(this.store.allTables().map((t) => t.def));

    const now = () => this.clock.now();
    this.access = new AccessResolver(this.store, now);
    this.apiUsage = new ApiUsage(now, options.dailyApiLimit ?? 100_000);
    const org = this.store.insert(
      "Organization",
      {
        Name: options.name ?? "Forcelink Demo Org",
        OrganizationType: options.edition ?? "Enterprise Edition",
        IsSandbox: options.isSandbox ?? false,
        InstanceName: "EMU1",
        LanguageLocaleKey: "en_US",
        TimeZoneSidKey: "America/Los_Angeles",
        NamespacePrefix: null,
      },
      { userId: "", now: this.clock.now() },
    );
    this.organizationId = org.Id;
    this.sessions = new SessionRegistry(org.Id.slice(0, 15), now, () => this.settings.sessionTimeoutSeconds);
    this.capture = new ChangeCapture(this);
    this.store.observer = this.capture;
  }

  get orgId15(): string {
    return this.organizationId.slice(0, 15);
  }

  organization(): StoredRecord {
    return this.store.tableOrThrow("Organization").get(this.organizationId)!;
  }

  get isSandbox(): boolean {
    return this.organization().IsSandbox === true;
  }

  /** The login host this org's users authenticate on: test.salesforce.com for sandboxes. */
  get loginUrl(): string {
    return this.isSandbox ? this.urls.test : this.urls.login;
  }

  identityUrl(userId: string): string {
    return `${this.loginUrl}/id/${this.organizationId}/${userId}`;
  }

  /** Data-API object definitions (Tooling objects excluded). */
  dataObjects(): ObjectDef[] {
    return this.store
      .allTables()
      .map((t) => t.def)
      .filter((d) => !d.tooling);
  }

  objectDef(name: string, api: "data" | "tooling" = "data"): ObjectDef | undefined {
    const def = this.store.table(name)?.def;
    if (!def) return undefined;
    return api === "tooling" ? (def.tooling ? def : undefined) : def.tooling ? undefined : def;
  }

  user(id: string): StoredRecord | undefined {
    return this.store.tableOrThrow("User").get(id);
  }

  userByUsername(username: string): StoredRecord | undefined {
    const wanted = username.toLowerCase();
    for (const u of this.store.tableOrThrow("User").live()) if (String(u.Username).toLowerCase() === wanted) return u;
    return undefined;
  }

  userAccess(userId: string): EffectiveAccess {
    return this.access.forUser(userId);
  }

  appByClientId(clientId: string): ConnectedApp | undefined {
    for (const app of this.apps.values()) if (app.clientId === clientId) return app;
    return undefined;
  }

  writeContext(userId: string): WriteContext {
    return { userId, now: this.clock.now() };
  }

  /** Extension state owned by one module, created on first use. */
  extension<T>(key: string, create: () => T): T {
    let value = this.extensions.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.extensions.set(key, value);
    }
    return value;
  }

  /** Writes the ConnectedApplication and SetupEntityAccess rows that mirror the apps' settings. */
  syncAppRecords(adminId: string): void {
    const ctx = this.writeContext(adminId);
    const appTable = this.store.tableOrThrow("ConnectedApplication");
    const seaTable = this.store.tableOrThrow("SetupEntityAccess");
    for (const r of [...seaTable.all()]) {
      if (r.SetupEntityType === "ConnectedApplication") this.store.hardDelete("SetupEntityAccess", r.Id);
    }
    for (const app of this.apps.values()) {
      const values = connectedApplicationRecord(app);
      const installedRecord = appTable.get(app.id);
      if (!app.installed) {
        if (installedRecord) this.store.hardDelete("ConnectedApplication", app.id);
        continue;
      }
      if (installedRecord) this.store.update("ConnectedApplication", app.id, values, ctx);
      else this.store.insert("ConnectedApplication", values, ctx, app.id);
      for (const parentId of app.preauthorizedPermissionSetIds) {
        this.store.insert(
          "SetupEntityAccess",
          { ParentId: parentId, SetupEntityId: app.id, SetupEntityType: "ConnectedApplication" },
          ctx,
        );
      }
    }
  }
}

/** Salesforce's names for child relationships, where they are not simply the plural of the child. */
const CHILD_RELATIONSHIP_NAMES: Record<string, string> = {
  "PermissionSetAssignment.PermissionSetId": "Assignments",
  "PermissionSetAssignment.AssigneeId": "PermissionSetAssignments",
  "ObjectPermissions.ParentId": "ObjectPerms",
  "FieldPermissions.ParentId": "FieldPerms",
  "SetupEntityAccess.ParentId": "SetupEntityAccessItems",
  "Account.ParentId": "ChildAccounts",
  "User.ProfileId": "Users",
  "Contact.AccountId": "Contacts",
  "Opportunity.AccountId": "Opportunities",
  "Case.AccountId": "Cases",
  "Case.ContactId": "Cases",
};

/** Fills each parent object's childRelationships from the reference fields pointing at it. */
function linkChildRelationships(defs: ObjectDef[]): void {
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const child of defs) {
    for (const f of child.fields) {
      if (f.type !== "reference" || f.referenceTo.length !== 1) continue;
      if (f.name === "CreatedById" || f.name === "LastModifiedById" || f.name === "OwnerId") continue;
      const parent = byName.get(f.referenceTo[0]);
      if (!parent) continue;
      const relationshipName = CHILD_RELATIONSHIP_NAMES[`${child.name}.${f.name}`] ?? `${child.name}s`;
      if (parent.childRelationships.some((c) => c.relationshipName === relationshipName)) continue;
      parent.childRelationships.push({
        childSObject: child.name,
        field: f.name,
        relationshipName,
        cascadeDelete: false,
      });
    }
  }
}
