import { eq } from "drizzle-orm";
import { type ConnectionChecklistRun, runConnectionChecklist } from "../checklist/connection-checklist.ts";
import type { Verdict } from "../checklist/evaluate.ts";
import { VERDICT_WORDS, verdictCounts } from "../checklist/verdict-words.ts";
import { parseConfig } from "../config/config.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { connections } from "../store/schema.ts";
import { type CommandInput, EXIT } from "./command-line.ts";
import { reachableServer } from "./local-server.ts";

const COLOURS: Record<Verdict, string> = { pass: "32", fail: "31", warn: "33", unknown: "90" };

/**
 * `forcelink doctor CONNECTION_ID`: runs the pre-install checklist against the connection's org and
 * stores the run: through the API of a server running on the data directory (or FORCELINK_URL), else
 * in the store. Exits 1 when a check fails, 2 for
 * an unknown connection; a Salesforce failure that keeps the org from being read is thrown, and
 * the command line explains it (exit 3).
 */
export async function doctorCommand(input: CommandInput): Promise<number> {
  const server = reachableServer();
  if (server) return (await import("./through-api.ts")).doctorThroughApi(server, input);
  const [connectionId] = input.positionals;
  const platform = await openPlatform(parseConfig(), createLogger("silent"), { jobs: false });
  try {
    const [row] = await platform.db.select().from(connections).where(eq(connections.id, connectionId));
    if (!row) {
      process.stderr.write(`No connection with id '${connectionId}'. List them with 'forcelink connections list'.\n`);
      return EXIT.usage;
    }
    const run: ConnectionChecklistRun = await runConnectionChecklist(platform, row);
    if (input.flag("json")) console.log(JSON.stringify(run, null, 2));
    else console.log(renderRun(run, useColour()));
    return run.passed ? EXIT.ok : EXIT.failed;
  } finally {
    await platform.close();
  }
}

function useColour(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** The run as a table of verdicts, then the remedy steps of every failing check. */
export function renderRun(run: ConnectionChecklistRun, colour: boolean): string {
  const paint = (verdict: Verdict, text: string) => (colour ? `\x1b[${COLOURS[verdict]}m${text}\x1b[0m` : text);
  const idWidth = Math.max("CHECK".length, ...run.checks.map((c) => c.id.length));
  const word = (verdict: Verdict) => VERDICT_WORDS[verdict].toUpperCase();
  const verdictWidth = Math.max(...Object.values(VERDICT_WORDS).map((w) => w.length));
  const lines = [
    `Checklist for ${run.connectionId} (${run.ranAt}, ${run.apiCalls.api} API calls)`,
    "",
    `${"VERDICT".padEnd(verdictWidth)}  ${"CHECK".padEnd(idWidth)}  TITLE`,
  ];
  for (const c of run.checks)
    lines.push(`${paint(c.verdict, word(c.verdict).padEnd(verdictWidth))}  ${c.id.padEnd(idWidth)}  ${c.title}`);
  lines.push("", `${verdictCounts(run.summary)} (run ${run.id})`);
  for (const c of run.checks.filter((check) => check.verdict === "fail")) {
    lines.push("", `${paint("fail", word("fail"))} ${c.id}: ${c.title}`);
    if (c.reason) lines.push(`  ${c.reason}`);
    (c.remedy ?? []).forEach((step, i) => {
      lines.push(`  ${i + 1}. ${step}`);
    });
  }
  return lines.join("\n");
}
