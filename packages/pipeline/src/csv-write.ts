import type { Row } from './table';

function quote(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 CSV with a header row; null is an empty cell. */
export function stringify(columns: string[], rows: Row[]): string {
  const lines = [columns.map(quote).join(',')];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value = row[column];
          return value === null || value === undefined ? '' : quote(String(value));
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
