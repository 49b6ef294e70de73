import { and, asc, eq } from "drizzle-orm";
import type { Platform } from "../platform/platform.ts";
import type { Db } from "../store/database.ts";
import { providerApps } from "../store/schema.ts";

/** A provider app as stored: secrets only in their sealed form. */
export type ProviderAppRow = typeof providerApps.$inferSelect;
export type NewProviderAppRow = typeof providerApps.$inferInsert;

export interface ProviderAppSecrets {
  clientSecret: string;
  /** PEM, when the app signs JWT bearer assertions. */
  jwtPrivateKey?: string;
}

/** The app with this id in this project, or null (another project's app is as good as absent). */
export async function getProviderApp(
  platform: Pick<Platform, "db">,
  projectId: string,
  id: string,
): Promise<ProviderAppRow | null> {
  const [row] = await platform.db
    .select()
    .from(providerApps)
    .where(and(eq(providerApps.projectId, projectId), eq(providerApps.id, id)));
  return row ?? null;
}

/** The same lookup under the name the connect flow uses. */
export const getProviderAppForProject = getProviderApp;

/**
 * The app by id alone, for background work that starts from a connection (token refreshes): the
 * connection row already proved which project it belongs to. Request handlers use getProviderApp.
 */
export async function getProviderAppById(platform: Pick<Platform, "db">, id: string): Promise<ProviderAppRow | null> {
  const [row] = await platform.db.select().from(providerApps).where(eq(providerApps.id, id));
  return row ?? null;
}

/**
 * Opens what the connect flow and token refreshes need. Keep the result in memory only. Async so
 * that a key held elsewhere (a KMS) can be added without changing callers.
 */
export async function openProviderAppSecrets(
  platform: Pick<Platform, "sealer">,
  app: Pick<ProviderAppRow, "clientSecretSealed" | "jwtPrivateKeySealed">,
): Promise<ProviderAppSecrets> {
  const clientSecret = platform.sealer.open(app.clientSecretSealed);
  return app.jwtPrivateKeySealed
    ? { clientSecret, jwtPrivateKey: platform.sealer.open(app.jwtPrivateKeySealed) }
    : { clientSecret };
}

export async function listProviderApps(platform: Pick<Platform, "db">, projectId: string): Promise<ProviderAppRow[]> {
  return platform.db
    .select()
    .from(providerApps)
    .where(eq(providerApps.projectId, projectId))
    .orderBy(asc(providerApps.createdAt), asc(providerApps.id));
}

export async function insertProviderApp(db: Db, row: NewProviderAppRow): Promise<ProviderAppRow> {
  const [created] = await db.insert(providerApps).values(row).returning();
  return created;
}

/** Reads an app and holds it against concurrent changes until `change` returns. */
export async function changeProviderApp<T>(
  { db, clock }: Pick<Platform, "db" | "clock">,
  projectId: string,
  id: string,
  change: (
    current: ProviderAppRow,
    save: (values: Partial<NewProviderAppRow>) => Promise<ProviderAppRow>,
  ) => Promise<T>,
): Promise<T | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(providerApps)
      .where(and(eq(providerApps.projectId, projectId), eq(providerApps.id, id)))
      .for("update");
    if (!current) return null;
    return change(current, async (values) => {
      const [saved] = await tx
        .update(providerApps)
        .set({ ...values, updatedAt: clock.now() })
        .where(and(eq(providerApps.projectId, projectId), eq(providerApps.id, id)))
        .returning();
      return saved;
    });
  });
}

export async function deleteProviderApp(
  platform: Pick<Platform, "db">,
  projectId: string,
  id: string,
): Promise<boolean> {
  const rows = await platform.db
    .delete(providerApps)
    .where(and(eq(providerApps.projectId, projectId), eq(providerApps.id, id)))
    .returning({ id: providerApps.id });
  return rows.length > 0;
}
