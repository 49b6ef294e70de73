import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { currentDocument, SDK_TYPES_FILE, typesFromDocument } from "../scripts/node-sdk-types.ts";

describe("the Node SDK's API types", () => {
  it("are what the OpenAPI document generates today (run `npm run sdk:types` when this fails)", async () => {
    const generated = await typesFromDocument(await currentDocument());
    const committed = await readFile(SDK_TYPES_FILE, "utf8");
    expect(committed === generated, "packages/node/src/api-types.ts is stale: run `npm run sdk:types`").toBe(true);
  });

  it("would notice a route whose answer changed", async () => {
    const document = await currentDocument();
    const keys = (document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
      "/v1/api-keys"
    ].get.responses;
    keys["200"] = { description: "changed", content: { "application/json": { schema: { type: "string" } } } };
    expect(await typesFromDocument(document)).not.toBe(await readFile(SDK_TYPES_FILE, "utf8"));
  });
});
