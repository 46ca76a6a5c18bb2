// Every DynamoDB key shape of the single table, in one place, each with the access pattern it
// serves. Nothing else in the code base builds a PK/SK/GSI string by hand.
//
// Base table  PK / SK
//   CUSTOMER#<id> / PROFILE                      profile + aggregates (one GetItem per send)
//   CUSTOMER#<id> / ADDRESS#<address>            an address the customer was given: their byEmail index entry
//                                                (forVersion: the profile version that gave it; see byEmail below)
//   CUSTOMER#<id> / PURCHASE#<orderId>           an order, written once (idempotent by orderId)
//   CUSTOMER#<id> / PURCHASE#<orderId>#REFUND#<k> a refund of that order (k = hash of its content)
//   CUSTOMER#<id> / TIMER#<kind>                 the customer's next tier review (and, in older tables, lifecycle
//                                                change: the scheduler folds it into JOURNEY#TRIGGERS when it fires)
//   CUSTOMER#<id> / SEND#<journey>#<period>      send ledger: one conditional write per send
//   CUSTOMER#<id> / HOLDOUT#<journey>#<entry>    held out of a journey entry (control group), written once
//                                                (both expire: the email history, see TTL_ATTRIBUTE)
//   CUSTOMER#<id> / JOURNEY#<journey>#STATE      one customer's run through a journey (position, variant,
//                                                history); on the due index while a wait is pending
//   CUSTOMER#<id> / JOURNEY#TRIGGERS             every date-trigger journey's next occasion for the customer
//                                                (birthday, inactivity…) and their lifecycle stage's next
//                                                change: ONE timer on the due index at the earliest, so
//                                                what a first purchase arms, or a publish, is one write
//                                                (journey ids are lower-case: no journey's items start so)
//   CUSTOMER#<id> / JOURNEY#<journey>#TRIGGER    (older tables) one journey's date trigger: the scheduler
//                                                folds each into JOURNEY#TRIGGERS when it comes due
//   CUSTOMER#<id> / JOURNEY#<journey>#SEND#<entry>#<step>  a journey send's outcome (enqueued, sent,
//                                                held-out, skipped, deferred); Query begins_with JOURNEY#<journey>#
//                                                returns a customer's whole story in one journey (explain);
//                                                expires with the email history (the run's STATE never does)
//   JOURNEYS / <id>                              a journey's CURRENT version (whole: journey + templates);
//                                                Query PK lists every journey (one small partition)
//   JOURNEY#<id> / V#<n>                         every published version, immutable (history, rollback)
//   ARMING#<id> / V#<n>                          arming a version's date trigger for the stored customers:
//                                                pages done per scan segment, customers armed (one GetItem)
//   CUSTOMER#<id> / SENDCAP                      recent marketing sends (frequency cap), one item per customer
//   SUPPRESSION#<address> / ADDRESS              a hard-bounced/complained address, checked before every send
//   GUARDRAIL#JOURNEY#<id> / HOUR#<hh>           one hour's sends, hard bounces and complaints of a journey: a ring
//                                                of 24 slots, one UpdateItem per send or SES event. The account's
//                                                window is every journey's slots added up when judged (JOURNEYS
//                                                keys list the journeys); older tables' GUARDRAIL#ACCOUNT / HOUR#<hh>
//                                                slots are no longer written nor read
//   GUARDRAIL#JOURNEY#<id> / STATE, GUARDRAIL#ACCOUNT / STATE
//                                                the breaker: sending or paused (figures, pause id), resumed with
//                                                a note; Query PK reads a journey's state and whole window at once
//   SESMSG#<SES message id> / <event type>       first delivery/open/click/bounce/complaint of a message: the
//                                                once-only marker of its step-results and guardrail counts;
//                                                expires (TTL_ATTRIBUTE) 30 days after the event; an open's or
//                                                click's with the email's history (count-markers.ts)
//   RATE#sender / SLOT#<slice mod slots>         send-rate token bucket shared by concurrent senders
//   STATS#<journey> / DAY#<yyyy-mm-dd>           (older tables, no longer written) a journey's daily counters beside
//                                                its step results; the report reads a day only where it has none
//   UNSUBCOUNT#<customer> / <journey>            "this customer's unsubscribe was counted for this journey" (once);
//                                                expires with the email history, counted from the unsubscribe
//   SCHEDULER / TIMERS                           the timer scheduler's watermark, next check and run lease
//   DUEDIR#<yyyy-mm-dd> / <hh>#<shard>           "this due bucket may hold timers": one Query per day tells
//                                                the scheduler which (hour, shard) buckets to read at all
//   COUPON#<code> / COUPON                       an issued coupon (customer, journey, step, variant, expiry),
//                                                looked up by code at checkout; the conditional put keeps every
//                                                code unique, and `redeemedBy` names the one order that used it;
//                                                expires the email history's retention after its own `validUntil`
//   CUSTOMER#<id> / SURVEY#<answeredAt ISO>      a survey answer, written once (idempotent by answer time)
//   SEGMENTS / THRESHOLDS                        weekly RFM quintile cuts and 80/20 spend threshold (one GetItem)
//   SEGMENTS / SAMPLES                           a few customer ids per tier, stage, segment, locale and churn band,
//                                                and buyers per churn band (weekly): the audience builder's sample
//   PREDICTIONS / MODEL                          the weekly BG/NBD + Gamma-Gamma fit (read by ingest-orders once per 15 minutes)
//   REPORTS / PERIOD#<period>                    the weekly run's loyalty report for a standard period (last 7/30/90
//                                                days, a calendar month), gzipped: the console's results page reads
//                                                it (Query PK lists the periods, one GetItem reads one) instead of scanning
//   STEPS#<journey> / NOW#<step>                 customers standing at a journey step now (ADD ±1 per transition)
//   STEPS#<journey> / DAY#<yyyy-mm-dd>#<step>    customers who reached the step that day; Query PK for the diagram
//   STEPRESULTS#<journey> / DAY#<yyyy-mm-dd>#<step>#<variant|->
//                                                a send step's results by the day of the send: sent, delivered,
//                                                bounced, complained, opened, clicked, unsubscribed, converted,
//                                                revenue (ADD); the one set of send counters: a journey's figures
//                                                add up its rows (Query PK and an SK range of days)
//   CUSTOMER#<id> / AUDIT#<at ISO>#<action>      an operator's change to the customer from the console (who, why),
//                                                read with the rest of the partition on the customer page
//
// The profile and the purchase records share a partition and sort next to each other
// ("PROFILE" < "PURCHASE#..."), so recomputing a customer's aggregates is ONE Query:
// SK BETWEEN "PROFILE" AND "PURCHASE$". No other SK may start with "PR".."PU".
// Likewise a customer's journey items sort just before the profile, so what a recorded purchase
// moves in journeys (run states, date triggers, sends to credit, the profile) is ONE Query:
// SK BETWEEN "JOURNEY#" AND "PROFILE". No other SK may sort between them ("K".."PQ…").
//
// GSI "due"      GSI1PK = DUE#<yyyy-mm-ddThh>#<shard>, GSI1SK = <dueAt ISO>#<customerId>#<kind>
//   sparse: only armed timers and waiting journey runs carry it; the scheduler queries the hour
//   buckets that are due.
// GSI "byEmail"  GSI2PK = EMAIL#<lower-cased address>, GSI2SK = CUSTOMER#<id>
//   sparse: one small CUSTOMER#<id> / ADDRESS#<address> item per address a customer was given,
//   written before the profile write that gives it; SES bounces/complaints, mailto unsubscribes and
//   the console's search arrive by address and check the profile still holds it. Not the profile
//   itself: the index projects ALL, so every profile write (each purchase) would rewrite a 1–2 KB
//   index entry (2 WRU). Profiles written before carry GSI2PK/GSI2SK until their next write moves
//   them to an ADDRESS item.

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

/**
 * The table's time-to-live attribute (epoch seconds): DynamoDB deletes an item some time after it
 * passes (days, not at the second), at no write cost. Only items whose purpose has passed carry it
 * (once-only markers outliving every redelivery; the per-email history — ledger entries, send
 * outcomes, holdouts, coupons, unsubscribe counts — after EMAIL_HISTORY_DAYS, see
 * shared/domain/email-history.ts), so the table grows with what must be kept, not with every event.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEXES = {
  due: { name: 'due', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  byEmail: { name: 'byEmail', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
} as const;

/** Timer buckets per hour are split this many ways so a bulk import cannot make one hot. */
export const DUE_SHARDS = 8;

export interface ItemKey {
  PK: string;
  SK: string;
}

const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
const journeyArmingPk = (journeyId: string) => `ARMING#${journeyId}`;

export const keys = {
  customerPk,
  customerIdFromPk: (pk: string) => pk.slice('CUSTOMER#'.length),
  profile: (customerId: string): ItemKey => ({ PK: customerPk(customerId), SK: 'PROFILE' }),
  purchase: (customerId: string, orderId: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `PURCHASE#${orderId}`,
  }),
  refund: (customerId: string, orderId: string, refundKey: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `PURCHASE#${orderId}#REFUND#${refundKey}`,
  }),
  /** Range covering the profile and every purchase/refund record of one customer. */
  purchaseHistoryRange: { from: 'PROFILE', to: 'PURCHASE$' },
  timer: (customerId: string, kind: string): ItemKey => ({ PK: customerPk(customerId), SK: `TIMER#${kind}` }),
  sendLedger: (customerId: string, campaignId: string, period: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `SEND#${campaignId}#${period}`,
  }),
  /** A customer held out of one campaign send (the control group); conditional put = counted once. */
  holdout: (customerId: string, campaignId: string, period: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `HOLDOUT#${campaignId}#${period}`,
  }),
  /** One item per (customer, journey): the run's state, versioned; carries the due keys while waiting. */
  journeyState: (customerId: string, journeyId: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `JOURNEY#${journeyId}#STATE`,
  }),
  /** Every date-trigger journey's next occasion for this customer (birthday, anniversary, inactivity…). */
  journeyTriggers: (customerId: string): ItemKey => ({ PK: customerPk(customerId), SK: 'JOURNEY#TRIGGERS' }),
  /** One journey's date trigger as tables written before JOURNEY#TRIGGERS hold it (read to fold it in). */
  legacyJourneyTrigger: (customerId: string, journeyId: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `JOURNEY#${journeyId}#TRIGGER`,
  }),
  /** What became of one send step of one entry: written when enqueued, updated by the sender. */
  journeySendOutcome: (customerId: string, journeyId: string, entryId: string, stepId: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `JOURNEY#${journeyId}#SEND#${entryId}#${stepId}`,
  }),
  /** SK prefix of a customer's items in one journey (or in every journey when no id is given). */
  journeyItemsPrefix: (journeyId?: string) => (journeyId ? `JOURNEY#${journeyId}#` : 'JOURNEY#'),
  /** Range covering every journey item of one customer, then their profile (see the note above). */
  journeyItemsAndProfileRange: { from: 'JOURNEY#', to: 'PROFILE' },
  journeyCurrent: (journeyId: string): ItemKey => ({ PK: 'JOURNEYS', SK: journeyId }),
  journeyCataloguePk: 'JOURNEYS',
  journeyVersion: (journeyId: string, version: number): ItemKey => ({
    PK: `JOURNEY#${journeyId}`,
    SK: `V#${String(version).padStart(6, '0')}`,
  }),
  journeyVersionsPk: (journeyId: string) => `JOURNEY#${journeyId}`,
  /** Progress of arming one version's date trigger for the stored customers (the console reads it). */
  journeyArming: (journeyId: string, version: number): ItemKey => ({
    PK: journeyArmingPk(journeyId),
    SK: `V#${String(version).padStart(6, '0')}`,
  }),
  /** Query PK, newest first, for the journey's latest arming. */
  journeyArmingPk,
  /** PK prefix of the daily counters older tables hold (STATS#<journey> / DAY#<day>): read by the weekly Scan only. */
  olderJourneyDaysPrefix: 'STATS#',
  /** One item per customer: the frequency cap's recent sends, read and written with a version. */
  sendCap: (customerId: string): ItemKey => ({ PK: customerPk(customerId), SK: 'SENDCAP' }),
  addressSuppression: (email: string): ItemKey => ({ PK: `SUPPRESSION#${email.trim().toLowerCase()}`, SK: 'ADDRESS' }),
  /** Conditional put before the step results' `unsubscribed` counter is added: one count per customer and journey. */
  unsubscribeCountMarker: (customerId: string, campaignId: string): ItemKey => ({
    PK: `UNSUBCOUNT#${customerId}`,
    SK: campaignId,
  }),
  /** Partition of one guardrail scope: its breaker state, and a journey's hourly slots. */
  guardrailPk: (scope: { kind: 'journey'; journeyId: string } | { kind: 'account' }) =>
    scope.kind === 'account' ? 'GUARDRAIL#ACCOUNT' : `GUARDRAIL#JOURNEY#${scope.journeyId}`,
  guardrailSlotSk: (hour: number, slots: number) => `HOUR#${String(hour % slots).padStart(2, '0')}`,
  guardrailStateSk: 'STATE',
  sesEventMarker: (messageId: string, eventType: string): ItemKey => ({ PK: `SESMSG#${messageId}`, SK: eventType }),
  /** A fixed ring of rotating time-slice slots, so the rate bucket needs no TTL. */
  sendRateSlot: (slice: number, slots: number): ItemKey => ({ PK: 'RATE#sender', SK: `SLOT#${slice % slots}` }),
  /** One item: the scheduler's watermark (last hour bucket fully processed) and run lease. */
  schedulerState: (): ItemKey => ({ PK: 'SCHEDULER', SK: 'TIMERS' }),
  coupon: (code: string): ItemKey => ({ PK: `COUPON#${code}`, SK: 'COUPON' }),
  surveyAnswer: (customerId: string, answeredAt: string): ItemKey => ({ PK: customerPk(customerId), SK: `SURVEY#${answeredAt}` }),
  /** The weekly segment thresholds, read when a profile's RFM scores and value tier are derived. */
  segmentThresholds: (): ItemKey => ({ PK: 'SEGMENTS', SK: 'THRESHOLDS' }),
  /** The weekly audience sample: candidate ids the console checks against a condition (one GetItem). */
  audienceSample: (): ItemKey => ({ PK: 'SEGMENTS', SK: 'SAMPLES' }),
  /** The fitted prediction models, read when a purchase refreshes the customer's predictions. */
  predictionModel: (): ItemKey => ({ PK: 'PREDICTIONS', SK: 'MODEL' }),
  /** The weekly analytics run's stored report of one standard period ("last-30-days", "month-2027-02"). */
  storedReport: (period: string): ItemKey => ({ PK: 'REPORTS', SK: `PERIOD#${period}` }),
  storedReportsPk: 'REPORTS',
  /** Directory entry for a due bucket (written before the timer, never needed to be exact). */
  dueDirectory: (dueAt: Date, shard: number): ItemKey => ({
    PK: `DUEDIR#${dueAt.toISOString().slice(0, 10)}`,
    SK: `${dueAt.toISOString().slice(11, 13)}#${shard}`,
  }),
  dueDirectoryDay: (day: string) => `DUEDIR#${day}`,
  /** Hour bucket of the due index: "DUE#2026-11-23T09#3". */
  dueBucket: (dueAt: Date, shard: number) => `DUE#${dueAt.toISOString().slice(0, 13)}#${shard}`,
  dueSort: (dueAt: Date, customerId: string, kind: string) => `${dueAt.toISOString()}#${customerId}#${kind}`,
  journeyStepCountsPk: (journeyId: string) => `STEPS#${journeyId}`,
  journeyStepNow: (journeyId: string, stepId: string): ItemKey => ({ PK: `STEPS#${journeyId}`, SK: `NOW#${stepId}` }),
  journeyStepResultsPk: (journeyId: string) => `STEPRESULTS#${journeyId}`,
  journeyStepResults: (journeyId: string, day: string, stepId: string, variant: string | undefined): ItemKey => ({
    PK: `STEPRESULTS#${journeyId}`,
    SK: `DAY#${day}#${stepId}#${variant ?? '-'}`,
  }),
  journeyStepDay: (journeyId: string, day: string, stepId: string): ItemKey => ({
    PK: `STEPS#${journeyId}`,
    SK: `DAY#${day}#${stepId}`,
  }),
  operatorAudit: (customerId: string, at: Date, action: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `AUDIT#${at.toISOString()}#${action}`,
  }),
  /** The byEmail index's item for one address of one customer (see the note above). */
  customerAddress: (customerId: string, email: string): ItemKey => ({
    PK: customerPk(customerId),
    SK: `ADDRESS#${email.toLowerCase()}`,
  }),
  emailIndex: (email: string, customerId: string) => ({
    GSI2PK: `EMAIL#${email.toLowerCase()}`,
    GSI2SK: customerPk(customerId),
  }),
} as const;

/** Stable shard for a customer, so re-arming a timer keeps it in the same shard. */
export function dueShard(customerId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % DUE_SHARDS;
}
