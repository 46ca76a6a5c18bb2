// What the table keeps, for the cost model's storage lines: every item's size by DynamoDB's rules
// (attribute names and values in UTF-8, numbers ~1 byte per two digits, 3 bytes per list or map
// plus 1 per element, and the 100 bytes of overhead billed per item), and again for each global
// secondary index the item is on (both project ALL), grouped by what the item grows with.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { INDEXES } from '#shared/store/keys.ts';

/** Bytes DynamoDB bills storage for, per item and per index entry, besides the attributes. */
const ITEM_OVERHEAD = 100;

export interface Retained {
  /** Items kept per customer: profile, address, timers, journey states, frequency cap. */
  customers: number;
  /** Orders and refunds. */
  purchases: number;
  /** Per email: the send-ledger entry and the journey send's outcome (and holdouts, unsubscribe counts). */
  emails: number;
  /** Unique coupons a send step issued (the birthday's), kept until the email history's retention after their expiry. */
  coupons: number;
  /** SES event markers: a delivery's expires 30 days after it, an open's or a click's with the email history. */
  sesMarkers: number;
  /** Catalogue, counters, guardrails, scheduler and the rest: fixed or per day, not per customer. */
  shared: number;
}

export async function retainedBytes(doc: DynamoDBDocumentClient, tableName: string): Promise<Retained> {
  const retained: Retained = { customers: 0, purchases: 0, emails: 0, coupons: 0, sesMarkers: 0, shared: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) retained[retainedKind(item)] += storedBytes(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return retained;
}

/** What an item grows with, by its key. */
export function retainedKind(item: Record<string, unknown>): keyof Retained {
  const pk = String(item.PK);
  const sk = String(item.SK);
  if (pk.startsWith('SESMSG#')) return 'sesMarkers';
  if (pk.startsWith('COUPON#')) return 'coupons';
  if (pk.startsWith('UNSUBCOUNT#')) return 'emails';
  if (!pk.startsWith('CUSTOMER#')) return 'shared';
  if (sk.startsWith('PURCHASE#')) return 'purchases';
  if (sk.startsWith('SEND#') || sk.startsWith('HOLDOUT#') || /^JOURNEY#.+#SEND#/.test(sk)) return 'emails';
  return 'customers';
}

/** The item's bytes on the table, and once more on each index whose keys it carries. */
export function storedBytes(item: Record<string, unknown>): number {
  const size = ITEM_OVERHEAD + Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
  const indexes = Object.values(INDEXES).filter((index) => item[index.partitionKey] !== undefined).length;
  return size * (1 + indexes);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce<number>((sum, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object')
    return 3 + Object.entries(value).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0);
  return 0;
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
