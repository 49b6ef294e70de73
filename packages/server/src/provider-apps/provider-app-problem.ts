/**
 * One reason a provider app is refused: which field, a stable code, what would break, and what to
 * change (usually in Salesforce Setup). Never carries a secret.
 */
export interface ProviderAppProblem {
  field: string;
  code: string;
  message: string;
  remedy: string;
  details?: unknown;
}
