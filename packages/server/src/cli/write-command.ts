import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { type CommandInput, EXIT } from "./command-line.ts";

/**
 * `forcelink write CONNECTION OBJECT FILE --operation OP`: the records of a CSV or NDJSON file
 * written into the connection's org in this process, through the same intake and executor as
 * `POST /v1/connections/{id}/writes`, with a progress bar on a terminal, a summary, and the rows
 * that failed (or whose outcome is unknown) in FILE.failed.csv beside the input. The arguments
 * are checked here, before anything heavy is loaded; the work is in write-file.ts.
 */

export const WRITE_FORMATS = ["csv", "ndjson"] as const;
type Format = (typeof WRITE_FORMATS)[number];

const EXTENSIONS: Record<string, Format> = { ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson" };

export interface WriteFileRequest {
  connectionId: string;
  object: string;
  file: string;
  format: Format;
  operation: string;
  externalIdField?: string;
  allOrNone: boolean;
  json: boolean;
}

export async function writeCommand(input: CommandInput): Promise<number> {
  const [connectionId, object, file] = input.positionals;
  const operation = input.string("operation");
  if (!operation) return usage("Name the operation: --operation insert, update, upsert or delete.");
  const format = (input.string("format") as Format | undefined) ?? EXTENSIONS[extname(file).toLowerCase()];
  if (!format)
    return usage(`Cannot tell the format of '${file}': name it .csv or .ndjson, or give --format csv or ndjson.`);
  const unreadable = await fileProblem(file);
  if (unreadable) return usage(unreadable);
  const externalIdField = input.string("external-id");
  return (await import("./write-file.ts")).writeFile({
    connectionId,
    object,
    file,
    format,
    operation,
    ...(externalIdField ? { externalIdField } : {}),
    allOrNone: input.flag("all-or-none"),
    json: input.flag("json"),
  });
}

function usage(problem: string): number {
  process.stderr.write(`forcelink write: ${problem} See 'forcelink write --help'.\n`);
  return EXIT.usage;
}

async function fileProblem(file: string): Promise<string | undefined> {
  try {
    const found = await stat(file);
    return found.isFile() ? undefined : `'${file}' is not a file.`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `No file '${file}'.` : `Cannot read '${file}' (${code ?? String(error)}).`;
  }
}
