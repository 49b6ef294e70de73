import type { ObjectDef } from "../schema/types.ts";
import { DmlError } from "./dml-error.ts";

/**
 * A validation rule: when its condition holds for the record being saved, the save fails with
 * FIELD_CUSTOM_VALIDATION_EXCEPTION. Conditions are a small subset of Salesforce formulas:
 * `ISBLANK(Field)`, `NOT(ISBLANK(Field))`, or `Field <op> literal` with = != < <= > >= and a
 * number, a quoted string, true, false or null.
 */
export interface ValidationRule {
  object: string;
  name: string;
  condition: string;
  errorMessage: string;
  /** The field the error is shown on; the error names no field when absent. */
  errorField?: string;
  active?: boolean;
}

type Test = (record: Record<string, unknown>) => boolean;

const BLANK = /^(NOT\(\s*)?ISBLANK\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)(\s*\))?$/i;
const COMPARISON = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=|<>|<=|>=|<|>)\s*(.+)$/;

function literal(text: string): unknown {
  const t = text.trim();
  if (/^'.*'$/.test(t) || /^".*"$/.test(t)) return t.slice(1, -1);
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  if (/^null$/i.test(t)) return null;
  const n = Number(t);
  if (t !== "" && Number.isFinite(n)) return n;
  throw new Error(`cannot read '${t}' as a number, quoted string, true, false or null`);
}

/** Compiles a condition against an object, naming the problem when it can't. */
export function compileCondition(def: ObjectDef, condition: string): Test {
  const fieldName = (name: string) => {
    const f = def.fieldMap.get(name.toLowerCase());
    if (!f) throw new Error(`${def.name} has no field ${name}`);
    return f.name;
  };
  const blank = BLANK.exec(condition.trim());
  if (blank) {
    const name = fieldName(blank[2]);
    const negate = Boolean(blank[1]);
    return (r) => {
      const v = r[name];
      const isBlank = v === null || v === undefined || v === "";
      return negate ? !isBlank : isBlank;
    };
  }
  const cmp = COMPARISON.exec(condition.trim());
  if (!cmp) throw new Error(`cannot read condition '${condition}': use ISBLANK(Field) or Field <op> value`);
  const name = fieldName(cmp[1]);
  const value = literal(cmp[3]);
  const op = cmp[2];
  return (r) => {
    const v = r[name] ?? null;
    switch (op) {
      case "=":
        return v === value;
      case "!=":
      case "<>":
        return v !== value;
      default:
        if (v === null || value === null) return false;
        if (op === "<") return (v as number) < (value as number);
        if (op === "<=") return (v as number) <= (value as number);
        if (op === ">") return (v as number) > (value as number);
        return (v as number) >= (value as number);
    }
  };
}

export interface CompiledRule {
  rule: ValidationRule;
  test: Test;
}

/** Runs the object's active rules on the record as it would be saved. */
export function checkValidationRules(rules: CompiledRule[], def: ObjectDef, record: Record<string, unknown>): void {
  for (const { rule, test } of rules) {
    if (rule.active === false || rule.object.toLowerCase() !== def.name.toLowerCase()) continue;
    if (test(record)) {
      const field = rule.errorField ? def.fieldMap.get(rule.errorField.toLowerCase())?.name : undefined;
      throw new DmlError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.errorMessage, field ? [field] : []);
    }
  }
}
