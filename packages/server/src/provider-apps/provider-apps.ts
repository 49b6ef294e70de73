import { timingSafeEqual } from "node:crypto";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import type { CreateProviderAppInput, UpdateProviderAppInput } from "./provider-app-input.ts";
import type { ProviderAppProblem } from "./provider-app-problem.ts";
import { checkProviderAppSettings, type ProviderAppKind } from "./provider-app-rules.ts";
import {
  changeProviderApp,
  insertProviderApp,
  type NewProviderAppRow,
  openProviderAppSecrets,
  type ProviderAppRow,
} from "./provider-app-store.ts";
import type { Requirements } from "./requirements.ts";
import { DEFAULT_SCOPES } from "./scopes.ts";

export type ProviderAppOutcome =
  | { status: "ok"; app: ProviderAppRow }
  | { status: "invalid"; problems: ProviderAppProblem[] }
  | { status: "not_found" };

type Deps = Pick<Platform, "db" | "sealer" | "clock">;

/** Registers a provider app after every rule passed; secrets are sealed before they reach the store. */
export async function createProviderApp(
  platform: Deps,
  projectId: string,
  input: CreateProviderAppInput,
): Promise<ProviderAppOutcome> {
  const pkce = input.pkce ?? true;
  const verdict = checkProviderAppSettings({
    kind: input.kind,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    scopes: input.scopes ?? DEFAULT_SCOPES,
    pkce,
    jwt: input.jwt ?? null,
    requirements: input.requirements ?? null,
  });
  if (!verdict.ok) return { status: "invalid", problems: verdict.problems };
  const { scopes, requirements, jwt } = verdict.settings;
  const app = await insertProviderApp(platform.db, {
    id: newId("app"),
    projectId,
    name: input.name,
    kind: input.kind,
    clientId: input.clientId,
    clientSecretSealed: platform.sealer.seal(input.clientSecret),
    scopes,
    pkce,
    clientCredentialsEnabled: input.clientCredentials?.enabled ?? false,
    ...jwtColumns(platform, jwt ?? null),
    requirements,
  });
  return { status: "ok", app };
}

/** Applies a partial change, then checks the app as it would be, exactly as on create. */
export async function updateProviderApp(
  platform: Deps,
  projectId: string,
  id: string,
  patch: UpdateProviderAppInput,
): Promise<ProviderAppOutcome> {
  const outcome = await changeProviderApp(
    platform,
    projectId,
    id,
    async (current, save): Promise<ProviderAppOutcome> => {
      const kind = patch.kind ?? (current.kind as ProviderAppKind);
      const clientId = patch.clientId ?? current.clientId;
      const pkce = patch.pkce ?? current.pkce;
      const verdict = checkProviderAppSettings({
        kind,
        clientId,
        clientSecret: patch.clientSecret,
        scopes: patch.scopes ?? current.scopes,
        pkce,
        jwt: patch.jwt,
        requirements:
          patch.requirements === undefined ? (current.requirements as Requirements | null) : patch.requirements,
      });
      const problems = verdict.ok ? [] : [...verdict.problems];
      if (clientId !== current.clientId && patch.clientSecret === undefined) {
        problems.push({
          field: "clientSecret",
          code: "client_secret_required",
          message: "clientId changes but clientSecret does not: the stored secret belongs to the old consumer key.",
          remedy: "Send the new app's Consumer Secret (Manage Consumer Details in Salesforce) with its clientId.",
        });
      }
      if (!verdict.ok || problems.length > 0) return { status: "invalid", problems };
      const { scopes, requirements, jwt } = verdict.settings;
      const values: Partial<NewProviderAppRow> = { kind, clientId, scopes, pkce, requirements };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.clientSecret !== undefined) values.clientSecretSealed = platform.sealer.seal(patch.clientSecret);
      if (patch.clientCredentials !== undefined) values.clientCredentialsEnabled = patch.clientCredentials.enabled;
      if (jwt !== undefined) Object.assign(values, jwtColumns(platform, jwt));
      return { status: "ok", app: await save(values) };
    },
  );
  return outcome ?? { status: "not_found" };
}

/**
 * Stores the secret the builder regenerated in Salesforce. Sending the secret already stored is
 * refused: it almost always means the old value was copied, and connections would keep failing.
 */
export async function rotateProviderAppSecret(
  platform: Deps,
  projectId: string,
  id: string,
  clientSecret: string,
): Promise<ProviderAppOutcome> {
  const outcome = await changeProviderApp(
    platform,
    projectId,
    id,
    async (current, save): Promise<ProviderAppOutcome> => {
      const problems: ProviderAppProblem[] = [];
      if (clientSecret === current.clientId) {
        problems.push({
          field: "clientSecret",
          code: "client_secret_is_client_id",
          message: "clientSecret is the app's consumer key, not its secret.",
          remedy:
            "In Salesforce, open the app's consumer details (Manage Consumer Details) and copy the Consumer Secret.",
        });
      } else if (sameText(clientSecret, (await openProviderAppSecrets(platform, current)).clientSecret)) {
        problems.push({
          field: "clientSecret",
          code: "client_secret_unchanged",
          message: "clientSecret is the secret already stored for this app: nothing would change.",
          remedy: "Regenerate the consumer secret in Salesforce (the app's consumer details), then send the new value.",
        });
      }
      if (problems.length > 0) return { status: "invalid", problems };
      return { status: "ok", app: await save({ clientSecretSealed: platform.sealer.seal(clientSecret) }) };
    },
  );
  return outcome ?? { status: "not_found" };
}

function jwtColumns(
  platform: Pick<Platform, "sealer">,
  jwt: { username: string; privateKeyPem: string; keyFingerprint: string } | null,
): Pick<NewProviderAppRow, "jwtUsername" | "jwtPrivateKeySealed" | "jwtKeyFingerprint"> {
  if (!jwt) return { jwtUsername: null, jwtPrivateKeySealed: null, jwtKeyFingerprint: null };
  return {
    jwtUsername: jwt.username,
    jwtPrivateKeySealed: platform.sealer.seal(jwt.privateKeyPem),
    jwtKeyFingerprint: jwt.keyFingerprint,
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
