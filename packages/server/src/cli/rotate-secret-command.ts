import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../config/config.ts";
import { resealEverything } from "../crypto/reseal.ts";
import { generateKey, Sealer } from "../crypto/sealing.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";

/**
 * `forcelink keys rotate-secret`: re-seals every stored secret.
 * - Embedded storage (server stopped): makes a new key, re-seals with it, and replaces the key file.
 * - PostgreSQL: run it after every process got the new FORCELINK_SECRET_KEY with the old one in
 *   FORCELINK_PREVIOUS_SECRET_KEYS; afterwards the previous keys can be dropped.
 */
export async function rotateSecretCommand(): Promise<number> {
  const config = parseConfig();
  const platform = await openPlatform(config, createLogger("silent"), { jobs: false });
  try {
    if (platform.database.kind === "postgres") {
      const result = await resealEverything(platform.db, platform.sealer);
      console.log(
        `Re-sealed ${result.values} values in ${result.rows} rows with the key in FORCELINK_SECRET_KEY (id ${platform.sealer.keyId}).`,
      );
      console.log("Every value is now sealed with it: remove FORCELINK_PREVIOUS_SECRET_KEYS from every process.");
      return 0;
    }
    if (platform.key.source !== "data-dir" && platform.key.source !== "generated") {
      console.log(
        "The key comes from FORCELINK_SECRET_KEY: set the new key there with the old one in FORCELINK_PREVIOUS_SECRET_KEYS, then run this again.",
      );
      const result = await resealEverything(platform.db, platform.sealer);
      console.log(`Re-sealed ${result.values} values in ${result.rows} rows with key ${platform.sealer.keyId}.`);
      return 0;
    }
    const newKey = generateKey();
    const sealer = new Sealer(newKey, [platform.key.key]);
    const result = await resealEverything(platform.db, sealer);
    const path = join(config.dataDir, "secret.key");
    // Write beside, then rename: the key file is never half-written.
    writeFileSync(`${path}.new`, `${newKey.toString("base64")}\n`, { mode: 0o600 });
    renameSync(`${path}.new`, path);
    console.log(
      `Re-sealed ${result.values} values in ${result.rows} rows with a new key (id ${sealer.keyId}), saved in ${path}.`,
    );
    return 0;
  } finally {
    await platform.close();
  }
}
