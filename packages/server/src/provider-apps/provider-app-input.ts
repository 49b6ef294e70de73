import { z } from "zod";
import { PROVIDER_APP_KINDS } from "./provider-app-rules.ts";
import { requirementsSchema } from "./requirements.ts";

/**
 * The shapes a builder sends. Lengths are generous for real Salesforce values (consumer keys are
 * about 85 characters, secrets 19 digits or 64 hex characters) and refuse what is clearly a paste
 * gone wrong. Pasted values are trimmed; whitespace inside is refused.
 */
const credential = (label: string) =>
  z
    .string()
    .trim()
    .min(8)
    .max(256)
    .regex(/^\S+$/, `${label} must not contain spaces or line breaks: copy it again from Salesforce`);

export const clientSecretInput = credential("the consumer secret");

const jwtInput = z
  .object({
    username: z
      .string()
      .trim()
      .min(3)
      .max(80)
      .regex(/^[^\s@]+@[^\s@]+$/, "must be the Salesforce username to sign in as, which looks like an email address"),
    privateKey: z.string().min(1).max(16_384),
  })
  .strict();

const fields = {
  name: z.string().trim().min(1).max(100),
  kind: z.enum(PROVIDER_APP_KINDS),
  clientId: credential("the consumer key"),
  clientSecret: clientSecretInput,
  scopes: z.array(z.string().trim().min(1).max(100)).max(50),
  pkce: z.boolean(),
  clientCredentials: z.object({ enabled: z.boolean() }).strict(),
  jwt: jwtInput.nullable(),
  requirements: requirementsSchema.nullable(),
};

export const createProviderAppInput = z
  .object({
    name: fields.name,
    kind: fields.kind,
    clientId: fields.clientId,
    clientSecret: fields.clientSecret,
    scopes: fields.scopes.optional(),
    pkce: fields.pkce.optional(),
    clientCredentials: fields.clientCredentials.optional(),
    jwt: fields.jwt.optional(),
    requirements: fields.requirements.optional(),
  })
  .strict();

/** Every field optional; `jwt: null` and `requirements: null` remove them. */
export const updateProviderAppInput = z
  .object({
    name: fields.name.optional(),
    kind: fields.kind.optional(),
    clientId: fields.clientId.optional(),
    clientSecret: fields.clientSecret.optional(),
    scopes: fields.scopes.optional(),
    pkce: fields.pkce.optional(),
    clientCredentials: fields.clientCredentials.optional(),
    jwt: fields.jwt.optional(),
    requirements: fields.requirements.optional(),
  })
  .strict();

export const rotateSecretInput = z.object({ clientSecret: clientSecretInput }).strict();

export type CreateProviderAppInput = z.infer<typeof createProviderAppInput>;
export type UpdateProviderAppInput = z.infer<typeof updateProviderAppInput>;
