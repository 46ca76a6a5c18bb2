// What a write costs in the global secondary indexes, which DynamoDB bills on top of the table's
// units and dynalite does not report: from the item before and after the write, by the rules of
// the DynamoDB developer guide ("Provisioned throughput considerations for global secondary
// indexes"): a put into an index, a delete from it, both when an index key changes, one write when
// only projected attributes change, none when the item is in the index neither before nor after.
// Both indexes project ALL attributes, so an entry is the size of the whole item.
import { INDEXES } from '#shared/store/keys.ts';

type Item = Record<string, unknown>;

/** Write units the indexes take for a write that turned `before` into `after` (undefined: absent). */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of Object.values(INDEXES)) {
    const keyOf = (item: Item | undefined) => {
      const pk = item?.[index.partitionKey];
      const sk = item?.[index.sortKey];
      return typeof pk === 'string' && typeof sk === 'string' ? `${pk}\u0000${sk}` : undefined;
    };
    const was = keyOf(before);
    const is = keyOf(after);
    if (was !== undefined && is !== undefined && was === is) {
      if (JSON.stringify(before) !== JSON.stringify(after)) units += writeUnits(after);
      continue;
    }
    if (was !== undefined) units += writeUnits(before);
    if (is !== undefined) units += writeUnits(after);
  }
  return units;
}

/** One write unit per started KB of the entry. */
function writeUnits(item: Item | undefined): number {
  return Math.max(1, Math.ceil(itemBytes(item ?? {}) / 1024));
}

/**
 * An item's size as DynamoDB counts it: each attribute's name plus its value — strings in UTF-8
 * bytes, numbers about one byte per two significant digits plus one, booleans and nulls one byte,
 * lists and maps three bytes plus one per element; a Set's elements summed.
 */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
    return 1 + Math.ceil(Math.max(1, digits) / 2);
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueBytes(element), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object' && value !== undefined)
    return 3 + Object.entries(value).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueBytes(element), 0);
  return 0;
}
