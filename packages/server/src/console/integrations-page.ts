import { esc } from "../connect/html.ts";
import { findConnection, listConnections } from "../connections/connection-store.ts";
import { HttpError } from "../http/http-error.ts";
import { installOnConnection, uploadIntegration } from "../install-integration.ts";
import { findIntegration, installationsOfIntegration, listIntegrations } from "../integrations/integration-store.ts";
import type { ManifestError } from "../integrations/manifest/manifest-errors.ts";
import { csrfField, notice, table, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, field, notFoundPage } from "./console-routes.ts";

const EXAMPLE = `name: crm
destinations:
  cache:
    type: records
objects:
  - name: Account
    fields: [Id, Name, Industry]
    schedule: "*/15 * * * *"
    destinations: [cache]`;

function uploadForm(csrf: string, text: string): string {
  return `<h2>Upload a manifest</h2><p class="muted">YAML or JSON; an integration of the same name is replaced and applies at once where it is installed.</p>
    <form class="stack" method="post" action="/integrations" id="manifest-form">${csrfField(csrf)}
    <label for="manifest">Manifest</label><textarea name="manifest" id="manifest" rows="14" spellcheck="false">${esc(text)}</textarea>
    <button type="submit" id="upload-manifest">Upload</button></form>`;
}

function errorList(errors: ManifestError[]): string {
  return `<div class="error" id="manifest-errors"><strong>The manifest has ${errors.length} problem${errors.length === 1 ? "" : "s"}:</strong><ul>${errors
    .map(
      (e) =>
        `<li class="manifest-error" data-line="${esc(e.line ?? "")}" data-column="${esc(e.column ?? "")}">${
          e.line ? `<strong>line ${esc(e.line)}, column ${esc(e.column ?? 1)}</strong>: ` : ""
        }${esc(e.message)}</li>`,
    )
    .join("")}</ul></div>`;
}

async function listPage(ctx: ConsoleContext, extra: { text?: string; errors?: ManifestError[] } = {}) {
  const rows = await listIntegrations(ctx.platform, ctx.projectId);
  const counts = await Promise.all(rows.map((r) => installationsOfIntegration(ctx.platform, r.id)));
  const list = table(
    "integrations",
    ["Integration", "Objects", "Installed on", "Updated"],
    rows.map((r, i) => [
      `<a href="/integrations/${esc(r.id)}">${esc(r.name)}</a>`,
      esc(((r.manifest as { objects?: Array<{ name: string }> }).objects ?? []).map((o) => o.name).join(", ")),
      esc(`${counts[i].length} connection${counts[i].length === 1 ? "" : "s"}`),
      when(r.updatedAt),
    ]),
    "No integration yet.",
  );
  return ctx.page(
    "/integrations",
    "Integrations",
    `<h1>Integrations</h1>${list}${extra.errors ? errorList(extra.errors) : ""}${uploadForm(ctx.session.csrf, extra.text ?? EXAMPLE)}`,
  );
}

/** `/integrations`: manifests (errors at their line and column) and where they are installed. */
export const integrationsPage: ConsolePage = (router) => {
  router.get("/integrations", async (ctx) => listPage(ctx));

  router.post("/integrations", async (ctx) => {
    const text = field(ctx.form, "manifest", "The manifest", 512 * 1024);
    const saved = await uploadIntegration(ctx.platform, ctx.projectId, text);
    if (!saved.ok) return { status: 422, html: await listPage(ctx, { text, errors: saved.errors }) };
    const secrets = Object.entries(saved.newSecrets);
    const body = `<h1>${esc(saved.row.name)} ${saved.created ? "created" : "updated"}</h1>${
      secrets.length
        ? notice(
            "warn",
            `<strong>Signing secrets of the new webhook destinations, shown once:</strong><ul>${secrets.map(([d, s]) => `<li>${esc(d)}: <code>${esc(s)}</code></li>`).join("")}</ul>`,
          )
        : ""
    }<p><a href="/integrations/${esc(saved.row.id)}" id="integration-link">See the integration</a></p>`;
    return { status: saved.created ? 201 : 200, html: ctx.page("/integrations", saved.row.name, body) };
  });

  router.get("/integrations/:id", async (ctx) => {
    const row = await findIntegration(ctx.platform, ctx.projectId, ctx.params.id);
    if (!row) throw notFoundPage("integration", ctx.params.id);
    const [installs, connections] = await Promise.all([
      installationsOfIntegration(ctx.platform, row.id),
      listConnections(ctx.platform, ctx.projectId, { limit: 200 }),
    ]);
    const installed = table(
      "installations",
      ["Connection", "Installed"],
      installs.map((i) => [
        `<a href="/connections/${esc(i.connectionId)}/syncs">${esc(i.connectionId)}</a>`,
        when(i.createdAt),
      ]),
      "Not installed on any connection.",
    );
    const choices = connections
      .filter((c) => !installs.some((i) => i.connectionId === c.id))
      .map((c) => `<option value="${esc(c.id)}">${esc(`${c.endUserId} · ${c.id}`)}</option>`)
      .join("");
    const install = choices
      ? `<h2>Install on a connection</h2><form class="stack" method="post" action="/integrations/${esc(row.id)}/install">${csrfField(ctx.session.csrf)}
        <label for="install-connection">Connection</label><select name="connectionId" id="install-connection">${choices}</select>
        <label><input type="checkbox" name="startNow" value="true" checked> Start the first runs now</label>
        <button type="submit" id="install">Install</button></form>`
      : "";
    const body = `<h1>Integration ${esc(row.name)}</h1><h2>Installed on</h2>${installed}${install}
      <h2>Manifest</h2><p class="muted">As stored, with destination credentials redacted.</p><pre id="manifest-view"><code>${esc(JSON.stringify(row.manifest, null, 2))}</code></pre>`;
    return ctx.page("/integrations", row.name, body);
  });

  router.post("/integrations/:id/install", async (ctx) => {
    const row = await findIntegration(ctx.platform, ctx.projectId, ctx.params.id);
    if (!row) throw notFoundPage("integration", ctx.params.id);
    const connectionId = field(ctx.form, "connectionId", "Connection", 200);
    const conn = await findConnection(ctx.platform, ctx.projectId, connectionId);
    if (!conn)
      throw new HttpError(404, "not_found", `There is no connection '${connectionId}' in this project.`, {
        remedy: "Pick a connection from the list.",
      });
    await installOnConnection(ctx.platform, row, conn, ctx.form.startNow === "true");
    return { redirect: `/integrations/${row.id}?done=installed` };
  });
};
