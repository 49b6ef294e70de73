import type { z } from "zod";
import { esc } from "../connect/html.ts";
import { HttpError } from "../http/http-error.ts";
import { createProviderAppInput, rotateSecretInput } from "../provider-apps/provider-app-input.ts";
import type { ProviderAppKind } from "../provider-apps/provider-app-rules.ts";
import { getProviderApp, listProviderApps, type ProviderAppRow } from "../provider-apps/provider-app-store.ts";
import { createProviderApp, type ProviderAppOutcome, rotateProviderAppSecret } from "../provider-apps/provider-apps.ts";
import { providerAppCallbackUrl, setupSteps } from "../provider-apps/setup-guide.ts";
import { csrfField, notice, table, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, notFoundPage } from "./console-routes.ts";

const KIND_WORDS: Record<ProviderAppKind, string> = {
  external_client_app: "External Client App (Setup → External Client App Manager)",
  connected_app: "Connected App (Setup → App Manager)",
};

function callbackBlock(url: string): string {
  return `<label for="callback-url"><strong>Callback URL</strong> <span class="muted">(copy it into the app's OAuth settings in Salesforce)</span></label>
    <input class="copy" readonly value="${esc(url)}" id="callback-url">`;
}

/** Form input the use case's own schema refuses: a 400 naming each field and what is wrong. */
function refused(issues: z.core.$ZodIssue[] | { field: string; message: string; remedy?: string }[]): HttpError {
  const problems = issues.map((i) =>
    "path" in i ? `${i.path.join(".") || "form"}: ${i.message}` : `${i.field}: ${i.message}`,
  );
  const remedies = issues.flatMap((i) => ("remedy" in i && i.remedy ? [i.remedy] : []));
  return new HttpError(400, "invalid_provider_app", problems.join(" "), {
    remedy: remedies.join(" ") || "Correct the fields named and send the form again.",
  });
}

function settled(outcome: ProviderAppOutcome, id: string): ProviderAppRow {
  if (outcome.status === "ok") return outcome.app;
  if (outcome.status === "not_found") throw notFoundPage("provider app", id);
  throw refused(outcome.problems);
}

function setupFor(ctx: ConsoleContext, app: ProviderAppRow): string {
  const url = providerAppCallbackUrl(ctx.platform.config.publicUrl);
  const steps = setupSteps(
    {
      kind: app.kind as ProviderAppKind,
      scopes: app.scopes,
      pkce: app.pkce,
      clientCredentialsEnabled: app.clientCredentialsEnabled,
      jwt: app.jwtUsername ? { username: app.jwtUsername, keyFingerprint: app.jwtKeyFingerprint } : null,
    },
    url,
  );
  return `${callbackBlock(url)}<h2>Set up the app in Salesforce</h2><ol id="setup-steps">${steps.map((s) => `<li>${esc(s)}</li>`).join("")}</ol>`;
}

function createForm(ctx: ConsoleContext): string {
  const url = providerAppCallbackUrl(ctx.platform.config.publicUrl);
  return `<h2>Register a Salesforce app</h2>
    <ol class="muted"><li>In Salesforce Setup, create an External Client App (or a Connected App) with OAuth enabled.</li>
    <li>Give it the callback URL below, then copy its consumer key and secret here.</li>
    <li>Forcelink checks the settings and shows, step by step, what to set in Salesforce.</li></ol>
    ${callbackBlock(url)}
    <form class="stack" method="post" action="/apps" id="app-form">${csrfField(ctx.session.csrf)}
    <label for="app-name">Name</label><input type="text" name="name" id="app-name" maxlength="100" required>
    <label for="app-kind">Kind</label><select name="kind" id="app-kind">${Object.entries(KIND_WORDS)
      .map(([k, w]) => `<option value="${k}">${esc(w)}</option>`)
      .join("")}</select>
    <label for="client-id">Consumer key</label><input type="text" name="clientId" id="client-id" autocomplete="off" required>
    <label for="client-secret">Consumer secret</label><input type="password" name="clientSecret" id="client-secret" autocomplete="off" required>
    <label for="scopes">OAuth scopes</label><p class="hint">Separated by spaces.</p><input type="text" name="scopes" id="scopes" value="api refresh_token id">
    <label><input type="checkbox" name="pkce" value="true" checked> Use PKCE</label>
    <label><input type="checkbox" name="clientCredentials" value="true"> Enable the client credentials flow (server-side connections)</label>
    <button type="submit" id="create-app">Register the app</button></form>`;
}

/** `/apps`: provider apps, registered with the guided Salesforce setup; the secret rotated after a change in Salesforce. */
export const providerAppsPage: ConsolePage = (router) => {
  router.get("/apps", async (ctx) => {
    const apps = await listProviderApps(ctx.platform, ctx.projectId);
    const list = table(
      "apps",
      ["App", "Kind", "Consumer key", "Scopes", "Created"],
      apps.map((a) => [
        `<a href="/apps/${esc(a.id)}">${esc(a.name)}</a>`,
        esc(a.kind.replace(/_/g, " ")),
        `<code>${esc(a.clientId.slice(0, 12))}…</code>`,
        esc(a.scopes.join(" ")),
        when(a.createdAt),
      ]),
      "No provider app yet.",
    );
    return ctx.page("/apps", "Provider apps", `<h1>Provider apps</h1>${list}${createForm(ctx)}`);
  });

  router.post("/apps", async (ctx) => {
    const f = ctx.form;
    const parsed = createProviderAppInput.safeParse({
      name: f.name ?? "",
      kind: f.kind ?? "",
      clientId: f.clientId ?? "",
      clientSecret: f.clientSecret ?? "",
      scopes: (f.scopes ?? "").split(/\s+/).filter(Boolean),
      pkce: f.pkce === "true",
      clientCredentials: { enabled: f.clientCredentials === "true" },
    });
    if (!parsed.success) throw refused(parsed.error.issues);
    const app = settled(await createProviderApp(ctx.platform, ctx.projectId, parsed.data), "");
    const body = `<h1>${esc(app.name)} registered</h1>${notice("ok", "Now set the app up in Salesforce as below; Salesforce may take ten minutes to apply changes.")}${setupFor(ctx, app)}<p><a href="/apps/${esc(app.id)}">See the app</a></p>`;
    return { status: 201, html: ctx.page("/apps", "App registered", body) };
  });

  router.get("/apps/:id", async (ctx) => {
    const app = await getProviderApp(ctx.platform, ctx.projectId, ctx.params.id);
    if (!app) throw notFoundPage("provider app", ctx.params.id);
    const body = `<h1>${esc(app.name)}</h1>
      <dl class="facts"><dt>Id</dt><dd>${esc(app.id)}</dd><dt>Kind</dt><dd>${esc(KIND_WORDS[app.kind as ProviderAppKind] ?? app.kind)}</dd><dt>Consumer key</dt><dd><code>${esc(app.clientId)}</code></dd><dt>Scopes</dt><dd>${esc(app.scopes.join(" "))}</dd><dt>PKCE</dt><dd>${app.pkce ? "yes" : "no"}</dd><dt>Client credentials</dt><dd>${app.clientCredentialsEnabled ? "enabled" : "off"}</dd><dt>Updated</dt><dd>${when(app.updatedAt)}</dd></dl>
      ${setupFor(ctx, app)}
      <h2>Rotate the consumer secret</h2><p class="muted">After regenerating the secret in Salesforce, paste the new one here; connections keep working.</p>
      <form class="stack" method="post" action="/apps/${esc(app.id)}/rotate-secret">${csrfField(ctx.session.csrf)}
      <label for="new-secret">New consumer secret</label><input type="password" name="clientSecret" id="new-secret" autocomplete="off" required>
      <button type="submit" id="rotate-secret">Store the new secret</button></form>`;
    return ctx.page("/apps", app.name, body);
  });

  router.post("/apps/:id/rotate-secret", async (ctx) => {
    const parsed = rotateSecretInput.safeParse({ clientSecret: ctx.form.clientSecret ?? "" });
    if (!parsed.success) throw refused(parsed.error.issues);
    const app = settled(
      await rotateProviderAppSecret(ctx.platform, ctx.projectId, ctx.params.id, parsed.data.clientSecret),
      ctx.params.id,
    );
    return { redirect: `/apps/${app.id}?done=secret-rotated` };
  });
};
