#!/usr/bin/env node
import { isUserError } from "./serve-command.ts";

const USAGE = `Usage: forcelink <command> [options]

Commands:
  serve               run Forcelink: the HTTP API, connect pages and job workers
  keys create         make a project API key (embedded storage: while the server is stopped)
  keys rotate-secret  re-seal every stored secret with a new key
  connections list    list connections and their status
  doctor ID           run the pre-install checklist against a connection's org (exit 1 on a failing check)
  integrations        upload, check, list and install integration manifests (forcelink integrations --help)
  worker              run the job workers only (syncs, webhook deliveries, daily checklist), no HTTP API
  sync ID OBJECT      run one sync of an object of a connection now, with a progress bar
  emulator            run a local Salesforce org (forcelink emulator --help)
  start               the demo (npm start): the emulator, Forcelink pointed at it, and a connect link
`;

/** The forcelink command line: each command loads only what it needs. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return (await import("./serve-command.ts")).serveCommand(rest);
    case "connections":
      return (await import("./connections-command.ts")).connectionsCommand(rest);
    case "doctor":
      return (await import("./doctor-command.ts")).doctorCommand(rest);
    case "integrations":
      return (await import("./integrations-command.ts")).integrationsCommand(rest);
    case "worker":
      return (await import("./worker-command.ts")).workerCommand(rest);
    case "sync":
      return (await import("./sync-command.ts")).syncCommand(rest);
    case "keys":
      return (await import("./keys-command.ts")).keysCommand(rest);
    case "start":
      return (await import("./start-command.ts")).startCommand(rest);
    case "emulator": {
      // The emulator is a development tool the CLI launches; the platform code never imports it.
      const { runEmulatorCli } = await import("@forcelink/emulator/cli");
      return runEmulatorCli(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      if (isUserError(error) || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
        process.stderr.write(`forcelink: ${(error as Error).message}\n`);
        process.exit(2);
      }
      process.stderr.write(`forcelink: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
