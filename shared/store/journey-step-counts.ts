// How many customers stand at each step of a journey now, and how many reached it per day: the
// console's journey diagram reads them with one Query on the journey's small counter partition
// instead of scanning customers. Moved by the state store after each transition it wrote.
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamo.ts';
import { keys } from './keys.ts';

export interface StepCounts {
  /** Customers whose run stands at the step now (waiting there, or about to run it). */
  atStepNow: Record<string, number>;
  /** Customers who reached the step in the period (each arrival once, re-entries included). */
  passedThrough: Record<string, number>;
}

export class JourneyStepCounts {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * One customer moved from step `from` (undefined: was not in the journey) to `to` (undefined:
   * left it). Called once per transition that was written; a redelivery writes none, so it counts none.
   */
  async move(journeyId: string, from: string | undefined, to: string | undefined, at: Date): Promise<void> {
    if (from === to) return;
    const add = (key: { PK: string; SK: string }, attribute: 'atNow' | 'passed', delta: number, extra: Record<string, string>) =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `ADD #n :d SET ${Object.keys(extra).map((name, i) => `#e${i} = :e${i}`).join(', ')}`,
          ExpressionAttributeNames: { '#n': attribute, ...Object.fromEntries(Object.keys(extra).map((name, i) => [`#e${i}`, name])) },
          ExpressionAttributeValues: { ':d': delta, ...Object.fromEntries(Object.values(extra).map((value, i) => [`:e${i}`, value])) },
        }),
      );
    const day = at.toISOString().slice(0, 10);
    await Promise.all([
      ...(from ? [add(keys.journeyStepNow(journeyId, from), 'atNow', -1, { stepId: from })] : []),
      ...(to
        ? [
            add(keys.journeyStepNow(journeyId, to), 'atNow', 1, { stepId: to }),
            add(keys.journeyStepDay(journeyId, day, to), 'passed', 1, { stepId: to, day }),
          ]
        : []),
    ]);
  }

  /**
   * Now, and arrivals on the days [fromDay, toDay] (YYYY-MM-DD): two Queries side by side, the
   * NOW# rows and the period's DAY# rows only (the partition keeps every day ever counted).
   */
  async counts(journeyId: string, fromDay: string, toDay: string): Promise<StepCounts> {
    const pk = keys.journeyStepCountsPk(journeyId);
    const [now, days] = await Promise.all([
      queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :now)',
        ExpressionAttributeValues: { ':pk': pk, ':now': 'NOW#' },
      }),
      queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': `DAY#${fromDay}#`, ':to': `DAY#${toDay}#\uffff` },
      }),
    ]);
    const items = [...now, ...days];
    const result: StepCounts = { atStepNow: {}, passedThrough: {} };
    for (const item of items) {
      const stepId = String(item.stepId);
      if (typeof item.atNow === 'number') result.atStepNow[stepId] = Math.max(0, item.atNow);
      if (typeof item.passed === 'number')
        result.passedThrough[stepId] = (result.passedThrough[stepId] ?? 0) + item.passed;
    }
    return result;
  }
}
