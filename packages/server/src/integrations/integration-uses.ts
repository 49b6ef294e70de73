import type { Platform } from "../platform/platform.ts";
import { scheduleInstallation } from "./installation-schedule.ts";
import { type IntegrationRow, installationsOfIntegration, saveIntegration } from "./integration-store.ts";
import { parseManifest } from "./manifest/manifest.ts";
import type { ManifestError } from "./manifest/manifest-errors.ts";

export type ManifestUpload =
  | { ok: false; errors: ManifestError[] }
  | { ok: true; row: IntegrationRow; created: boolean; newSecrets: Record<string, string> };

/**
 * Parses and saves a manifest (YAML text or JSON). A changed manifest applies at once to every
 * connection it is installed on: new crons, new objects.
 */
export async function uploadManifest(platform: Platform, projectId: string, input: unknown): Promise<ManifestUpload> {
  const parsed = parseManifest(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const saved = await saveIntegration(platform, projectId, parsed.manifest);
  if (!saved.created)
    for (const inst of await installationsOfIntegration(platform, saved.row.id))
      await scheduleInstallation(platform, inst.id);
  return { ok: true, ...saved };
}
