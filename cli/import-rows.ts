// Rows of a customer import file (CSV with a header row, or JSON Lines) turned into Customer
// Upserted details, each validated with the event contract; a bad row becomes line/field/value.
import { type CustomerUpserted, customerUpsertedDetail } from '#shared/events/contracts.ts';
import { type Rejection, rejectionsFromZod } from '#shared/events/rejection.ts';

export type RowResult = { ok: true; detail: CustomerUpserted } | { ok: false; problems: Rejection[] };

/** One CSV line into cells (RFC 4180 quoting; a quoted field may not span lines). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

const BOOLEAN_TEXT: Record<string, boolean> = {
  true: true,
  yes: true,
  '1': true,
  y: true,
  false: false,
  no: false,
  '0': false,
  n: false,
};

/** CSV columns: the contract's fields; `attributes.<name>` (or `attr.<name>`) columns fill attributes. */
export function csvRecord(header: string[], cells: string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  header.forEach((column, index) => {
    const value = (cells[index] ?? '').trim();
    if (value === '') return;
    const attribute = /^(?:attributes|attr)\.(.+)$/.exec(column);
    if (attribute?.[1]) attributes[attribute[1]] = value;
    else if (column === 'marketingConsent') record[column] = BOOLEAN_TEXT[value.toLowerCase()] ?? value;
    else record[column] = value;
  });
  if (Object.keys(attributes).length) record.attributes = attributes;
  if (cells.length > header.length) record[`(column ${header.length + 1})`] = cells[header.length];
  return record;
}

export function validateRow(record: unknown): RowResult {
  const parsed = customerUpsertedDetail.safeParse(record);
  return parsed.success
    ? { ok: true, detail: parsed.data }
    : { ok: false, problems: rejectionsFromZod(parsed.error, record) };
}

export function jsonlRow(line: string): RowResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return {
      ok: false,
      problems: [
        { field: '(row)', value: line.slice(0, 80), reason: `is not JSON: ${(error as Error).message}` },
      ],
    };
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) return validateRow(value);
  return {
    ok: false,
    problems: [{ field: '(row)', value: line.slice(0, 80), reason: 'must be a JSON object' }],
  };
}
