// The SOQL engine's public surface: REST, Tooling and Bulk 2.0 query all go through executeSoql.
export { executeSoql } from "./execute.ts";
export { type Locator, LocatorStore, queryLocators } from "./locators.ts";
export { batchSizeOf, DEFAULT_BATCH_SIZE, firstPage, nextPage, type QueryPage } from "./query-pages.ts";
export type { SoqlOptions, SoqlResult } from "./types.ts";
