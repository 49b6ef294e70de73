import { lookupError } from "@forcelink/salesforce";
import { type CustomerExplanation, forCustomer } from "../remedies/remedy-catalogue.ts";

/** What a failed connection attempt means for the customer, and what their admin must change. */
export interface ConnectFailure extends CustomerExplanation {
  code: string;
}

/**
 * Salesforce's OAuth error (on the callback or at the code exchange) explained for the customer.
 * The library's error table names the cause; the catalogue holds what the customer is told.
 */
export function explainConnectFailure(error: string, description = ""): ConnectFailure {
  const { reason } = lookupError("oauth", error, 400, description);
  const known = forCustomer(reason);
  if (known) {
    const { quotesSalesforce, ...explanation } = known;
    const message =
      quotesSalesforce && description ? `${known.message} Salesforce said: "${description}".` : known.message;
    return { ...explanation, message, code: known.code ?? error };
  }
  return {
    code: error || "unknown_error",
    title: "Salesforce could not complete the connection",
    message: description ? `Salesforce said: ${description}` : "Salesforce returned an error without a description.",
    steps: ["Connect again. If it keeps failing, send this message to the app's builder."],
  };
}
