export type { SeedSpec } from "./control/specs.ts";
export { SpecError } from "./control/specs.ts";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./emulator.ts";
export { OrgAdmin } from "./org/admin.ts";
export { Org, type OrgUrls } from "./org/org.ts";
export { createBaseOrg } from "./seed/base-org.ts";
export { buildOrg, readSeedFile } from "./seed/build-org.ts";
export { DEMO, DEMO_SEED } from "./seed/demo-seed.ts";
export { generateRecords } from "./seed/generator.ts";
