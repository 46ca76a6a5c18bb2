// Publishes the events loyalty-flows emits (source "loyalty-flows") on the marketing bus.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export const EMITTED_SOURCE = 'loyalty-flows';

export interface OutboundEvent {
  detailType: string;
  detail: object;
  /** When the fact became true; defaults to the publish time. */
  time?: Date;
}

export interface EventPublisher {
  publish(events: OutboundEvent[]): Promise<void>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: OutboundEvent[]): Promise<void> {
    // PutEvents takes at most 10 entries; a partial failure must be retried, so it throws.
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: EMITTED_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: event.time,
          })),
        }),
      );
      if (result.FailedEntryCount) {
        throw new Error(`PutEvents failed for ${result.FailedEntryCount} of ${batch.length} events`);
      }
    }
  }
}
