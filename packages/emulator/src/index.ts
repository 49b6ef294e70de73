export { startEmulator, type EmulatorOptions, type RunningEmulator } from "./emulator.ts";
export { Org, type OrgUrls } from "./org/org.ts";
export { OrgAdmin } from "./org/admin.ts";
export { createBaseOrg } from "./seed/base-org.ts";
export { buildOrg, readSeedFile } from "./seed/build-org.ts";
export { DEMO, DEMO_SEED } from "./seed/demo-seed.ts";
export { generateRecords } from "./seed/generator.ts";
export type { SeedSpec } from "./control/specs.ts";
export { SpecError } from "./control/specs.ts";
