// Once-only markers in front of the send counters (step results, guardrail windows): SES may
// deliver an event twice and a customer may replay an unsubscribe link, so a fact is counted only
// by the call that put its marker. `sent` needs none: the ledger's conditional completion is its
// marker (shared/flows/sent-emails.ts). A crash between marker and counter under-counts by one;
// the counters report, they never decide.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putOnce } from './dynamo.ts';
import { keys } from './keys.ts';

/** The SES events counted per message (the sender counts `sent`). */
export type SesEventCounter = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complained';

export class CountMarkers {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** True for a message's first event of this kind; false when it was counted already. */
  firstSesEvent(messageId: string, counter: SesEventCounter): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.sesEventMarker(messageId, counter),
      type: 'ses-event',
    });
  }

  /** True for the customer's first unsubscribe counted on this journey; false on a replay. */
  firstUnsubscribe(input: { customerId: string; journeyId: string; day: string }): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.unsubscribeCountMarker(input.customerId, input.journeyId),
      type: 'unsubscribe-count',
      day: input.day,
    });
  }
}
