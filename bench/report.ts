// How benchmarks report: each returns titled rows of figures; the runner prints them as tables,
// then issue 12's table from the headlines the sections measured.
import type { Headline } from './summary.ts';

export interface BenchSection {
  title: string;
  rows: Record<string, string | number>[];
  notes?: string[];
  /** This section's figures for rows of issue 12's table (bench/summary.ts). */
  headlines?: Headline[];
}

export function formatSection(section: BenchSection): string {
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined) =>
    value === undefined ? '' : typeof value === 'number' ? formatNumber(value) : value;
  const widths = columns.map((column) => Math.max(column.length, ...section.rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `## ${section.title}`,
    line(columns),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...section.rows.map((row) => line(columns.map((column) => cell(row[column])))),
    ...(section.notes ?? []).map((note) => `  ${note}`),
    '',
  ].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
