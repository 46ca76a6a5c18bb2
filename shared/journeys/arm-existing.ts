// Arming a date-trigger journey for the customers stored before it ran. A date trigger is armed
// when a customer's profile or purchases change, so a birthday journey published onto an existing
// base would otherwise reach each customer only at their next change. When a version makes a
// date trigger newly live — first publish, enabled again, or a different trigger — the stored
// customers are armed a Scan page at a time: each page's profiles get one arm each, idempotent
// (converging on the stored profile and the journey's current version), so a page done twice arms
// nothing twice. Two drivers run the same pages: the journey-arming function, one page per event
// with the next page's cursor in a continuation event (the console's publish: no Scan on its
// request path, no 15-minute limit on the base), and `campaigns publish` from the operator's machine.
// A page of a journey no longer live (disabled, deleted, no longer a date trigger) scans nothing
// and ends its segment.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { JOURNEY_ARMING_REQUESTED, type JourneyArmingRequested, scanCursor } from '../events/emitted.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { JourneyArmingStore } from '../store/journey-arming.ts';
import { JourneyCatalogue, type JourneyVersion } from '../store/journeys.ts';
import { SegmentStore } from '../store/segments.ts';
import { isDateJourney } from './reactions.ts';
import { JOURNEY_LIST_TTL_MS, journeyRuntime } from './runtime.ts';

/** Parallel scan segments of one arming (each its own chain of pages). */
export const ARMING_SEGMENTS = 4;
/** Items a page reads (profiles and every other item alike): a page stays well inside a minute. */
export const ARMING_PAGE_ITEMS = 1000;
const ARMS_AT_ONCE = 16;
/**
 * How long the function's first pages wait after the request: until every running function's
 * journey catalogue (cached JOURNEY_LIST_TTL_MS) holds the version. A customer stored meanwhile by
 * a function still holding the version before is not armed by their own profile write; the Scan,
 * starting only after every such write, reads their profile. 5 s over the cache covers the
 * Scan's eventually consistent read.
 */
export const ARMING_START_DELAY_SECONDS = JOURNEY_LIST_TTL_MS / 1000 + 5;

/** True when `current` runs a date trigger that `previous` (the version before it) did not. */
export function makesDateTriggerLive(previous: JourneyVersion | undefined, current: JourneyVersion): boolean {
  if (!current.journey.enabled || !isDateJourney(current)) return false;
  if (!previous || !previous.journey.enabled) return true;
  return JSON.stringify(previous.journey.trigger) !== JSON.stringify(current.journey.trigger);
}

type ArmingRequest = Omit<JourneyArmingRequested, 'page'>;
type Page = NonNullable<JourneyArmingRequested['page']>;

/** Asks the journey-arming function to arm `version` for the stored customers (one event). */
export async function requestArming(events: EventPublisher, request: ArmingRequest): Promise<void> {
  await events.publish([{ detailType: JOURNEY_ARMING_REQUESTED, detail: request }]);
}

export class StoredCustomerArming {
  private readonly runtime: ReturnType<typeof journeyRuntime>;
  private readonly catalogue: JourneyCatalogue;
  private readonly segments: SegmentStore;
  private readonly progress: JourneyArmingStore;

  constructor(
    private readonly store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
    program: LoyaltyProgram,
    private readonly pageItems = ARMING_PAGE_ITEMS,
  ) {
    this.runtime = journeyRuntime(
      store,
      program,
      { enqueue: () => Promise.reject(new Error('arming a date trigger never sends')) },
      () => {
        throw new Error('arming a date trigger never writes email history');
      },
    );
    this.catalogue = new JourneyCatalogue(store.doc, store.tableName, store.clock);
    this.segments = new SegmentStore(store.doc, store.tableName);
    this.progress = new JourneyArmingStore(store.doc, store.tableName);
  }

  /**
   * Arms one page of stored customers for the journey's CURRENT version (read per page): a version
   * published meanwhile — another template — is what the timers must converge on. A journey that is
   * no longer a live date trigger (disabled, deleted, another trigger) ends the segment unscanned:
   * there is nothing to arm, and a version making a date trigger live again starts its own arming.
   */
  async armPage(
    journeyId: string,
    page: { segment: number; of: number; cursor?: Record<string, unknown> | undefined },
  ): Promise<{ customers: number; next?: Record<string, unknown> }> {
    const current = await this.catalogue.current(journeyId);
    if (!current?.journey.enabled || !isDateJourney(current)) return { customers: 0 };
    const { customerIds, next } = await this.segments.customerIdsPage(page, this.pageItems);
    const now = this.store.clock.now();
    let at = 0;
    await Promise.all(
      Array.from({ length: ARMS_AT_ONCE }, async () => {
        for (let i = at++; i < customerIds.length; i = at++) {
          const customerId = customerIds[i];
          if (customerId) await this.runtime.reactions.armDateTriggers(customerId, now, [current]);
        }
      }),
    );
    return { customers: customerIds.length, ...(next ? { next } : {}) };
  }

  /** The CLI's drive: every segment's pages in turn, here and now (the operator's machine). */
  async armAll(journeyId: string): Promise<{ customers: number }> {
    const counts = await Promise.all(
      Array.from({ length: ARMING_SEGMENTS }, async (_, segment) => {
        let customers = 0;
        let cursor: Record<string, unknown> | undefined;
        do {
          const page = await this.armPage(journeyId, { segment, of: ARMING_SEGMENTS, cursor });
          customers += page.customers;
          cursor = page.next;
        } while (cursor);
        return customers;
      }),
    );
    return { customers: counts.reduce((sum, n) => sum + n, 0) };
  }

  /**
   * The function's drive, one event at a time. A request records the arming and starts each
   * segment's first page, `firstPages` delaying them by ARMING_START_DELAY_SECONDS; a page is
   * armed, its continuation published, then counted done — a page already counted is skipped, so
   * a duplicated continuation dies out; a crash before the count repeats the page (converging)
   * and its continuation (skipped once counted).
   */
  async onRequested(
    detail: JourneyArmingRequested,
    events: { continuations: EventPublisher; firstPages: EventPublisher },
  ): Promise<{ customers: number; page?: Page }> {
    const { page, ...request } = detail;
    if (!page) {
      await this.progress.start({ ...request, segments: ARMING_SEGMENTS });
      await events.firstPages.publish(
        Array.from({ length: ARMING_SEGMENTS }, (_, segment) => ({
          detailType: JOURNEY_ARMING_REQUESTED,
          detail: { ...request, page: { segment, of: ARMING_SEGMENTS, number: 0 } },
        })),
      );
      return { customers: 0 };
    }
    const progress = await this.progress.progress(request.journeyId, request.version);
    if (!progress) throw new Error(`arming of ${request.journeyId} v${request.version} was never started`);
    if ((progress.pagesDone[String(page.segment)] ?? 0) > page.number) return { customers: 0 };
    const { customers, next } = await this.armPage(request.journeyId, page);
    if (next)
      await events.continuations.publish([
        {
          detailType: JOURNEY_ARMING_REQUESTED,
          detail: { ...request, page: { ...page, number: page.number + 1, cursor: scanCursor.parse(next) } },
        },
      ]);
    const at = this.store.clock.now().toISOString();
    const counted = await this.progress.pageDone(
      request.journeyId,
      request.version,
      { segment: page.segment, number: page.number, customers, last: !next },
      at,
    );
    return counted ? { customers, page } : { customers: 0 };
  }
}
