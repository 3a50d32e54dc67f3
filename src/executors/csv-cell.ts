/**
 * One CSV cell (RFC 4180 quoting) that a spreadsheet opens as data, never as a formula. Excel,
 * LibreOffice and Google Sheets evaluate a cell whose text starts with `=`, `+`, `-` or `@` (and some
 * also after a leading tab or carriage return), so a task named `=HYPERLINK(…)` in a report's CSV would
 * run in the reader's spreadsheet (OWASP, "CSV Injection"). Such text is prefixed with `'`, which
 * spreadsheets show as text; numbers (and bigints) are written as they are, negative ones included,
 * since they are values, not text someone typed.
 */
export function csvCell(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

const FORMULA_START = /^[=+\-@\t\r]/;
