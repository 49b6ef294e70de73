/** One record's failure, in the shape of sObject Collections results (`statusCode`, not `errorCode`). */
export interface DmlErrorBody {
  statusCode: string;
  message: string;
  fields: string[];
}

export class DmlError extends Error {
  readonly statusCode: string;
  readonly fields: string[];
  constructor(statusCode: string, message: string, fields: string[] = []) {
    super(message);
    this.statusCode = statusCode;
    this.fields = fields;
  }

  body(): DmlErrorBody {
    return { statusCode: this.statusCode, message: this.message, fields: this.fields };
  }
}

export const insufficientAccess = () =>
  new DmlError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id");

export const unableToLockRow = () =>
  new DmlError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records");
