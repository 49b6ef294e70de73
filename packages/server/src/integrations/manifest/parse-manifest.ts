import { type ManifestError, type PlacedProblem, placeIssues, toManifestError } from "./manifest-errors.ts";
import { manifestInputSchema } from "./manifest-input-schema.ts";
import { problem } from "./manifest-messages.ts";
import { referenceProblems } from "./manifest-references.ts";
import { MAX_MANIFEST_BYTES } from "./manifest-rules.ts";
import type { Manifest } from "./manifest-schema.ts";
import { type Locate, readYaml } from "./yaml-source.ts";

export type ManifestParseResult = { ok: true; manifest: Manifest } | { ok: false; errors: ManifestError[] };

const DOCUMENT_EXPECTED = "a YAML or JSON document with name, destinations and objects";

/**
 * Reads a manifest: YAML or JSON text (a string, or its UTF-8 bytes), or a JSON value already
 * parsed. Answers the normalised manifest, or every problem found, each pointing at its line and
 * column when the manifest was text. Never throws.
 */
export function parseManifest(input: string | unknown): ManifestParseResult {
  try {
    if (input instanceof Uint8Array) {
      if (input.byteLength > MAX_MANIFEST_BYTES) return tooLarge(input.byteLength, true);
      return parseText(new TextDecoder().decode(input));
    }
    if (typeof input === "string") return parseText(input);
    let json: string | undefined;
    try {
      json = JSON.stringify(input);
    } catch {
      return whole(problem("the value cannot be written as JSON", "plain JSON data"), false);
    }
    const size = json === undefined ? 0 : Buffer.byteLength(json);
    if (size > MAX_MANIFEST_BYTES) return tooLarge(size, false);
    return check(input);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return whole(problem(`could not be read (${reason})`, DOCUMENT_EXPECTED), typeof input === "string");
  }
}

function parseText(text: string): ManifestParseResult {
  const size = Buffer.byteLength(text);
  if (size > MAX_MANIFEST_BYTES) return tooLarge(size, true);
  const reading = readYaml(text);
  if (!reading.ok)
    return {
      ok: false,
      errors: reading.errors.map(({ line, column, message }) => ({
        path: "",
        line,
        column,
        message: `manifest: ${problem(`not valid YAML at line ${line}, column ${column}: ${message}`, DOCUMENT_EXPECTED)}`,
        expected: DOCUMENT_EXPECTED,
      })),
    };
  return check(reading.data, reading.locate);
}

function check(document: unknown, locate?: Locate): ManifestParseResult {
  const result = manifestInputSchema.safeParse(document);
  const problems: PlacedProblem[] = result.success ? [] : placeIssues(result.error.issues, document);
  problems.push(...referenceProblems(document));
  if (result.success && problems.length === 0) return { ok: true, manifest: result.data };
  const errors = problems.map((p) => toManifestError(p, locate?.(p.path, p.at)));
  if (locate) errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, errors };
}

function tooLarge(bytes: number, text: boolean): ManifestParseResult {
  const kib = (bytes / 1024).toFixed(1);
  return whole(problem(`the document is ${kib} KiB`, `at most ${MAX_MANIFEST_BYTES / 1024} KiB`), text);
}

/** A problem with the document as a whole; text has a line 1, column 1 to point at. */
function whole(message: string, text: boolean): ManifestParseResult {
  return {
    ok: false,
    errors: [toManifestError({ path: [], message, at: "value" }, text ? { line: 1, column: 1 } : undefined)],
  };
}
