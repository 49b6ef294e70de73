import { DmlError, unableToLockRow } from "../dml/dml-error.ts";
import type { PreparedWrite, RecordWriter } from "../dml/record-writer.ts";
import { normalizeId } from "../ids.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import { ExternalIdIndex } from "./external-id-index.ts";
import type { ColumnPlan, IngestPlan } from "./ingest-columns.ts";
import type { IngestOperation, RowOutcome } from "./job-types.ts";
import { missingArgument, rowError } from "./row-errors.ts";

const NULL_CELL = "#N/A";

/**
 * Applies uploaded rows one at a time through the RecordWriter, so each row succeeds or fails on
 * its own with the same checks as the REST API.
 */
export class IngestRowWriter {
  private readonly writer: RecordWriter;
  private readonly def: ObjectDef;
  private readonly plan: IngestPlan;
  private readonly operation: IngestOperation;
  private readonly key: { field: FieldDef; index: ExternalIdIndex } | null;
  private readonly parents = new Map<ColumnPlan, ExternalIdIndex>();

  constructor(
    writer: RecordWriter,
    def: ObjectDef,
    plan: IngestPlan,
    operation: IngestOperation,
    keyField: FieldDef | null,
  ) {
    this.writer = writer;
    this.def = def;
    this.plan = plan;
    this.operation = operation;
    this.key = keyField ? { field: keyField, index: new ExternalIdIndex(writer.org, def, keyField) } : null;
    for (const c of plan.columns) {
      if (c.kind === "reference") this.parents.set(c, new ExternalIdIndex(writer.org, c.target, c.key));
    }
  }

  write(row: string[]): RowOutcome {
    const givenId = this.plan.idIndex >= 0 ? (row[this.plan.idIndex] ?? "") : "";
    const knownId = normalizeId(givenId) ?? "";
    try {
      switch (this.operation) {
        case "insert": {
          const [id] = this.writer.apply([this.writer.prepareInsert(this.def, this.input(row))]);
          return { ok: true, id, created: true };
        }
        case "update": {
          if (givenId === "") throw missingArgument("Id not specified in an update call");
          const [id] = this.writer.apply([this.writer.prepareUpdate(this.def, givenId, this.input(row))]);
          return { ok: true, id, created: false };
        }
        case "upsert":
          return this.upsert(row);
        case "delete": {
          if (givenId === "") throw missingArgument("Id not specified in a delete call");
          const [id] = this.writer.apply([this.writer.prepareDelete(this.def, givenId)]);
          return { ok: true, id, created: false };
        }
        case "hardDelete": {
          if (givenId === "") throw missingArgument("Id not specified in a delete call");
          const w = this.writer.prepareDelete(this.def, givenId);
          if (this.writer.org.faults.lockedRow()) throw unableToLockRow();
          this.writer.org.store.hardDelete(this.def.name, w.id!, this.writer.org.writeContext(this.writer.userId));
          return { ok: true, id: w.id!, created: false };
        }
      }
    } catch (e) {
      return { ok: false, id: knownId, error: rowError(e) };
    }
  }

  private upsert(row: string[]): RowOutcome {
    const key = this.key!;
    const value = this.plan.keyIndex >= 0 ? (row[this.plan.keyIndex] ?? "") : "";
    const byId = key.field.name === "Id";
    // Upserting on Id creates the rows that have none.
    if (value === NULL_CELL || (value === "" && !byId)) throw missingArgument(`${key.field.name} not specified`);
    const matches = value === "" ? [] : key.index.match(value);
    if (matches.length > 1) {
      throw new DmlError(
        "DUPLICATE_EXTERNAL_ID",
        `${key.field.name}: more than one record found for external id field: ${matches.join(", ")}`,
        [key.field.name],
      );
    }
    const input = this.input(row);
    let write: PreparedWrite;
    if (matches.length === 1) write = { ...this.writer.prepareUpdate(this.def, matches[0], input), created: false };
    else if (byId && value !== "") throw new DmlError("NOT_FOUND", `Id: record not found: ${value}`, ["Id"]);
    else write = { ...this.writer.prepareInsert(this.def, input), created: true };
    const [id] = this.writer.apply([write]);
    if (write.created) key.index.remember(value, id);
    return { ok: true, id, created: write.created === true };
  }

  /** The row as field values for the writer; lookups by external id become the parent's Id. */
  private input(row: string[]): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const c of this.plan.columns) {
      const cell = row[c.index] ?? "";
      if (c.kind === "field") input[c.field.name] = cell;
      else if (c.kind === "reference") {
        if (cell === "") continue;
        input[c.field.name] = cell === NULL_CELL ? NULL_CELL : this.parentId(c, cell);
      }
    }
    return input;
  }

  private parentId(c: Extract<ColumnPlan, { kind: "reference" }>, cell: string): string {
    const ids = this.parents.get(c)!.match(cell);
    if (ids.length === 1) return ids[0];
    const detail = ids.length === 0 ? "not found" : "matched more than one record";
    throw new DmlError(
      "INVALID_FIELD",
      `Foreign key external ID: ${cell} ${detail} for field ${c.key.name} in entity ${c.target.name}`,
    );
  }
}
