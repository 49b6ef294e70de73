import { type CommandSpec, EXIT } from "./command-line.ts";

const EMBEDDED =
  "While a server runs on the data directory (or with FORCELINK_URL and FORCELINK_API_KEY), it goes through that server's API; otherwise it opens the store.";
const project = { type: "string", value: "ID", help: "the project (needed when there is more than one)" } as const;
const json = { type: "boolean", help: "print JSON instead of a table" } as const;
const connectionId = { name: "CONNECTION_ID", help: "a connection's id (see 'forcelink connections list')" };
const port = (help: string) => ({ type: "string", value: "N", help, integer: { min: 0, max: 65535 } }) as const;

/**
 * Every command of the forcelink command line: its arguments and options, from which both its
 * parsing and its help are made. Each command's code is loaded only when it runs.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "serve",
    summary: "run Forcelink: the HTTP API, connect pages and job workers",
    description:
      "Runs Forcelink: the HTTP API, the connect pages and the job workers, configured from the environment (FORCELINK_*). Stops on Ctrl+C or SIGTERM.",
    args: [],
    options: {
      port: port("port to listen on (default FORCELINK_PORT, else 4000)"),
      host: { type: "string", value: "HOST", help: "address to listen on (default FORCELINK_HOST, else 127.0.0.1)" },
    },
    exitCodes: { [EXIT.failed]: "could not start (the port is in use)" },
    run: async (input) => (await import("./serve-command.ts")).serveCommand(input),
  },
  {
    name: "start",
    summary: "the demo (npm start): the emulator, Forcelink pointed at it, and a connect link",
    description:
      "The demo: a local Salesforce org (the emulator) and Forcelink pointed at it, with the demo app registered and a connect link printed. The emulator's org is kept in FORCELINK_DATA_DIR/emulator, so a restart keeps the demo connection. Stops on Ctrl+C or SIGTERM.",
    args: [],
    options: {
      port: port("Forcelink's port (default FORCELINK_PORT, else 4000)"),
      "emulator-port": port("the emulator's first port; it takes three in a row (default 4010)"),
      fresh: {
        type: "boolean",
        help: "start a new emulator org, discarding the one kept in FORCELINK_DATA_DIR/emulator",
      },
    },
    exitCodes: { [EXIT.failed]: "could not start (a port is in use)" },
    run: async (input) => (await import("./start-command.ts")).startCommand(input),
  },
  {
    name: "keys create",
    summary: "make a project API key, printed once",
    description: `Makes a project API key and prints it once (a project is made when there is none). ${EMBEDDED}`,
    args: [],
    options: {
      name: { type: "string", value: "NAME", help: "a name to recognise the key by (default 'cli key')" },
      project: { type: "string", value: "ID", help: "the project the key opens" },
      "new-project": { type: "string", value: "NAME", help: "make a new project of this name, and a key for it" },
    },
    run: async (input) => (await import("./keys-command.ts")).keysCreateCommand(input),
  },
  {
    name: "keys rotate-secret",
    summary: "re-seal every stored secret with a new key",
    description:
      "Re-seals every stored secret and token. Embedded storage (server stopped): makes a new key, re-seals with it and replaces secret.key. PostgreSQL: run it after every process got the new FORCELINK_SECRET_KEY with the old one in FORCELINK_PREVIOUS_SECRET_KEYS.",
    args: [],
    options: {},
    run: async () => (await import("./rotate-secret-command.ts")).rotateSecretCommand(),
  },
  {
    name: "connections list",
    summary: "list connections and their status",
    description: `Lists connections: end user, status, environment, org, user, last refresh and the reason of a failure. ${EMBEDDED}`,
    args: [],
    options: {
      project: { type: "string", value: "ID", help: "only this project's connections" },
      "end-user": { type: "string", value: "ID", help: "only this end user's connections" },
      status: {
        type: "string",
        value: "STATUS",
        help: "only connections in this status",
        choices: ["active", "needs_reauth", "error"],
      },
      json,
    },
    run: async (input) => (await import("./connections-command.ts")).connectionsListCommand(input),
  },
  {
    name: "doctor",
    summary: "run the pre-install checklist against a connection's org",
    description: `Runs the pre-install checklist against the connection's org and stores the run. ${EMBEDDED}`,
    args: [connectionId],
    options: { json: { type: "boolean", help: "print the run as JSON, as the API returns it" } },
    exitCodes: {
      [EXIT.ok]: "every check passed (warnings and unknowns do not fail a run)",
      [EXIT.failed]: "a check failed",
      [EXIT.usage]: "usage error, or no such connection",
      [EXIT.unreachable]:
        "the org could not be read: Salesforce could not be reached, or the connection needs the customer",
    },
    run: async (input) => (await import("./doctor-command.ts")).doctorCommand(input),
  },
  {
    name: "integrations upload",
    summary: "check an integration manifest (YAML or JSON) and save it",
    description: `Checks an integration manifest (YAML or JSON) and saves it in the project; a manifest of the same name is replaced. ${EMBEDDED}`,
    args: [{ name: "FILE", help: "the manifest" }],
    options: { project },
    exitCodes: { [EXIT.failed]: "the manifest has problems (each printed with its line and column)" },
    run: async (input) => (await import("./integrations-command.ts")).integrationsUploadCommand(input),
  },
  {
    name: "integrations check",
    summary: "only check a manifest: every problem with its line and column",
    args: [{ name: "FILE", help: "the manifest (YAML or JSON)" }],
    options: {},
    exitCodes: { [EXIT.failed]: "the manifest has problems (each printed with its line and column)" },
    run: async (input) => (await import("./integrations-command.ts")).integrationsCheckCommand(input),
  },
  {
    name: "integrations list",
    summary: "list a project's integrations",
    description: `Lists a project's integrations. ${EMBEDDED}`,
    args: [],
    options: { project, json },
    run: async (input) => (await import("./integrations-command.ts")).integrationsListCommand(input),
  },
  {
    name: "integrations install",
    summary: "install an integration on a connection (its syncs follow their crons)",
    description: `Installs an integration of the connection's project on the connection; its syncs then follow their crons. ${EMBEDDED}`,
    args: [connectionId, { name: "NAME", help: "the integration's name, as in its manifest" }],
    options: {},
    run: async (input) => (await import("./integrations-command.ts")).integrationsInstallCommand(input),
  },
  {
    name: "worker",
    summary: "run the job workers only (syncs, webhook deliveries, daily checklist), no HTTP API",
    description:
      "Runs the job workers without the HTTP API: syncs, webhook deliveries and the daily checklist, so workers scale out on PostgreSQL apart from the API servers. Stops on Ctrl+C or SIGTERM.",
    args: [],
    options: {
      concurrency: {
        type: "string",
        value: "N",
        help: "sync runs at once in this process (default 2)",
        integer: { min: 1, max: 64 },
      },
    },
    run: async (input) => (await import("./worker-command.ts")).workerCommand(input),
  },
  {
    name: "sync",
    summary: "run one sync of an object of a connection now, with a progress bar",
    description: `Runs one sync of an object of a connection in this process, with a progress bar (records, rate, ETA). ${EMBEDDED}`,
    args: [connectionId, { name: "OBJECT", help: "the object, as an installed integration names it (Account)" }],
    options: { json: { type: "boolean", help: "print the run as JSON, as the API returns it" } },
    exitCodes: {
      [EXIT.failed]: "the run failed or paused",
      [EXIT.unreachable]: "Salesforce could not be reached, or the connection needs the customer",
    },
    run: async (input) => (await import("./sync-command.ts")).syncCommand(input),
  },
  {
    name: "write",
    summary: "write the records of a CSV or NDJSON file into a connection's org, with a progress bar",
    description: `Writes the records of a CSV file (a header of field API names; a parent by external id as a column Account.Ext_Id__c; #N/A for null) or an NDJSON file (one JSON object a line) into the connection's org, in this process, with a progress bar. Prints a summary, and writes the rows that failed, or whose outcome could not be known, to FILE.failed.csv beside the input, with error_code, error_message and error_fields columns. ${EMBEDDED}`,
    args: [
      connectionId,
      { name: "OBJECT", help: "the object's API name (Contact)" },
      { name: "FILE", help: "the records: FILE.csv or FILE.ndjson (or .jsonl)" },
    ],
    options: {
      operation: {
        type: "string",
        value: "OP",
        help: "what to do with each record (required)",
        choices: ["insert", "update", "upsert", "delete"],
      },
      "external-id": { type: "string", value: "FIELD", help: "for upsert: the external id field records match on" },
      "all-or-none": { type: "boolean", help: "write every record or none (at most 1,000 records)" },
      format: {
        type: "string",
        value: "FORMAT",
        help: "the file's format, when its name does not say",
        choices: ["csv", "ndjson"],
      },
      json: { type: "boolean", help: "print the write as JSON, as the API returns it" },
    },
    exitCodes: {
      [EXIT.ok]: "every record was written",
      [EXIT.failed]:
        "some records failed or have an unknown outcome (see FILE.failed.csv), or the write failed or paused",
      [EXIT.usage]:
        "usage error: a missing file, a bad option, no such connection, a bad row in the file, or a write the installed integration does not declare",
      [EXIT.unreachable]: "Salesforce could not be reached, or the connection needs the customer",
    },
    run: async (input) => (await import("./write-command.ts")).writeCommand(input),
  },
  {
    name: "subscribe",
    summary: "tail an object's change events (Change Data Capture) in the terminal, for debugging",
    description:
      "Subscribes to the object's change events over the Pub/Sub API as the connection's user and prints one line per event: commit time, change type, record ids and changed fields. When the object is not selected for Change Data Capture it is selected (a PlatformEventChannelMember on ChangeEvents) and released again on exit. Ctrl+C or SIGTERM stops it and prints the replay id to resume from. It opens the store itself (the connection's tokens never leave it): beside a server on embedded storage, stop the server first or use PostgreSQL.",
    args: [connectionId, { name: "OBJECT", help: "the object's API name (Account, Invoice__c)" }],
    options: {
      json: { type: "boolean", help: "print each event as one JSON object a line: replayId, header, payload" },
      replay: {
        type: "string",
        value: "FROM",
        help: "where to start: latest (default), earliest (the oldest event kept, 72 hours), or a replay id printed by an earlier run",
      },
      limit: { type: "string", value: "N", help: "stop after N events", integer: { min: 1, max: 1_000_000 } },
      "pubsub-endpoint": {
        type: "string",
        value: "HOST:PORT",
        help: "the Pub/Sub API (default FORCELINK_SALESFORCE_PUBSUB_ENDPOINT, else api.pubsub.salesforce.com:7443)",
      },
      "pubsub-ca": {
        type: "string",
        value: "FILE",
        help: "a PEM certificate authority to trust for it instead of the system's (default FORCELINK_SALESFORCE_PUBSUB_CA_FILE)",
      },
    },
    exitCodes: {
      [EXIT.ok]: "stopped by --limit, Ctrl+C or SIGTERM (the replay id to resume from is printed)",
      [EXIT.usage]:
        "usage error: no such connection or object, a malformed replay id, or one past the 72-hour retention",
      [EXIT.unreachable]:
        "Salesforce refused or could not be reached (a missing permission names the check that explains it)",
    },
    run: async (input) => (await import("./subscribe-command.ts")).subscribeCommand(input),
  },
  {
    name: "emulator",
    summary: "run a local Salesforce org (forcelink emulator --help)",
    args: [],
    options: {},
    // The emulator is a development tool the CLI launches, with its own options and help; the
    // platform code never imports it.
    passThrough: true,
    run: async (input) => (await import("@forcelink/emulator/cli")).runEmulatorCli(input.raw),
  },
];
