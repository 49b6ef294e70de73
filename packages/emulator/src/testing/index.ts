/**
 * `@forcelink/emulator/testing`: what test suites use to drive an emulated org. The OAuth
 * web-server flow through the emulator's real authorize pages without a browser, and the one
 * builder of a running demo org.
 */
export {
  type AuthorizationCode,
  AuthorizeFlowError,
  type AuthorizeOutcome,
  authorizationCode,
  buildAuthorizeUrl,
  type CompleteAuthorizeOptions,
  CookieJar,
  callbackParams,
  completeAuthorize,
  type FormField,
  followToCallback,
  type HtmlForm,
  openPage,
  type Page,
  pageError,
  parseForms,
  pkcePair,
  submitForm,
} from "./authorize-pages.ts";
export { type DemoOrg, type DemoOrgOptions, startDemoOrg } from "./demo-org.ts";
