// The loyalty reports the weekly analytics run stores, one item per standard period (last 7/30/90
// days, each recent calendar month), so the console's results page reads a report (one Query for
// the list, one GetItem for the chosen one) instead of scanning the table on each request. The
// report is gzipped JSON: a year of weekly rows for dozens of journeys stays far below 400 KB.
import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { putUnlessNewer, queryAll } from './dynamo.ts';
import { keys } from './keys.ts';

const storedPeriodSchema = z.object({
  /** "last-7-days", "last-30-days", "last-90-days" or "month-YYYY-MM". */
  period: z.string(),
  /** Inclusive start and exclusive end of the period (ISO 8601). */
  from: z.string(),
  to: z.string(),
  /** When the weekly run built it: the report is true as of this instant. */
  computedAt: z.string(),
});
export type StoredPeriod = z.infer<typeof storedPeriodSchema>;

const storedReportItem = storedPeriodSchema.extend({ report: z.instanceof(Uint8Array) });

/** The report itself stays opaque here: the store keeps what the run built and hands it on as JSON. */
const reportJson = z.record(z.string(), z.unknown());
export type StoredReport = StoredPeriod & { report: z.infer<typeof reportJson> };

export class StoredReports {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Replaces the period's report unless a run computed later already stored its own. */
  async save(period: StoredPeriod, report: object): Promise<boolean> {
    const item = { ...keys.storedReport(period.period), type: 'stored-report', ...period, report: gzipSync(JSON.stringify(report)) };
    return putUnlessNewer(this.doc, this.tableName, item, 'computedAt', period.computedAt);
  }

  /** Every stored period, without the reports themselves (a projection of one small partition). */
  async periods(): Promise<StoredPeriod[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.storedReportsPk },
      ProjectionExpression: '#p, #f, #t, computedAt',
      ExpressionAttributeNames: { '#p': 'period', '#f': 'from', '#t': 'to' },
    });
    return items.map((item) => storedPeriodSchema.parse(item));
  }

  async report(period: string): Promise<StoredReport | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.storedReport(period) }));
    if (!Item) return undefined;
    const { report, ...stored } = storedReportItem.parse(Item);
    return { ...stored, report: reportJson.parse(JSON.parse(gunzipSync(report).toString('utf8'))) };
  }
}
