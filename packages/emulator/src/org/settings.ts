/** Org-wide behaviour a test or seed can change. Items the reference marks unverified are here too. */
export interface OrgSettings {
  /** Session timeout: an access token dies after this long unused (sliding). Salesforce's default is 2 h. */
  sessionTimeoutSeconds: number;
  /** False for editions without API access (Professional without the add-on, Essentials, Group). */
  apiEnabled: boolean;
  /** API Access Control: when on, the PermissionsUseAnyApiClient column exists. */
  apiAccessControl: boolean;
  /** Whether the caller's IP is inside the org's trusted ranges; apps that enforce IP restrictions refuse otherwise. */
  clientIpTrusted: boolean;
  /** Query locators expire after this long idle. */
  locatorTtlSeconds: number;
  /** How many query locators one user may hold open (oldest dropped past this); 0: no limit, as since v56. */
  maxOpenLocatorsPerUser: number;
  /** Authorization codes expire after this long. */
  authCodeTtlSeconds: number;
  /** [?] Status of a Bulk 2.0 results request before the job completes (docs show JOB_NOT_COMPLETE). */
  bulkResultsNotReadyStatus: number;
  /** [?] Status of introspect with bad client credentials. */
  introspectBadClientStatus: number;
  /** [?] The token endpoint's text for an IP or login-hours refusal. */
  ipRestrictedDescription: string;
  /** [?] The REST error's text when an app requires a High Assurance session (INSUFFICIENT_ACCESS, 403). */
  sessionLevelRefusal: string;
  /** [?] Where queryAll's nextRecordsUrl points: "query" or "queryAll". Both are served either way. */
  queryAllLocatorPath: "query" | "queryAll";
  /** How long a Bulk 2.0 job stays InProgress before it completes (0: done on the first poll). */
  bulkJobProcessingMs: number;
  /** "Allow OAuth Username-Password Flows"; new orgs block it since Summer '23, the demo allows it. */
  allowPasswordFlow: boolean;
  /** Change Data Capture entity allocation (selected entities). */
  cdcEntityAllocation: number;
}

export const DEFAULT_SETTINGS: OrgSettings = {
  sessionTimeoutSeconds: 7200,
  apiEnabled: true,
  apiAccessControl: false,
  clientIpTrusted: true,
  locatorTtlSeconds: 900,
  maxOpenLocatorsPerUser: 0,
  authCodeTtlSeconds: 900,
  bulkResultsNotReadyStatus: 400,
  introspectBadClientStatus: 401,
  ipRestrictedDescription: "IP restricted or invalid login hours",
  sessionLevelRefusal:
    "This session's security level is Standard; the connected app requires a High Assurance session.",
  queryAllLocatorPath: "query",
  bulkJobProcessingMs: 0,
  cdcEntityAllocation: 5,
  allowPasswordFlow: true,
};

/** Editions that have no API access unless an add-on is bought. */
export const EDITIONS_WITHOUT_API = ["Professional Edition", "Group Edition", "Essentials Edition", "Personal Edition"];

export const API_VERSIONS: Array<{ version: string; label: string }> = (() => {
  const seasons = ["Winter", "Spring", "Summer"];
  const out: Array<{ version: string; label: string }> = [];
  // v31.0 was Summer '14; each release adds one, three a year.
  for (let v = 31; v <= 67; v++) {
    const index = v - 31 + 2; // Summer '14 is index 2 of 2014
    const year = 14 + Math.floor(index / 3);
    const season = seasons[index % 3];
    out.push({ version: `${v}.0`, label: `${season} '${String(year).padStart(2, "0")}` });
  }
  return out;
})();

export const LATEST_API_VERSION = "67.0";
