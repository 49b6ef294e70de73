import { esc } from "../connect/html.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../projects/api-keys.ts";
import { csrfField, notice, postButton, table, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, field, notFoundPage } from "./console-routes.ts";

async function keysPage(ctx: ConsoleContext, created?: { key: string; name: string }): Promise<string> {
  const keys = await listApiKeys(ctx.platform.db, ctx.projectId);
  const csrf = ctx.session.csrf;
  const shown = created
    ? notice(
        "ok",
        `<strong>Copy the key "${esc(created.name)}" now: it is shown once.</strong><input class="copy" readonly value="${esc(created.key)}" id="new-key" aria-label="New API key">`,
      )
    : "";
  const rows = keys.map((k) => [
    `<span class="key" data-key="${esc(k.id)}">${esc(k.name)}</span>`,
    `<code>${esc(k.prefix)}…</code>`,
    when(k.createdAt),
    when(k.lastUsedAt),
    k.revokedAt
      ? `revoked ${when(k.revokedAt)}`
      : k.id === ctx.session.apiKeyId
        ? `${postButton(`/keys/${k.id}/revoke`, "Revoke", csrf, { id: `revoke-${k.id}`, kind: "danger" })} <span class="muted">(this session's key: revoking it signs you out)</span>`
        : postButton(`/keys/${k.id}/revoke`, "Revoke", csrf, { id: `revoke-${k.id}`, kind: "danger" }),
  ]);
  return ctx.page(
    "/keys",
    "API keys",
    `<h1>API keys</h1>${shown}${table("keys", ["Name", "Key", "Created", "Last used", ""], rows, "No key.")}
    <h2>Create a key</h2><form class="stack" method="post" action="/keys" id="key-form">${csrfField(csrf)}
    <label for="key-name">Name</label><p class="hint">What the key is for, such as "production backend".</p>
    <input type="text" name="name" id="key-name" maxlength="100" required>
    <button type="submit" id="create-key">Create the key</button></form>`,
  );
}

/** `/keys`: the project's API keys; a new one is shown once, a revoked one stops at once (sessions too). */
export const apiKeysPage: ConsolePage = (router) => {
  router.get("/keys", async (ctx) => keysPage(ctx));

  router.post("/keys", async (ctx) => {
    const name = field(ctx.form, "name", "Name", 100);
    const created = await createApiKey(ctx.platform.db, ctx.projectId, name);
    return { status: 201, html: await keysPage(ctx, created) };
  });

  router.post("/keys/:id/revoke", async (ctx) => {
    if (!(await revokeApiKey(ctx.platform.db, ctx.projectId, ctx.params.id, ctx.platform.clock.now())))
      throw notFoundPage("API key", ctx.params.id);
    ctx.platform.verifier.forget();
    return { redirect: ctx.params.id === ctx.session.apiKeyId ? "/sign-in" : "/keys?done=key-revoked" };
  });
};
