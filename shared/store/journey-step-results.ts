// What each send step of a journey achieved, per day and split variant: emails sent (the sender),
// delivered, bounced, complained, opened and clicked (SES events, through the send ledger),
// unsubscribed (the unsubscribe endpoint, from the link's signed token), and purchases attributed to the send within ATTRIBUTION_DAYS (domain/step-results.ts; the journeys function, at purchase
// time) with their revenue. Counters, so the report reads them instead of re-deriving them from
// every send and order; each source counts once per fact with its own marker (the send outcome,
// the SES event marker, the unsubscribe count marker, the order id on the send), and a crash between marker and counter
// under-counts by one. They are the one set of send counters: a journey's line in the report and
// the console's journey list add up its steps and variants (domain/step-results.ts journeyDays).
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STEP_COUNTERS, type StepCounter, type StepDayCounts } from '../domain/step-results.ts';
import { queryAll } from './dynamo.ts';
import { keys } from './keys.ts';

export interface StepRef {
  journeyId: string;
  stepId: string;
  variant?: string | undefined;
  /** The day (UTC) of the send the counts belong to. */
  day: string;
}

export class JourneyStepResults {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(ref: StepRef, counts: Partial<Record<StepCounter, number>>): Promise<void> {
    const entries = Object.entries(counts).filter(([, n]) => n !== undefined && n !== 0);
    if (entries.length === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.journeyStepResults(ref.journeyId, ref.day, ref.stepId, ref.variant),
        UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')} SET journeyId = :j, stepId = :s, #day = :d${ref.variant ? ', variant = :v' : ''}`,
        ExpressionAttributeNames: {
          '#day': 'day',
          ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':j': ref.journeyId,
          ':s': ref.stepId,
          ':d': ref.day,
          ...(ref.variant ? { ':v': ref.variant } : {}),
          ...Object.fromEntries(entries.map(([, n], i) => [`:c${i}`, n])),
        },
      }),
    );
  }

  /** The journey's rows of the send days [fromDay, toDay] (YYYY-MM-DD): one Query on its partition. */
  async days(journeyId: string, fromDay: string, toDay: string): Promise<StepDayCounts[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.journeyStepResultsPk(journeyId),
        ':from': `DAY#${fromDay}#`,
        ':to': `DAY#${toDay}#\uffff`,
      },
    });
    return items.map(stepDayOf);
  }
}

/** A STEPRESULTS# item as its counters (the weekly Scan reads them too). */
export function stepDayOf(item: Record<string, unknown>): StepDayCounts {
  return {
    journeyId: String(item.journeyId),
    stepId: String(item.stepId),
    variant: typeof item.variant === 'string' ? item.variant : undefined,
    day: String(item.day),
    counts: Object.fromEntries(
      STEP_COUNTERS.filter((c) => typeof item[c] === 'number').map((c) => [c, Number(item[c])]),
    ),
  };
}
