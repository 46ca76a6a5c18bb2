// The monthly AWS bill for a stated profile, from what this run measures on the local runtime:
// DynamoDB units, Lambda invocations and handler time, SQS messages and PutEvents entries per
// purchase, per marketing email and per idle schedule tick, times the profile's volumes, at the
// list prices below. Counts are measured; the few figures that are assumed say so in the table.
import type { Runtime } from '#functions/commons/runtime.ts';
import { startLocal } from '#infra/local/runtime.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { uniqueCoupon } from '#shared/domain/coupon.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, historyExpiry } from '#shared/domain/email-history.ts';
import {
  batchingWindowSeconds,
  type FunctionName,
  functions,
  type QueueName,
  queues,
} from '#infra/wiring.ts';
import { type SendRequest, SqsSendQueue } from '#shared/mail/send-request.ts';
import { CouponStore } from '#shared/store/coupons.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { DynamoMeter, type MeteredRequest, WRITE_COMMANDS } from './meter.ts';
import { retainedBytes } from './storage.ts';
import type { BenchSection } from './report.ts';
import type { Headline } from './summary.ts';

/** List prices, us-east-1, read 2026-11-30 from aws.amazon.com/<service>/pricing; free tiers ignored. */
export const PRICES = {
  date: '2026-11-30',
  region: 'us-east-1',
  dynamoWriteUnit: 0.625 / 1e6, // on-demand, per write request unit
  dynamoReadUnit: 0.125 / 1e6, // on-demand, per read request unit
  dynamoStorageGbMonth: 0.25, // standard table class
  dynamoPitrGbMonth: 0.2, // continuous backups (point-in-time recovery), per GB of table
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334, // arm64, first 6 billion GB-s tier
  sqsRequest: 0.4 / 1e6, // standard queue, per 64 KB request
  eventBridgeEvent: 1.0 / 1e6, // custom events put on a bus
  schedulerInvocation: 1.0 / 1e6, // EventBridge Scheduler
  logsIngestionGb: 0.5, // CloudWatch Logs standard ingestion
  sesEmail: 0.1 / 1000,
};

/** The profile the issue states, per month. */
const CUSTOMERS = 1_000_000;
const PROFILE = {
  purchases: (CUSTOMERS * 2) / 12,
  marketingEmails: CUSTOMERS * 2,
  birthdayEmails: CUSTOMERS / 12,
  // Assumed: 2 purchases a year leave ~6 months between them, so every lapse passes the 60-, 90-
  // and 120-day win-back steps: 3 steps x 2 lapses a year.
  winBackEmails: (CUSTOMERS * 6) / 12,
};
const MONTH_MINUTES = 30 * 24 * 60;
const MONTH_SECONDS = MONTH_MINUTES * 60;
/** Assumed: SES Open and Click events per email (tracking on; both reach ses-feedback). */
const ENGAGEMENT = 0.25;
/** The month storage is priced in: a year of this profile's history. */
const STORAGE_MONTHS = 12;
/** Months of email history the table keeps (the default retention), and the first month it is all there. */
const HISTORY_MONTHS = EMAIL_HISTORY_DEFAULT_DAYS / (365.25 / 12);
const CAPPED_MONTH = Math.ceil(HISTORY_MONTHS) + 1;
/** The birthday coupon's validity (campaigns/birthday.yaml): a coupon is kept the history's retention after it. */
const COUPON_VALID_MONTHS = 30 / (365.25 / 12);
/** Assumed: Lambda writes START, END and REPORT lines (~350 bytes) plus ~300 bytes of our own per invocation. */
const LOG_BYTES_PER_INVOCATION = 650;
/** Lambda's SQS pollers: 5 per event source mapping, each a 20 s long poll, whether or not messages come. */
const IDLE_POLLS_PER_QUEUE = (5 * MONTH_MINUTES * 60) / 20;

interface Tally {
  requests: number;
  readUnits: number;
  /** The table's write units, as dynalite reports them. */
  writeUnits: number;
  /** The global secondary indexes' write units: AWS bills them, dynalite reports none (bench/index-writes.ts). */
  indexWriteUnits: number;
  invocations: number;
  gbSeconds: number;
  messages: number;
  events: number;
  /** Messages by the queue that carried them (each queue batches at its own rate). */
  byQueue: Partial<Record<QueueName, number>>;
}

const COUNTS = [
  'requests',
  'readUnits',
  'writeUnits',
  'indexWriteUnits',
  'invocations',
  'gbSeconds',
  'messages',
  'events',
] as const;

function emptyTally(): Tally {
  return {
    requests: 0,
    readUnits: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
    invocations: 0,
    gbSeconds: 0,
    messages: 0,
    events: 0,
    byQueue: {},
  };
}

function scale(t: Tally, per: number, times: number): Tally {
  const scaled = emptyTally();
  for (const count of COUNTS) scaled[count] = (t[count] / per) * times;
  for (const [queue, n] of queueEntries(t)) scaled.byQueue[queue] = (n / per) * times;
  return scaled;
}

function add(...all: Tally[]): Tally {
  const sum = emptyTally();
  for (const t of all) {
    for (const count of COUNTS) sum[count] += t[count];
    for (const [queue, n] of queueEntries(t)) sum.byQueue[queue] = (sum.byQueue[queue] ?? 0) + n;
  }
  return sum;
}

function queueEntries(t: Tally): [QueueName, number][] {
  return Object.entries(t.byQueue).filter((e): e is [QueueName, number] => e[0] in queues);
}

/**
 * Lambda invocations and SQS requests of a month's messages on one queue: Lambda's pollers take a
 * batch per ReceiveMessage and delete it with one DeleteMessageBatch; the batch is what the
 * queue's batching window gathers at its average rate (1 without a window), at most its batch size.
 */
function queueTraffic(
  queue: QueueName,
  messages: number,
): { batch: number; invocations: number; sqsRequests: number } {
  const wiring = queues[queue];
  const batch = Math.min(
    wiring.batchSize,
    Math.max(1, (messages / MONTH_SECONDS) * batchingWindowSeconds(wiring)),
  );
  const invocations = messages / batch;
  return { batch, invocations, sqsRequests: messages + 2 * invocations };
}

export async function benchCost(): Promise<BenchSection[]> {
  const meters = new Map<FunctionName, DynamoMeter>();
  const tally = emptyTally();
  const local = await startLocal({
    now: '2026-03-02T15:00:00Z', // 10:00 in New York: inside sending hours
    // A real account's quota (SES's default), not the local runtime's: the rate bucket's writes
    // per email depend on how many permits a 200 ms slice holds.
    env: { MAX_SEND_RATE: '14' },
    wrapRuntime: (name, runtime, endpoints): Runtime => {
      const meter = new DynamoMeter().countIndexWrites(endpoints.dynamo);
      meters.set(name, meter);
      return meter.meter(runtime, endpoints.dynamo);
    },
  });
  // Every invocation: its count and handler time at the function's configured memory.
  const timed =
    <A extends unknown[], R>(name: FunctionName, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await run(...args);
      } finally {
        tally.invocations++;
        const gbSeconds = ((performance.now() - started) / 1000) * (functions[name].memoryMb / 1024);
        tally.gbSeconds += gbSeconds;
        gbSecondsByFunction.set(name, (gbSecondsByFunction.get(name) ?? 0) + gbSeconds);
      }
    };
  for (const consumer of local.consumers) {
    const handler = consumer.handler;
    const trigger = functions[consumer.name].trigger;
    const queue = 'queue' in trigger ? trigger.queue : undefined;
    consumer.handler = timed(consumer.name, async (event) => {
      tally.messages += event.Records.length;
      if (queue) tally.byQueue[queue] = (tally.byQueue[queue] ?? 0) + event.Records.length;
      return handler(event);
    });
  }
  // The product's schedules only: the local sample-shop simulation is no AWS cost.
  // The weekly analytics Scan grows with the table, not with ticks: it is left out (see notes).
  const productSchedules = local.schedules.flatMap((schedule) =>
    isFunction(schedule.name) && schedule.name !== 'segment-thresholds'
      ? [{ schedule, name: schedule.name }]
      : [],
  );
  for (const { schedule, name } of productSchedules) schedule.invoke = timed(name, schedule.invoke);
  const putSdkEvents = local.putSdkEvents.bind(local);
  local.putSdkEvents = (entries) => {
    tally.events += entries.length;
    return putSdkEvents(entries);
  };
  // Where the measured Lambda time went, per function, in the last measurement.
  const gbSecondsByFunction = new Map<FunctionName, number>();
  const measure = async (work: () => Promise<void>): Promise<Tally> => {
    gbSecondsByFunction.clear();
    for (const meter of meters.values()) meter.reset();
    Object.assign(tally, emptyTally());
    await work();
    await local.drain();
    const units = [...meters.values()];
    return {
      ...tally,
      requests: units.reduce((sum, m) => sum + m.requests, 0),
      readUnits: units.reduce((sum, m) => sum + m.readUnits, 0),
      writeUnits: units.reduce((sum, m) => sum + m.writeUnits, 0),
      indexWriteUnits: units.reduce((sum, m) => sum + m.indexWriteUnits, 0),
    };
  };
  try {
    const customers = Array.from({ length: 200 }, (_, i) => `cost-${i}`);
    local.putEvents(
      customers.map((customerId) => ({
        source: 'shop.customers',
        detailType: 'Customer Upserted',
        detail: {
          customerId,
          email: `${customerId}@example.com`,
          firstName: 'Ada',
          locale: 'en-US',
          timeZone: 'America/New_York',
          birthday: '1990-07-14',
          marketingConsent: true,
        },
      })),
    );
    await local.drain();

    const purchases = customers.length;
    const buy = (round: number) =>
      measure(async () => {
        local.putEvents(
          customers.map((customerId, i) => ({
            source: 'shop.orders',
            detailType: 'Purchase Completed',
            detail: {
              orderId: `cost-order-${round}-${i}`,
              customerId,
              amount: '42.00',
              currency: 'USD',
              purchasedAt: local.clock.now().toISOString(),
            },
          })),
        );
      });
    // A known customer's first purchase arms their timers (lifecycle, anniversary, win-back); the
    // quiet purchase the issue counts is the ordinary one after it: a repeat, two weeks later,
    // that changes no tier. The model prices every purchase as a repeat (most of 2 a year are).
    const firstPurchase = await buy(1);
    const firstShares = sharesOf(meters, purchases);
    const firstOwn = customerItemsShare(meters);
    const firstRows = [...meters].flatMap(([name, meter]) =>
      requestList({ purchase: 'first' }, name, meter.log, purchases),
    );
    await local.advanceTo(new Date(local.clock.now().getTime() + 14 * DAY_MS));
    const perPurchase = await buy(2);
    const purchaseShares = sharesOf(meters, purchases);
    const repeatOwn = customerItemsShare(meters);
    const purchaseRequestRows = [
      ...firstRows,
      ...[...meters].flatMap(([name, meter]) =>
        requestList({ purchase: 'repeat' }, name, meter.log, purchases),
      ),
    ];
    const emails = customers.length;
    // A shipped journey's send step, as the journey engine enqueues it (every campaign is a journey).
    const requests: SendRequest[] = customers.map((customerId) => ({
      customerId,
      campaignId: 'birthday',
      step: 'greeting',
      period: 'cost-bench',
      template: 'birthday',
      capClass: 'marketing',
      variables: {
        year: 2026,
        coupon: { code: 'BENCH-1', tier: 'Silver', value: 10_000, expiresAt: '2026-04-30T00:00:00Z' },
      },
      requestedAt: local.clock.now().toISOString(),
      journey: { version: 1, entryId: 'cost-bench', enteredAt: local.clock.now().toISOString() },
    }));
    const perEmail = await measure(async () => {
      await new SqsSendQueue(local.runtimeFor('sender').sqs, local.queueUrl('send-requests')).enqueue(
        requests,
      );
    });
    const sent = (await local.emails()).length;
    const senderTime = (gbSecondsByFunction.get('sender') ?? 0) / (sent || emails);
    const senderRows = [...meters].flatMap(([name, meter]) =>
      requestList({ email: 'sender' }, name, meter.log, sent || emails),
    );
    // What SES publishes about each email (Send, then Delivery) through ses-feedback.
    const perFeedback = await measure(async () => void (await local.sesEvents.publishNewSends()));
    const feedbackRows = [...meters].flatMap(([name, meter]) =>
      requestList({ email: 'SES Send + Delivery' }, name, meter.log, sent || emails),
    );
    // The greeting's unique coupon, stored as its send step issues it (the step runs in the journeys
    // function, which this bench does not drive), for its bytes only: it is not metered.
    await issueGreetingCoupons(local, customers);
    // What the table now keeps for these customers, their two purchases and one email each.
    const retained = await retainedBytes(local.doc, local.tableName);
    const idleTicks = new Map<string, Tally>();
    for (const schedule of local.schedules) {
      await schedule.invoke(local.clock.now()); // catches up whatever the sends left; the next tick is idle
      idleTicks.set(
        schedule.name,
        await measure(async () => void (await schedule.invoke(local.clock.now()))),
      );
    }

    const timerEmails = PROFILE.birthdayEmails + PROFILE.winBackEmails;
    const ticks = productSchedules.map(({ schedule }) => {
      const perMonth = MONTH_MINUTES / (schedule.everyMs / 60_000);
      return {
        name: schedule.name,
        perMonth,
        tally: scale(idleTicks.get(schedule.name) ?? emptyTally(), 1, perMonth),
      };
    });
    const month = {
      purchases: scale(perPurchase, purchases, PROFILE.purchases),
      // Assumed: a timer-driven email (birthday, win-back step) costs what a marketing email does;
      // the timer's own claim and re-arm (3 requests, 2 writes) are added below, with their index
      // writes: the claim rewrites the due entry (1), the re-arm moves it (a delete and a put).
      emails: scale(perEmail, sent || emails, PROFILE.marketingEmails + timerEmails),
      // Send and Delivery measured; opens and clicks assumed to cost what a Delivery does.
      feedback: scale(
        perFeedback,
        sent || emails,
        (PROFILE.marketingEmails + timerEmails) * (1 + ENGAGEMENT / 2),
      ),
      timers: { ...emptyTally(), readUnits: timerEmails * 1, writeUnits: timerEmails * 2, indexWriteUnits: timerEmails * 3 },
      ticks: add(...ticks.map((t) => t.tally)),
    };
    const all = add(month.purchases, month.emails, month.feedback, month.timers, month.ticks);
    const queueCount = Object.keys(queues).length;
    const traffic = queueEntries(all).map(([queue, messages]) => ({
      queue,
      messages,
      ...queueTraffic(queue, messages),
    }));
    const lambdaInvocations = traffic.reduce((sum, q) => sum + q.invocations, 0) + month.ticks.invocations;
    const sqsRequests = traffic.reduce((sum, q) => sum + q.sqsRequests, 0);
    const batches = traffic.map((q) => `${q.queue} ${q.batch.toFixed(1)}`).join(', ');
    const lines: [string, number, string][] = [
      [
        'DynamoDB writes (on-demand)',
        (all.writeUnits + all.indexWriteUnits) * PRICES.dynamoWriteUnit,
        `${fmt(all.writeUnits + all.indexWriteUnits)} WRU: ${fmt(all.writeUnits)} table + ${fmt(all.indexWriteUnits)} index entries (dynalite reports none; counted by AWS's rules)`,
      ],
      ['DynamoDB reads (on-demand)', all.readUnits * PRICES.dynamoReadUnit, `${fmt(all.readUnits)} RRU`],
      [
        'Lambda requests',
        lambdaInvocations * PRICES.lambdaRequest,
        `${fmt(lambdaInvocations)} invocations: ${fmt(all.messages)} queue messages in batches (${batches}) + schedule ticks`,
      ],
      [
        'Lambda compute (arm64)',
        all.gbSeconds * PRICES.lambdaArmGbSecond,
        `${fmt(all.gbSeconds)} GB-s (local handler time x configured memory)`,
      ],
      [
        'SQS messages',
        sqsRequests * PRICES.sqsRequest,
        `${fmt(sqsRequests)} requests: a send per message, a receive and a batch delete per batch`,
      ],
      [
        'SQS idle long polls',
        queueCount * IDLE_POLLS_PER_QUEUE * PRICES.sqsRequest,
        `${queueCount} queues x ${fmt(IDLE_POLLS_PER_QUEUE)} polls (Lambda's 5 pollers, 20 s each)`,
      ],
      [
        'EventBridge events',
        (all.events + PROFILE.purchases) * PRICES.eventBridgeEvent,
        `${fmt(all.events)} we emit + ${fmt(PROFILE.purchases)} purchases the shop puts`,
      ],
      [
        'EventBridge Scheduler',
        ticks.reduce((sum, t) => sum + t.perMonth, 0) * PRICES.schedulerInvocation,
        `${fmt(ticks.reduce((sum, t) => sum + t.perMonth, 0))} invocations`,
      ],
      [
        'CloudWatch Logs ingestion',
        ((lambdaInvocations * LOG_BYTES_PER_INVOCATION) / 1e9) * PRICES.logsIngestionGb,
        `${fmt(lambdaInvocations)} invocations x ${LOG_BYTES_PER_INVOCATION} bytes (assumed)`,
      ],
    ];
    const total = lines.reduce((sum, [, dollars]) => sum + dollars, 0);
    const top = [...lines].sort((a, b) => b[1] - a[1])[0];
    const emailsPerMonth = PROFILE.marketingEmails + timerEmails;
    // Storage is priced in the 12th month — the table then holds every customer's items, a year
    // of orders and of emails (ledger entry and journey send outcome, for the report and explain),
    // a year of birthday coupons, 30 days of delivery markers (their TTL; an open's or a click's
    // marker stays with the email's history, as a reader repeats them) — and in the month the
    // email history first reaches its retention (EMAIL_HISTORY_DEFAULT_DAYS), after which it stops
    // growing: only orders, kept for ever (the customer's aggregates are recomputed from them), add.
    const bytesPer = {
      customer: retained.customers / customers.length,
      purchase: retained.purchases / (2 * purchases),
      // The ledger entry and the send outcome, measured, and the ENGAGEMENT opens' and clicks'
      // markers, each the size of the Delivery's measured one, kept as long.
      email: (retained.emails + retained.sesMarkers * ENGAGEMENT) / (sent || emails),
      // The greeting's unique code, measured per email of the birthday step every bench email is.
      coupon: retained.coupons / (sent || emails),
      // Measured: the Delivery's marker, kept 30 days.
      deliveryMarker: retained.sesMarkers / (sent || emails),
    };
    const purchaseGrowthGb = (PROFILE.purchases * bytesPer.purchase) / 1e9;
    const emailGrowthGb = (emailsPerMonth * bytesPer.email + PROFILE.birthdayEmails * bytesPer.coupon) / 1e9;
    const tableGbIn = (m: number) =>
      (CUSTOMERS * bytesPer.customer + emailsPerMonth * bytesPer.deliveryMarker) / 1e9 +
      m * purchaseGrowthGb +
      Math.min(m, HISTORY_MONTHS) * (emailsPerMonth * bytesPer.email) / 1e9 +
      Math.min(m, HISTORY_MONTHS + COUPON_VALID_MONTHS) * (PROFILE.birthdayEmails * bytesPer.coupon) / 1e9;
    const tableGb = tableGbIn(STORAGE_MONTHS);
    const cappedGb = tableGbIn(CAPPED_MONTH);
    const perGb = PRICES.dynamoStorageGbMonth + PRICES.dynamoPitrGbMonth;
    const storageBasis = `${tableGb.toFixed(1)} GB in month ${STORAGE_MONTHS}: ${fmt(CUSTOMERS)} customers x ${fmt(bytesPer.customer)} bytes, ${STORAGE_MONTHS} months of emails x ${fmt(bytesPer.email)} bytes (ledger entry, send outcome, open and click markers; birthday coupons x ${fmt(bytesPer.coupon)}) and purchases x ${fmt(bytesPer.purchase)}, 30 days of delivery markers; +${(purchaseGrowthGb + emailGrowthGb).toFixed(1)} GB a month`;
    const cappedBasis = `${cappedGb.toFixed(1)} GB: the email history at its ${EMAIL_HISTORY_DEFAULT_DAYS} days (${HISTORY_MONTHS.toFixed(1)} months of emails, coupons ${fmt(EMAIL_HISTORY_DEFAULT_DAYS)} days past their expiry); then only purchases add, +${purchaseGrowthGb.toFixed(2)} GB a month`;
    const storageLines: [string, number, string][] = [
      [`DynamoDB storage, month ${STORAGE_MONTHS}`, tableGb * PRICES.dynamoStorageGbMonth, storageBasis],
      [`Point-in-time recovery, month ${STORAGE_MONTHS}`, tableGb * PRICES.dynamoPitrGbMonth, `${tableGb.toFixed(1)} GB of table, continuously backed up`],
    ];
    const cappedLines: [string, number, string][] = [
      [`DynamoDB storage, month ${CAPPED_MONTH} on`, cappedGb * PRICES.dynamoStorageGbMonth, cappedBasis],
      [`Point-in-time recovery, month ${CAPPED_MONTH} on`, cappedGb * PRICES.dynamoPitrGbMonth, `${cappedGb.toFixed(1)} GB of table, continuously backed up`],
    ];
    const storage = tableGb * perGb;
    const cappedStorage = cappedGb * perGb;
    const storageGrowth = (purchaseGrowthGb + emailGrowthGb) * perGb;
    const cappedGrowth = purchaseGrowthGb * perGb;
    const purchaseRequests = perPurchase.requests / purchases;
    const purchaseWrites = perPurchase.writeUnits / purchases;
    const purchaseIndexWrites = perPurchase.indexWriteUnits / purchases;
    const headlines: Headline[] = [
      {
        row: 'purchase-path',
        now: `${purchaseRequests.toFixed(1)} requests, ${(purchaseWrites + purchaseIndexWrites).toFixed(1)} WRU (${purchaseWrites.toFixed(1)} table + ${purchaseIndexWrites.toFixed(1)} index entries), ${(perPurchase.readUnits / purchases).toFixed(1)} RRU (a repeat purchase, no tier change: ${purchaseShares.join(', ')}); a first purchase, which arms the customer's timers: ${per(firstPurchase, purchases, 'short')} (${ownText(firstOwn, purchases)})`,
        // Met only when a customer's first purchase (which arms their timers) is within it too,
        // in the units AWS bills (the index entries' included). Judged on the customer's own
        // items: the shared ones (the due directory, the fit, the journey list) are written or
        // read once per bucket or cache period for every customer.
        met: !withinTarget(repeatOwn, purchases)
          ? repeatOwn.requests / purchases <= 6 || (repeatOwn.writeUnits + repeatOwn.indexWriteUnits) / purchases <= 4
            ? 'partly'
            : 'no'
          : withinTarget(firstOwn, purchases)
            ? 'yes'
            : 'partly',
      },
      {
        row: 'cost',
        now: `$${total.toFixed(2)} a month${total > 5 ? `; largest line ${top?.[0]} $${top?.[1].toFixed(2)}` : ''} (SES apart: $${(emailsPerMonth * PRICES.sesEmail).toFixed(0)}); storage and backups add $${storage.toFixed(2)} in month ${STORAGE_MONTHS} (growing $${storageGrowth.toFixed(2)} a month), $${cappedStorage.toFixed(2)} from month ${CAPPED_MONTH}, when the ${EMAIL_HISTORY_DEFAULT_DAYS}-day email history is full (then $${cappedGrowth.toFixed(2)} a month more, for purchases)`,
        met: total <= 5 ? 'yes' : 'no',
      },
    ];
    const purchaseSection: BenchSection = {
      title: `DynamoDB requests of one purchase, by function (mean of ${purchases} customers: their first purchase, then a repeat two weeks later)`,
      rows: purchaseRequestRows,
      notes: [
        'per purchase: requests of that kind / purchases measured; units: capacity units each costs (a failed condition still costs 1 WRU).',
      ],
    };
    const emailSection: BenchSection = {
      title: `DynamoDB requests of one journey email, by function (mean of ${sent || emails} emails: the sender, then SES's Send and Delivery events)`,
      rows: [...senderRows, ...feedbackRows],
      notes: [
        `per email: requests of that kind / emails sent; in all ${per(add(perEmail, perFeedback), sent || emails, 'short')}.`,
      ],
    };
    return [
      purchaseSection,
      emailSection,
      {
        headlines,
        title: `Cost model: 1M customers, per month (list prices ${PRICES.region}, ${PRICES.date})`,
        rows: [
          ...lines.map(([item, dollars, basis]) => ({
            item,
            'USD / month': Number(dollars.toFixed(2)),
            basis,
          })),
          {
            item: 'total before SES',
            'USD / month': Number(total.toFixed(2)),
            basis: total > 5 ? `above the $5 target; largest line: ${top?.[0]}` : 'within the $5 target',
          },
          ...storageLines.map(([item, dollars, basis]) => ({ item, 'USD / month': Number(dollars.toFixed(2)), basis })),
          {
            item: `total before SES, month ${STORAGE_MONTHS}`,
            'USD / month': Number((total + storage).toFixed(2)),
            basis: `with the table a year holds; storage grows $${storageGrowth.toFixed(2)} a month until the email history is full`,
          },
          ...cappedLines.map(([item, dollars, basis]) => ({ item, 'USD / month': Number(dollars.toFixed(2)), basis })),
          {
            item: `total before SES, month ${CAPPED_MONTH} on`,
            'USD / month': Number((total + cappedStorage).toFixed(2)),
            basis: `the email history capped at ${EMAIL_HISTORY_DEFAULT_DAYS} days (its items expire, TTL); storage then grows $${cappedGrowth.toFixed(2)} a month, with purchases only`,
          },
          {
            item: 'SES (shown apart)',
            'USD / month': Number((emailsPerMonth * PRICES.sesEmail).toFixed(2)),
            basis: `${fmt(emailsPerMonth)} emails at $0.10 per 1,000`,
          },
        ],
        notes: [
          `Profile: ${fmt(PROFILE.purchases)} purchases, ${fmt(PROFILE.marketingEmails)} marketing emails, ${fmt(PROFILE.birthdayEmails)} birthday and ${fmt(PROFILE.winBackEmails)} win-back emails a month.`,
          `Measured this run, per repeat purchase (every function it wakes): ${per(perPurchase, purchases)}; by function: ${purchaseShares.join(', ')}.`,
          `A customer's first purchase (arms their timers): ${per(firstPurchase, purchases)}; by function: ${firstShares.join(', ')}; ${ownText(firstOwn, purchases)}.`,
          `Per email through the sender (${sent} of ${emails} accepted by SES local): ${per(perEmail, sent || emails)}.`,
          `Lambda time per email in the sender: ${senderTime.toFixed(3)} GB-s (${((senderTime / (functions.sender.memoryMb / 1024)) * 1000).toFixed(0)} ms at ${functions.sender.memoryMb} MB), waits for rate permits included: ${sent || emails} emails at MAX_SEND_RATE 14 take ${((sent || emails) / 14).toFixed(0)} s.`,
          ...ticks.map(
            (t) =>
              `Idle ${t.name} tick: ${per(idleTicks.get(t.name) ?? emptyTally(), 1)}; ${fmt(t.perMonth)} ticks a month.`,
          ),
          `SES feedback per email (its Send and Delivery events): ${per(perFeedback, sent || emails)}; opens and clicks assumed ${ENGAGEMENT} events per email at a Delivery's cost.`,
          'Not measured here: the weekly analytics Scan (one parallel Scan of the table: its size in 4 KB units / 2 RRU a week) and the weekly refit\'s profile writes, which follow the predictions it moved, not the base (0.12% of 100k buyers a week: `npm run bench -- predictions`).',
        ],
      },
    ];
  } finally {
    await local.stop();
  }
}

/** Which functions the purchase woke, and their share (the meters still hold the purchases). */
function sharesOf(meters: Map<FunctionName, DynamoMeter>, purchases: number): string[] {
  return [...meters]
    .filter(([, meter]) => meter.requests > 0)
    .sort(([, a], [, b]) => b.requests - a.requests)
    .map(
      ([name, meter]) =>
        `${name} ${(meter.requests / purchases).toFixed(1)} req / ${(meter.writeUnits / purchases).toFixed(1)} WRU + ${(meter.indexWriteUnits / purchases).toFixed(1)} index`,
    );
}

/** One function's requests grouped by operation and key shape, in the order first seen. */
function requestList(
  what: { purchase: string } | { email: string },
  name: FunctionName,
  log: readonly MeteredRequest[],
  per: number,
): Record<string, string | number>[] {
  const groups = new Map<
    string,
    { command: string; key: string; failed: boolean; count: number; units: number; indexUnits: number }
  >();
  for (const request of log) {
    const id = `${request.command}|${request.key}|${request.failed}`;
    const group = groups.get(id) ?? {
      command: request.command,
      key: request.key,
      failed: request.failed,
      count: 0,
      units: 0,
      indexUnits: 0,
    };
    group.count++;
    group.units += request.units;
    group.indexUnits += request.indexUnits;
    groups.set(id, group);
  }
  const [unit] = Object.keys(what);
  return [...groups.values()].map((group) => ({
    ...what,
    function: name,
    operation: `${group.command.replace(/Command$/, '')}${group.failed ? ' (condition failed)' : ''}`,
    key: group.key,
    [`per ${unit}`]: Number((group.count / per).toFixed(2)),
    'units each': Number((group.units / group.count).toFixed(2)),
    'index WRU each': Number((group.indexUnits / group.count).toFixed(2)),
  }));
}

/**
 * The requests and write units the purchases made on their customers' own items (CUSTOMER#<id>),
 * apart from the shared items every customer's purchases share (the meters still hold them).
 */
function customerItemsShare(meters: Map<FunctionName, DynamoMeter>) {
  const share = { requests: 0, writeUnits: 0, indexWriteUnits: 0, sharedRequests: 0, sharedWriteUnits: 0 };
  for (const request of [...meters.values()].flatMap((meter) => meter.log)) {
    const tableWrites = WRITE_COMMANDS.has(request.command) ? request.units : 0;
    if (request.key.startsWith('CUSTOMER#<id>')) {
      share.requests++;
      share.writeUnits += tableWrites;
      share.indexWriteUnits += request.indexUnits;
    } else {
      share.sharedRequests++;
      share.sharedWriteUnits += tableWrites + request.indexUnits;
    }
  }
  return share;
}

function ownText(share: ReturnType<typeof customerItemsShare>, purchases: number): string {
  const f = (n: number) => (n / purchases).toFixed(2);
  return `on the customer's own items ${f(share.requests)} requests, ${f(share.writeUnits + share.indexWriteUnits)} WRU (${f(share.writeUnits)} table + ${f(share.indexWriteUnits)} index entries); shared items amortised over ${purchases} customers ${f(share.sharedRequests)} requests / ${f(share.sharedWriteUnits)} WRU`;
}

/** Issue 12's purchase target: at most 6 DynamoDB requests and 4 write units, whole system. */
function withinTarget(t: { requests: number; writeUnits: number; indexWriteUnits: number }, purchases: number): boolean {
  return t.requests / purchases <= 6 && (t.writeUnits + t.indexWriteUnits) / purchases <= 4;
}

function isFunction(name: string): name is FunctionName {
  return name in functions;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function per(t: Tally, n: number, form: 'short' | 'long' = 'long'): string {
  const f = (v: number) => (v / n).toFixed(2);
  if (form === 'short')
    return `${(t.requests / n).toFixed(1)} requests, ${((t.writeUnits + t.indexWriteUnits) / n).toFixed(1)} WRU (${(t.writeUnits / n).toFixed(1)} table + ${(t.indexWriteUnits / n).toFixed(1)} index entries)`;
  return `${f(t.requests)} requests, ${f(t.readUnits)} RRU, ${f(t.writeUnits)} WRU + ${f(t.indexWriteUnits)} WRU of index entries, ${f(t.invocations)} invocations, ${f(t.messages)} messages, ${f(t.events)} events`;
}

/** Issues each customer the shipped birthday greeting's coupon, kept the default email history after it expires. */
async function issueGreetingCoupons(local: Awaited<ReturnType<typeof startLocal>>, customers: string[]): Promise<void> {
  const birthday = await new JourneyCatalogue(local.doc, local.tableName, local.clock).current('birthday');
  const greeting = birthday?.journey.steps.find((step) => step.id === 'greeting');
  const offer = greeting && 'send' in greeting ? greeting.send.offer : undefined;
  if (!offer?.codePrefix) throw new Error('the shipped birthday greeting issues no unique coupon');
  const coupons = new CouponStore(local.doc, local.tableName);
  const issuedAt = local.clock.now();
  const expiry = historyExpiry(EMAIL_HISTORY_DEFAULT_DAYS);
  for (const customerId of customers) {
    const coupon = uniqueCoupon({
      offer: { ...offer, codePrefix: offer.codePrefix },
      journeyId: 'birthday',
      customerId,
      entryId: 'cost-bench',
      tier: undefined,
      issuedAt,
      attempt: 0,
    });
    const { expiresAt } = coupon;
    await coupons.issue(
      {
        code: coupon.code,
        customerId,
        campaignId: 'birthday',
        period: 'cost-bench#greeting',
        stepId: 'greeting',
        tier: coupon.tier,
        valueMilli: coupon.valueMilli,
        expiresAt,
        issuedAt: issuedAt.toISOString(),
      },
      expiry(new Date(expiresAt)),
    );
  }
}
