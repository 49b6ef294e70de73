/**
 * CSV output built as plain strings: result pages can hold hundreds of thousands of rows, and a
 * stringifier stream per row costs far more than the quoting itself. Salesforce quotes every
 * value of Bulk results, so values are always quoted; embedded quotes are doubled.
 */
export function quoted(value: string): string {
  return value.indexOf('"') === -1 ? `"${value}"` : `"${value.replaceAll('"', '""')}"`;
}

/** A cell quoted only when it has to be (the original column names in ingest results). */
export function quotedIfNeeded(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? quoted(value) : value;
}

/** One row of always-quoted cells, with its line ending; the caller's array is left as it is. */
export function csvRow(cells: readonly (string | undefined)[], delimiter: string, lineEnding: string): string {
  let safe = cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell !== undefined && cell.indexOf('"') !== -1) {
      if (safe === cells) safe = cells.slice();
      (safe as (string | undefined)[])[i] = cell.replaceAll('"', '""');
    }
  }
  // One native join per row: far cheaper than concatenating quoted cells one by one.
  return `"${safe.join(`"${delimiter}"`)}"${lineEnding}`;
}
