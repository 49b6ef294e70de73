/**
 * Where Salesforce lives, and what a customer typed when asked for their My Domain.
 *
 * Every URL Forcelink calls on a customer's behalf comes from one `SalesforceHosts` mapping, so
 * pointing the product at an emulator is a change of mapping, never an `if` in the code that
 * uses it. My Domain input is validated strictly against Salesforce's real host shapes; the
 * emulator mapping only changes where a valid My Domain name leads.
 */

export type SalesforceEnvironment = "production" | "sandbox";

export interface SalesforceHosts {
  /** Production and Developer Edition logins (login.salesforce.com). */
  readonly productionLoginUrl: string;
  /** Sandbox logins (test.salesforce.com). */
  readonly sandboxLoginUrl: string;
  /**
   * The base URL of a My Domain. `name` is everything before `.my.salesforce.com`, so it already
   * carries the partition: `acme`, `acme--uat.sandbox`, `acme-dev-ed.develop`.
   */
  myDomainUrl(name: string): string;
}

export const SALESFORCE_HOSTS: SalesforceHosts = {
  productionLoginUrl: "https://login.salesforce.com",
  sandboxLoginUrl: "https://test.salesforce.com",
  myDomainUrl: (name) => `https://${name}.my.salesforce.com`,
};

/**
 * A mapping onto a local emulator: its three origins stand for login, test and every My Domain.
 * The emulator serves one org, so any valid My Domain name leads to that org's host.
 */
export function emulatorHosts(urls: { login: string; test: string; myDomain: string }): SalesforceHosts {
  const login = originOf(urls.login);
  const test = originOf(urls.test);
  const myDomain = originOf(urls.myDomain);
  return { productionLoginUrl: login, sandboxLoginUrl: test, myDomainUrl: () => myDomain };
}

/** The login host for an environment: also the `aud` of a JWT bearer assertion. */
export function loginUrlFor(hosts: SalesforceHosts, environment: SalesforceEnvironment): string {
  return environment === "sandbox" ? hosts.sandboxLoginUrl : hosts.productionLoginUrl;
}

/**
 * Whether a URL is on a Salesforce login host (or the mapped ones), so a token or secret may be
 * sent there: the identity URL and the refresh endpoint live on login hosts, not the instance.
 */
export function isLoginOrigin(hosts: SalesforceHosts, url: string | URL): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.origin === originOf(hosts.productionLoginUrl) || u.origin === originOf(hosts.sandboxLoginUrl)) return true;
  return u.protocol === "https:" && u.port === "" && u.hostname.endsWith(".salesforce.com");
}

function originOf(url: string): string {
  return new URL(url).origin;
}

// ---------------------------------------------------------------------------------------------
// My Domain input

/** Salesforce's partitioned-domain kinds, named by the label before `.my.salesforce.com`. */
export type MyDomainKind = "production" | "sandbox" | "developer" | "scratch" | "patch" | "trailhead" | "demo" | "free";

export interface MyDomain {
  /** Everything before `.my.salesforce.com`: what `SalesforceHosts.myDomainUrl` takes. */
  name: string;
  /** The normalised host, e.g. `acme--uat.sandbox.my.salesforce.com`. */
  host: string;
  kind: MyDomainKind;
  /** Which login host the org's users sign in on (sandboxes and scratch orgs use test). */
  environment: SalesforceEnvironment;
}

export type MyDomainRefusalReason =
  | "empty"
  | "malformed"
  | "not-https"
  | "port"
  | "credentials-in-url"
  | "login-host"
  | "lightning-host"
  | "setup-host"
  | "visualforce-or-site-host"
  | "instance-host"
  | "unknown-partition"
  | "not-salesforce";

export interface MyDomainRefusal {
  reason: MyDomainRefusalReason;
  /** What went wrong, in words a customer understands. */
  message: string;
  /** What to do instead. */
  fix: string;
  /** The My Domain we believe was meant, when the input names it unambiguously. */
  suggestion?: string;
}

export type MyDomainParse = { ok: true; domain: MyDomain; notice?: string } | { ok: false; refusal: MyDomainRefusal };

const MY_DOMAIN_SUFFIX = ".my.salesforce.com";
const SETUP_SUFFIX = ".my.salesforce-setup.com";
const LIGHTNING_SUFFIX = ".lightning.force.com";

const PARTITIONS: Record<string, MyDomainKind> = {
  sandbox: "sandbox",
  develop: "developer",
  scratch: "scratch",
  patch: "patch",
  trailblaze: "trailhead",
  demo: "demo",
  free: "free",
};

/** One DNS label as Salesforce allows in My Domain names: letters, digits, inner hyphens. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Instance names of pre-enhanced-domain hosts: na44, cs42, eu12, um5, usa3s… */
const INSTANCE = /^(?:na|cs|eu|ap|um|gs|usa|aus|can|ind|jpn|deu|fra|gbr)\d+[a-z]?$/;

const FIND_IN_SETUP =
  "Copy the URL shown in Setup → My Domain (Current My Domain URL), for example acme.my.salesforce.com.";

function refuse(reason: MyDomainRefusalReason, message: string, fix: string, suggestion?: string): MyDomainParse {
  return { ok: false, refusal: suggestion ? { reason, message, fix, suggestion } : { reason, message, fix } };
}

/**
 * Normalises what people paste when asked for their My Domain: full URLs, trailing slashes and
 * paths, a bare name, upper case. Refuses, with the reason and the fix, hosts that are not a
 * My Domain login host (the Lightning UI host, Visualforce and Experience Cloud sites, the
 * generic login hosts, old instance hosts, anything outside Salesforce).
 */
export function parseMyDomain(input: string): MyDomainParse {
  const text = input.trim();
  if (text === "") return refuse("empty", "No My Domain was entered.", FIND_IN_SETUP);

  // A bare name ("acme", "acme--uat", "acme-dev-ed") is how people remember it.
  if (!/[./:]/.test(text)) return fromBareName(text.toLowerCase());

  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return refuse("malformed", `"${clip(text)}" is not a web address.`, FIND_IN_SETUP);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return refuse("malformed", `"${clip(text)}" is not a web address.`, FIND_IN_SETUP);
  if (url.username || url.password)
    return refuse(
      "credentials-in-url",
      "The address contains a user name or password.",
      `Remove them. ${FIND_IN_SETUP}`,
    );
  // Only the default HTTPS port is harmless: any other port cannot be a Salesforce host.
  if (url.port !== "" && !(url.protocol === "https:" && url.port === "443"))
    return refuse("port", `Salesforce hosts do not use port ${url.port}.`, FIND_IN_SETUP);

  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  if (/[^a-z0-9.-]/.test(host))
    return refuse("malformed", `"${clip(host)}" is not a Salesforce host name.`, FIND_IN_SETUP);
  const parsed = classifyHost(host);
  // http:// is a typo we can forgive only for a host that is right in every other way.
  if (parsed.ok && url.protocol === "http:")
    return {
      ...parsed,
      notice: joinNotice(parsed.notice, "Salesforce only answers over HTTPS; the address was changed to https://."),
    };
  return parsed;
}

function classifyHost(host: string): MyDomainParse {
  if (host === "login.salesforce.com" || host === "test.salesforce.com") {
    const sandbox = host.startsWith("test");
    return refuse(
      "login-host",
      `${host} is Salesforce's generic login page, not your org's My Domain.`,
      `Choose "${sandbox ? "Sandbox" : "Production"}" instead of My Domain, or enter your org's My Domain from Setup → My Domain.`,
    );
  }
  if (host.endsWith(LIGHTNING_SUFFIX)) {
    const name = host.slice(0, -LIGHTNING_SUFFIX.length);
    return refuse(
      "lightning-host",
      `${host} is the address of the Salesforce user interface (Lightning), not the My Domain used to sign in and call the API.`,
      FIND_IN_SETUP,
      suggestionFor(name),
    );
  }
  if (host.endsWith(SETUP_SUFFIX)) {
    const name = host.slice(0, -SETUP_SUFFIX.length);
    return refuse(
      "setup-host",
      `${host} is the address of Salesforce Setup pages, not the My Domain used to sign in.`,
      FIND_IN_SETUP,
      suggestionFor(name),
    );
  }
  if (
    host.endsWith(".force.com") ||
    host.endsWith(".my.site.com") ||
    host.endsWith(".my.salesforce-sites.com") ||
    host.endsWith(".salesforce-sites.com") ||
    host.endsWith(".documentforce.com") ||
    host.endsWith(".visualforce.com")
  ) {
    return refuse(
      "visualforce-or-site-host",
      `${host} serves Visualforce pages, files or an Experience Cloud site, not your org's login.`,
      FIND_IN_SETUP,
    );
  }
  if (host.endsWith(MY_DOMAIN_SUFFIX)) return fromMyDomainHost(host);
  if (host.endsWith(".salesforce.com")) {
    return refuse(
      "instance-host",
      `${host} is a Salesforce server address, not a My Domain; it can change when Salesforce moves your org.`,
      FIND_IN_SETUP,
    );
  }
  return refuse("not-salesforce", `${host} is not a Salesforce address.`, FIND_IN_SETUP);
}

function fromMyDomainHost(host: string): MyDomainParse {
  const labels = host.slice(0, -MY_DOMAIN_SUFFIX.length).split(".");
  if (labels.some((l) => !LABEL.test(l)))
    return refuse("malformed", `"${host}" is not a valid My Domain.`, FIND_IN_SETUP);
  if (labels.length === 1) {
    const [name] = labels;
    // Before enhanced domains (enforced since Winter '24) sandboxes had no partition label;
    // those hosts now redirect to the .sandbox. form, so writing it is safe.
    if (name.includes("--"))
      return accepted(
        `${name}.sandbox`,
        "sandbox",
        "This is an older sandbox address; it was changed to the current form.",
      );
    return accepted(name, "production");
  }
  if (labels.length === 2) {
    const [name, partition] = labels;
    const kind = PARTITIONS[partition];
    if (kind === "sandbox" && !name.includes("--"))
      return refuse(
        "malformed",
        `"${host}" is missing the sandbox name: sandbox addresses look like mydomain--sandboxname.sandbox.my.salesforce.com.`,
        FIND_IN_SETUP,
      );
    if (kind) return accepted(`${name}.${partition}`, kind);
    if (INSTANCE.test(partition) && name.includes("--"))
      return accepted(
        `${name}.sandbox`,
        "sandbox",
        "This is an older sandbox address; it was changed to the current form.",
      );
  }
  return refuse("unknown-partition", `"${host}" is not a My Domain address Salesforce issues.`, FIND_IN_SETUP);
}

function fromBareName(name: string): MyDomainParse {
  if (!LABEL.test(name))
    return refuse(
      "malformed",
      `"${clip(name)}" is not a valid My Domain name: use letters, digits and hyphens.`,
      FIND_IN_SETUP,
    );
  // Salesforce reserves "--" for sandboxes and "-dev-ed" for Developer Edition orgs.
  if (name.includes("--")) return accepted(`${name}.sandbox`, "sandbox");
  if (name.endsWith("-dev-ed")) return accepted(`${name}.develop`, "developer");
  return accepted(name, "production");
}

function accepted(name: string, kind: MyDomainKind, notice?: string): MyDomainParse {
  const environment: SalesforceEnvironment = kind === "sandbox" || kind === "scratch" ? "sandbox" : "production";
  const domain: MyDomain = { name, host: `${name}${MY_DOMAIN_SUFFIX}`, kind, environment };
  return notice ? { ok: true, domain, notice } : { ok: true, domain };
}

/** The UI and Setup hosts mirror the My Domain host label for label. */
function suggestionFor(name: string): string | undefined {
  const parsed = fromMyDomainHost(`${name}${MY_DOMAIN_SUFFIX}`);
  return parsed.ok ? parsed.domain.host : undefined;
}

function joinNotice(a: string | undefined, b: string): string {
  return a ? `${a} ${b}` : b;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
