import { esc } from "../connect/html.ts";
import { layout } from "./console-html.ts";
import type { ConsolePage } from "./console-routes.ts";
import { sessionCookie } from "./console-routes.ts";
import { endSession, SESSION_TTL_MS, startSession } from "./console-session.ts";

function signInPage(problem?: string): string {
  return layout(
    "Sign in",
    `<h1>Sign in to Forcelink</h1>
    <p class="muted">Paste a project API key (<code>fl_sk_…</code>). <code>npm start</code> prints one on the first start; <code>forcelink keys create</code> makes another. The key is checked once and never kept in the page or the browser: you get a session cookie instead.</p>
    ${problem ? `<div class="error" id="error"><strong>${esc(problem)}</strong><p>Check the key, or create a new one with <code>forcelink keys create</code>.</p></div>` : ""}
    <form class="stack" method="post" action="/sign-in" id="sign-in-form">
      <label for="key">API key</label>
      <input type="password" name="key" id="key" autocomplete="off" required>
      <button type="submit" id="sign-in">Sign in</button>
    </form>`,
    null,
  );
}

/** Sign-in with a project API key, turned into a session cookie; the key itself goes no further. */
export const signInPages: ConsolePage = (router) => {
  router.get("/sign-in", async (ctx) => (ctx.session ? { redirect: "/" } : signInPage()));
  router.post("/sign-in", async (ctx) => {
    const key = (ctx.form.key ?? "").trim();
    if (!key) return { status: 400, html: signInPage("Paste an API key to sign in.") };
    const started = key.length <= 200 ? await startSession(ctx.platform, key) : null;
    if (!started) return { status: 401, html: signInPage("That API key is not valid or was revoked.") };
    return { redirect: "/", cookie: sessionCookie(ctx.platform, started.token, SESSION_TTL_MS / 1000) };
  });
};

export const signOutPage: ConsolePage = (router) => {
  router.post("/sign-out", async (ctx) => {
    await endSession(ctx.platform, ctx.session);
    return { redirect: "/sign-in", cookie: sessionCookie(ctx.platform, "", 0) };
  });
};
