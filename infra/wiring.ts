// THE wiring table: which events, schedules and URLs trigger which function, and what each
// function may touch. The CDK stack (infra/aws) and the local runtime (infra/local) both read
// it, so what runs on a laptop is what gets deployed.

export interface EventPattern {
  source: string;
  detailType: string[];
  /** 'marketing' (default) or 'default' — SES publishes its events to the account's default bus. */
  bus?: 'marketing' | 'default';
  /**
   * SES events of the stack's own configuration set only: the default bus also carries those of
   * every other configuration set in the account (a content filter on `mail.tags`).
   */
  ownConfigurationSet?: true;
}

/** An EventBridge event pattern, in the JSON form rules store (the subset this product uses). */
export interface EventBridgePattern {
  source: string[];
  'detail-type': string[];
  detail?: Record<string, unknown>;
}

/** What a function is allowed to reach; the stack turns each flag into a least-privilege grant. */
export interface Access {
  table: 'read' | 'readWrite';
  /** Only the "due" index (scheduler) instead of the whole table. */
  dueIndexOnly?: boolean;
  publishEvents?: boolean;
  sendEmail?: boolean;
  /** Queues (by key of `queues`) this function sends messages to. */
  sendsTo?: QueueName[];
  unsubscribeSecret?: boolean;
  /**
   * Writes the per-email history — send-ledger entries, journey send outcomes, holdouts, coupons,
   * counted unsubscribes, the once-only markers of opens and clicks — each of which expires after
   * the deploy's `emailHistoryDays`: told it as EMAIL_HISTORY_DAYS (shared/domain/email-history.ts).
   */
  emailHistory?: boolean;
  /**
   * Scan the whole table (parallel segments): weekly analytics, and arming a newly live date
   * trigger a page per event — never a scheduled send path or a request path.
   */
  scanTable?: boolean;
}

export type Trigger =
  /** EventBridge rule -> SQS queue (with DLQ) -> this function, with partial-batch failures. */
  | { type: 'events'; queue: QueueName; patterns: EventPattern[] }
  /** A queue other functions send to (e.g. send requests). */
  | { type: 'queue'; queue: QueueName }
  /** EventBridge Scheduler, every N minutes. */
  | { type: 'schedule'; everyMinutes: number }
  /** A public HTTPS endpoint (Lambda Function URL; served by the local runtime on its HTTP port). */
  | { type: 'url'; path: string }
  /**
   * The marketer console's API: in AWS an HTTP API whose Cognito authorizer admits only the
   * company's signed-in users (infra/aws/constructs/marketer-console.ts); locally served at
   * `path` on the HTTP port, without login.
   */
  | { type: 'console'; path: string };

export interface FunctionWiring {
  /** Folder under functions/ holding handler.ts, which exports `handler` and `createHandler`. */
  folder: string;
  description: string;
  trigger: Trigger;
  access: Access;
  timeoutSeconds: number;
  memoryMb: number;
  /** Upper bound on concurrent executions (SQS maximum concurrency); undefined = unbounded. */
  maxConcurrency?: number;
}

export interface QueueWiring {
  /** Deliveries before a message moves to the queue's DLQ. */
  maxReceiveCount: number;
  batchSize: number;
  /**
   * How long Lambda gathers messages before invoking (MaximumBatchingWindowInSeconds): without one,
   * a queue that gets a message or two a second invokes once per message, each invocation paying
   * its own request, start-up and ReceiveMessage/DeleteMessage calls.
   */
  batchingWindowSeconds?: number;
}

export const queues = {
  'customer-events': { maxReceiveCount: 5, batchSize: 10 },
  'order-events': { maxReceiveCount: 5, batchSize: 10 },
  /**
   * SendRequests from journey send steps to the sender; deferrals re-enqueue here with a delay.
   * Marketing email can wait 10 s: at a million customers' ~1 email a second, batches fill.
   */
  'send-requests': { maxReceiveCount: 8, batchSize: 10, batchingWindowSeconds: 10 },
  /** SES sending events (default bus, source aws.ses) for bounces, complaints and counters: 2–3 per email. */
  'ses-events': { maxReceiveCount: 5, batchSize: 10, batchingWindowSeconds: 5 },
  /** Survey Answered (shop.surveys) for NPS and the loyalty-type attitude signal. */
  'survey-events': { maxReceiveCount: 5, batchSize: 10 },
  /** Recorded facts (source loyalty-flows) the journey engine reacts to. */
  'journey-events': { maxReceiveCount: 5, batchSize: 10 },
  /** Journey Arming Requested: one Scan page of stored customers per message, so one per invocation. */
  'arming-requests': { maxReceiveCount: 5, batchSize: 1 },
} satisfies Record<string, QueueWiring>;

export type QueueName = keyof typeof queues;

/** Lambda waits this long to fill a batch (SQS requires a window for a batch larger than 10). */
export function batchingWindowSeconds(queue: QueueWiring): number {
  return queue.batchingWindowSeconds ?? (queue.batchSize > 10 ? 1 : 0);
}

/**
 * A queue's visibility timeout, derived from its consumer: AWS asks for at least six times the
 * function timeout plus the batching window, so a message whose invocation is throttled and
 * retried by the event source mapping is not handed to a second consumer meanwhile.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
export function visibilityTimeoutSeconds(queue: QueueWiring, consumer: FunctionWiring): number {
  return 6 * consumer.timeoutSeconds + batchingWindowSeconds(queue);
}

export const functions = {
  'ingest-customers': {
    folder: 'ingest-customers',
    description:
      'Customer Upserted -> customer profile (last writer by event time wins), then Customer Profile Updated',
    trigger: {
      type: 'events',
      queue: 'customer-events',
      patterns: [{ source: 'shop.customers', detailType: ['Customer Upserted'] }],
    },
    access: { table: 'readWrite', publishEvents: true },
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  'ingest-orders': {
    folder: 'ingest-orders',
    description: 'Purchase Completed / Order Refunded -> purchase records and customer aggregates',
    trigger: {
      type: 'events',
      queue: 'order-events',
      patterns: [{ source: 'shop.orders', detailType: ['Purchase Completed', 'Order Refunded'] }],
    },
    access: { table: 'readWrite', publishEvents: true },
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  scheduler: {
    folder: 'scheduler',
    description:
      'Every 5 minutes: fire due journey waits and date triggers, tier reviews and lifecycle changes from the hour-bucketed due index (Query only)',
    trigger: { type: 'schedule', everyMinutes: 5 },
    // Reads profiles and claims/re-arms timers item by item, so it needs the table, not just the index.
    // Tier reviews store the re-evaluated loyalty state and publish Tier Changed.
    access: { table: 'readWrite', sendsTo: ['send-requests'], publishEvents: true, emailHistory: true },
    timeoutSeconds: 240,
    memoryMb: 512,
    maxConcurrency: 1,
  },
  journeys: {
    folder: 'journeys',
    description:
      'Recorded facts (Purchase/Refund Recorded, Customer Profile Updated, Tier Changed, Lifecycle Stage Changed) -> journey exits, entries and date-trigger timers',
    trigger: {
      type: 'events',
      queue: 'journey-events',
      patterns: [
        {
          source: 'loyalty-flows',
          detailType: [
            'Purchase Recorded',
            'Refund Recorded',
            'Customer Profile Updated',
            'Tier Changed',
            'Lifecycle Stage Changed',
          ],
        },
      ],
    },
    access: { table: 'readWrite', sendsTo: ['send-requests'], emailHistory: true },
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  sender: {
    folder: 'sender',
    description:
      'SendRequests -> consent, quiet hours, frequency cap, ledger claim, render, SES v2 (exactly once, rate-limited)',
    trigger: { type: 'queue', queue: 'send-requests' },
    access: {
      table: 'readWrite',
      sendEmail: true,
      publishEvents: true,
      sendsTo: ['send-requests'],
      unsubscribeSecret: true,
      emailHistory: true,
    },
    timeoutSeconds: 60,
    memoryMb: 512,
    // The DynamoDB rate bucket spreads MAX_SEND_RATE over the concurrent senders, and each runs
    // its batch's ten records in parallel: two invocations (SQS's minimum) keep twenty emails in
    // flight, enough for the default quota of 14/s and well beyond (npm run bench -- sender). More
    // would only wait, billed, for the same permits: at 14/s four senders billed ~0.27 s an email,
    // two ~0.14 s. A stack with a higher maxSendRate gets more (senderConcurrency, mail-delivery.ts).
    maxConcurrency: 2,
  },
  unsubscribe: {
    folder: 'unsubscribe',
    description:
      'Signed unsubscribe link: GET confirmation page, POST one-click (RFC 8058) -> sticky opt-out',
    trigger: { type: 'url', path: '/unsubscribe' },
    access: { table: 'readWrite', publishEvents: true, unsubscribeSecret: true, emailHistory: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  'ses-feedback': {
    folder: 'ses-feedback',
    description:
      'SES events -> confirm sends, suppress hard bounces and complaints, count each event on its send step',
    trigger: {
      type: 'events',
      queue: 'ses-events',
      patterns: [
        {
          bus: 'default',
          source: 'aws.ses',
          detailType: [
            'Email Sent',
            'Email Delivered',
            'Email Bounced',
            'Email Complaint Received',
            'Email Opened',
            'Email Clicked',
          ],
          ownConfigurationSet: true,
        },
      ],
    },
    access: { table: 'readWrite', publishEvents: true, emailHistory: true },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  'ingest-surveys': {
    folder: 'ingest-surveys',
    description: 'Survey Answered -> one SURVEY record per answer and the latest score on the profile',
    trigger: {
      type: 'events',
      queue: 'survey-events',
      patterns: [{ source: 'shop.surveys', detailType: ['Survey Answered'] }],
    },
    access: { table: 'readWrite' },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  'segment-thresholds': {
    folder: 'segment-thresholds',
    description:
      "Weekly analytics: the only scheduled Scan (parallel segments) -> RFM quintile cuts, the 80/20 spend threshold, the BG/NBD + Gamma-Gamma fit and the buyers' predictions it moved, the audience sample and the stored reports the console reads",
    trigger: { type: 'schedule', everyMinutes: 10080 },
    access: { table: 'readWrite', scanTable: true },
    timeoutSeconds: 900,
    memoryMb: 1024,
    maxConcurrency: 1,
  },
  'journey-arming': {
    folder: 'journey-arming',
    description:
      'Journey Arming Requested -> arm a newly live date trigger for the stored customers once every catalogue cache holds it, one Scan page per event, the next page as a continuation event',
    trigger: {
      type: 'events',
      queue: 'arming-requests',
      patterns: [{ source: 'loyalty-flows', detailType: ['Journey Arming Requested'] }],
    },
    // Scans profile pages, writes date-trigger timers and the progress item, publishes continuations;
    // puts the first pages on its own queue, delayed (ARMING_START_DELAY_SECONDS).
    access: { table: 'readWrite', scanTable: true, publishEvents: true, sendsTo: ['arming-requests'] },
    timeoutSeconds: 120,
    memoryMb: 512,
    // Four segments' chains run side by side; more would only contend for the table's capacity.
    maxConcurrency: 4,
  },
  'console-api': {
    folder: 'console-api',
    description:
      'Marketer console API: journeys, drafts (validate, preview, test send, publish), audiences, customers, results',
    trigger: { type: 'console', path: '/console/api' },
    // Publishes versions and writes operator changes (audited); test sends go through SES; the
    // results page reads the reports the weekly run stored: no Scan. A version that makes a date
    // trigger live is announced to journey-arming (Journey Arming Requested), which scans.
    access: { table: 'readWrite', sendEmail: true, publishEvents: true },
    timeoutSeconds: 29,
    memoryMb: 1024,
    maxConcurrency: 5,
  },
} satisfies Record<string, FunctionWiring>;

export type FunctionName = keyof typeof functions;

/** Environment variable names every handler reads (values differ between AWS and local). */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  programFile: 'PROGRAM_FILE',
  /**
   * The checkout's campaigns/ (program.yaml, journey files): read by the CLI and, to build
   * program.json, the local runtime. No function reads it: they get the program as program.json
   * and journeys from the catalogue.
   */
  campaignsDir: 'CAMPAIGNS_DIR',
  /** `access.sendEmail`: the SES v2 configuration set every send must name, and the From address. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  senderAddress: 'SENDER_ADDRESS',
  /** `access.unsubscribeSecret`: Secrets Manager ARN (AWS) of the unsubscribe-link signing key. */
  unsubscribeSecretArn: 'UNSUBSCRIBE_SECRET_ARN',
} as const;

/** Env var holding the public URL of a `url`-triggered function, given to every `sendEmail` function. */
export function functionUrlEnv(name: string): string {
  return `FUNCTION_URL_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The payload a `schedule` trigger invokes its function with (EventBridge Scheduler and local clock alike). */
export interface ScheduledInvocation {
  /** The instant this run was scheduled for, ISO 8601 (not when it actually started). */
  scheduledTime: string;
}

export const DEFAULT_BUS_NAME = 'marketing';

/** Env var holding the URL of a queue a function sends to (`access.sendsTo`). */
export function queueUrlEnv(queue: QueueName): string {
  return `QUEUE_URL_${queue.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The event pattern a rule deploys for a wiring pattern: the CDK stack puts exactly this on the
 * rule and the local bus matches exactly this, content filters included.
 */
export function eventBridgePattern(pattern: EventPattern, configurationSet: string): EventBridgePattern {
  return {
    source: [pattern.source],
    'detail-type': pattern.detailType,
    ...(pattern.ownConfigurationSet
      ? { detail: { mail: { tags: { 'ses:configuration-set': [configurationSet] } } } }
      : {}),
  };
}

/**
 * EventBridge matching for the pattern syntax above: every key of the pattern must be in the
 * event; an array lists the allowed values (an array in the event matches if any element is
 * allowed); an object matches the event's object field by field.
 */
export function matchesEventPattern(pattern: object, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual: unknown = (event as Record<string, unknown>)[key];
    if (Array.isArray(expected)) {
      const values: unknown[] = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.includes(value));
    }
    return typeof expected === 'object' && expected !== null && matchesEventPattern(expected, actual);
  });
}
