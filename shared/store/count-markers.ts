// Once-only markers in front of the send counters (step results, guardrail windows): SES may
// deliver an event twice and a customer may replay an unsubscribe link, so a fact is counted only
// by the call that put its marker. `sent` needs none: the ledger's conditional completion is its
// marker (shared/flows/sent-emails.ts). A crash between marker and counter under-counts by one;
// the counters report, they never decide.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfter, type HistoryExpiry } from '../domain/email-history.ts';
import { putOnce } from './dynamo.ts';
import { keys, TTL_ATTRIBUTE } from './keys.ts';

/**
 * How long the marker of a message's delivery (or bounce, complaint) is kept: past every way the
 * same event can come again — EventBridge retries for 24 hours, an SQS queue or dead-letter queue
 * keeps a message at most 14 days (redriving one is the last chance) — so one per SES event does
 * not stay in the table (and in the weekly Scan) for ever. Replaying an EventBridge archive older
 * than this counts again (the stack keeps none).
 */
export const SES_EVENT_MARKER_DAYS = 30;

/**
 * Opens and clicks are not redeliveries only: a reader opens or clicks the same email again
 * whenever they like, months later, and SES publishes a new event each time. Their markers go with
 * the email's own history (the ledger entry and send outcome: EMAIL_HISTORY_DAYS after the send),
 * and an open or click that comes after that counts nothing, so each counts once.
 */
const REPEATABLE: ReadonlySet<SesEventCounter> = new Set(['opened', 'clicked']);

/**
 * When the marker of a message's `counter` event at `at` may go (epoch seconds), for an email sent
 * at `sentAt`; undefined when the event comes after the email's history went and must not count.
 */
export function sesEventMarkerExpiry(
  counter: SesEventCounter,
  event: { at: Date; sentAt: Date },
  history: HistoryExpiry,
): number | undefined {
  if (!REPEATABLE.has(counter)) return expiresAfter(event.at, SES_EVENT_MARKER_DAYS);
  const expiresAt = history(event.sentAt);
  return expiresAt * 1000 > event.at.getTime() ? expiresAt : undefined;
}

/** The SES events counted per message (the sender counts `sent`). */
export type SesEventCounter = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complained';

export class CountMarkers {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * True for a message's first event of this kind; false when it was counted already. The marker
   * expires at `expiresAt` (epoch seconds, sesEventMarkerExpiry), when no event of the kind can
   * count again.
   */
  firstSesEvent(messageId: string, counter: SesEventCounter, expiresAt: number): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.sesEventMarker(messageId, counter),
      type: 'ses-event',
      [TTL_ATTRIBUTE]: expiresAt,
    });
  }

  /**
   * True for the customer's first unsubscribe counted on this journey; false on a replay. A replay
   * needs a link still valid, so the marker goes with the email history (`expiresAt`, epoch
   * seconds), which is never shorter than a link's validity.
   */
  firstUnsubscribe(input: { customerId: string; journeyId: string; day: string; expiresAt: number }): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.unsubscribeCountMarker(input.customerId, input.journeyId),
      type: 'unsubscribe-count',
      day: input.day,
      [TTL_ATTRIBUTE]: input.expiresAt,
    });
  }
}
