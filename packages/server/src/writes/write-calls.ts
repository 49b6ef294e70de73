import {
  type CollectionWrite,
  type RecordError,
  type RecordResult,
  writeCollection,
  writeComposite,
} from "@forcelink/salesforce";
import { COLLECTION_MAX, callFailureOutcome, settleResults, unknownOutcomeError } from "./write-plan.ts";
import { type SendingRecord, type Settlement, settleRecords } from "./write-records.ts";
import {
  callFailureOf,
  classified,
  operationOf,
  QuotaPause,
  uncountedCalls,
  type WriteRun,
  WriteStopped,
} from "./write-run.ts";

/**
 * The collections and composite paths: records taken for a call (`sending`) go out in one sObject
 * Collections call (at most 200) or one /composite call of up to five collections, and the answer
 * settles each of them. A call that fails as a whole settles its records by what the failure
 * proves: sent again later, unknown (an insert that may have been executed), or, when Salesforce
 * refused the request itself, the write stops (WriteStopped) or pauses (QuotaPause) with them
 * back to pending.
 */
export async function sendRecords(run: WriteRun, records: readonly SendingRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { write } = run;
  const writesOfCall: CollectionWrite[] = [];
  for (let i = 0; i < records.length; i += COLLECTION_MAX)
    writesOfCall.push({
      object: write.object,
      operation: operationOf(write),
      ...(write.externalIdField ? { externalIdField: write.externalIdField } : {}),
      records: records.slice(i, i + COLLECTION_MAX).map((r) => r.data),
      allOrNone: write.allOrNone,
    });
  let results: RecordResult[];
  try {
    results =
      writesOfCall.length === 1
        ? await writeCollection(run.client, writesOfCall[0], { signal: run.signal })
        : (await writeComposite(run.client, writesOfCall, { allOrNone: write.allOrNone, signal: run.signal })).flat();
  } catch (error) {
    await settleFailedCall(run, records, error);
    return;
  }
  const settled = settleResults(
    results,
    records.map((r) => r.attempts),
    { allOrNone: write.allOrNone, maxPasses: run.settings.maxPasses },
  );
  await settleRecords(
    run.platform,
    write.id,
    settled.map((s, i): Settlement => {
      const idx = records[i].idx;
      if (s.status === "succeeded") return { idx, status: "succeeded", sfId: s.id, created: s.created };
      return { idx, status: s.status, errors: s.errors };
    }),
    uncountedCalls(run),
  );
}

/**
 * A call with no per-record answer. Records that may be sent again go back to pending (failed with
 * the call's error once they were sent `maxPasses` times); an insert's records whose outcome cannot
 * be known become `unknown`.
 */
export async function settleFailedCall(run: WriteRun, records: readonly SendingRecord[], error: unknown) {
  const failure = classified(error);
  if (!failure) {
    // Refused by the library before sending (a record it cannot send): nothing went out.
    if (error instanceof TypeError || error instanceof RangeError) {
      await settleRecords(run.platform, run.write.id, back(records), uncountedCalls(run));
      throw new WriteStopped(error);
    }
    if (!isUnreadableAnswer(error)) throw error;
  }
  const outcome = failure
    ? callFailureOutcome(operationOf(run.write), callFailureOf(failure))
    : operationOf(run.write) === "insert"
      ? "unknown"
      : "again";
  const reason = failure?.reason ?? "rest.unreadable_answer";
  const message = error instanceof Error ? error.message : String(error);
  if (outcome === "pause" || outcome === "stop") {
    await settleRecords(run.platform, run.write.id, back(records), uncountedCalls(run));
    if (outcome === "pause") throw new QuotaPause(run.usage?.used ?? 0, run.usage?.max ?? 0);
    throw new WriteStopped(error);
  }
  if (outcome === "unknown") {
    const errors = [unknownOutcomeError({ reason, message })];
    await settleRecords(
      run.platform,
      run.write.id,
      records.map((r) => ({ idx: r.idx, status: "unknown", errors })),
      uncountedCalls(run),
    );
    return;
  }
  const errors: RecordError[] = [callError(error, reason, message)];
  await settleRecords(
    run.platform,
    run.write.id,
    records.map((r) => ({ idx: r.idx, status: r.attempts >= run.settings.maxPasses ? "failed" : "pending", errors })),
    uncountedCalls(run),
  );
}

/** Records back to pending with no error of their own: the call never reached a decision about them. */
function back(records: readonly SendingRecord[]): Settlement[] {
  return records.map((r) => ({ idx: r.idx, status: "pending", undoAttempt: true }));
}

/** A call's failure in the shape of a record's error, for the records it held. */
function callError(error: unknown, reason: string, message: string): RecordError {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : "CALL_FAILED",
    message: `The call carrying this record failed: ${message}`,
    fields: [],
    reason,
    retry: "backoff",
  };
}

/** Salesforce answered, but not one result per record: what it did cannot be read from the answer. */
function isUnreadableAnswer(error: unknown): boolean {
  return error instanceof Error && error.name === "CollectionAnswerError";
}
