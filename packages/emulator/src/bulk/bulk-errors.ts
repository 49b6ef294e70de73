import { ApiError } from "../http/errors.ts";

// Bulk API 2.0 answers errors as `[{"errorCode","message"}]` like REST; its own codes are the
// Bulk exception codes upper-cased (InvalidJob → INVALIDJOB), as seen from real orgs.

export const invalidJob = (message: string) => new ApiError(400, "INVALIDJOB", message);

export const invalidJobState = (message: string) => new ApiError(400, "INVALIDJOBSTATE", message);

export const invalidEntity = (message: string) => new ApiError(400, "INVALIDENTITY", message);

export const featureNotEnabled = (message: string) => new ApiError(400, "FEATURENOTENABLED", message);

/** Query shapes Bulk cannot serve; these texts are the ones real orgs send. */
export const bulkQueryUnsupported = (message: string) => new ApiError(400, "API_ERROR", message);

export const jobNotFound = () => new ApiError(404, "NOT_FOUND", "The requested resource does not exist");
